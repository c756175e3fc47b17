# reliefplan — the two commands: `make reports` and `make test`.
# Each sets up .venv on first use (project + test extras + a python3 kernel
# inside the venv, so papermill finds it on a fresh machine).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all setup reports test lab app browser clean-reports clean

all: reports

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (reliefplan)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)

# Headless Chromium and CJK fonts from Debian, for the browser tests.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing chromium + fonts-noto-cjk (Debian packages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

reports: $(STAMP)
	$(BIN)/reliefplan report --out reports --jobs $(JOBS)

test: $(STAMP) browser
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup -q

# JupyterLab refuses to run as root unless told; planners' laptops aren't root, CI machines are.
LAB_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

# JupyterLab in Chinese: the zh-CN language pack (PyPI) and the interface locale set in the venv's
# settings overrides, so the menus match the users' language. The what-if panel: notebooks/30_whatif_app.ipynb,
# or `from reliefplan.app import panel; panel()` in any notebook.
LAB_LOCALE ?= zh_CN
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
LAB_STAMP := $(VENV)/.lab-installed

$(LAB_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $(LAB_STAMP)

lab: $(LAB_STAMP)
	mkdir -p $(LAB_SETTINGS)
	printf '{"@jupyterlab/translation-extension:plugin": {"locale": "%s"}}\n' $(LAB_LOCALE) > $(LAB_SETTINGS)/overrides.json
	$(BIN)/jupyter lab $(LAB_ROOT) notebooks/

# The what-if app on localhost; e.g. make app APP_ARGS="--port 9000 --max-kernels 6"
app: $(STAMP)
	$(BIN)/reliefplan app $(APP_ARGS)

clean-reports:
	find reports -mindepth 1 ! -name README.md ! -name .gitkeep -exec rm -rf {} +

clean: clean-reports
	rm -rf $(VENV)
