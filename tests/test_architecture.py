"""The layers of DESIGN.md hold: import-linter's contracts (pyproject.toml) are kept."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import reliefplan

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(reliefplan.__file__).parent
LAYERS = ("core", "ingest", "models", "views", "reports", "batch", "cli", "demo", "app")


def test_import_contracts_are_kept():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "import-linter is a test dependency (pip install -e '.[test]')"
    proc = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(PACKAGE.parent), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " 0 broken" in proc.stdout, proc.stdout[-4000:]


def test_every_layer_says_what_lives_there_and_what_it_may_import():
    for layer in LAYERS:
        init = PACKAGE / layer / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"{init} needs a docstring saying what it may import"


def test_no_module_left_flat_beside_the_layers():
    flat = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert flat == [], f"modules outside the layer folders: {flat}"


# test_lab_browser reuses test_app_browser's page helpers; both are being reworked on the
# `app` branch, which moves those helpers out (tests/browser_support.py). No other pair.
TEST_IMPORTS_BEING_MOVED: set = set()


def test_test_modules_do_not_import_one_another():
    """Shared builders live in conftest.py or a helper module (builders.py, ...), never in a test_*.py."""
    found = set()
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                target = name.split(".")[-1] if name.startswith("tests.") else name.split(".")[0]
                if target.startswith("test_"):
                    found.add((path.stem, target))
    assert found - TEST_IMPORTS_BEING_MOVED == set(), sorted(found - TEST_IMPORTS_BEING_MOVED)
