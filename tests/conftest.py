import copy
import os
import sys
import tempfile
from pathlib import Path

import pytest

# tests/ helpers (nbrun) importable from every test module
sys.path.insert(0, str(Path(__file__).parent))

# The person-key secret of the test run: a fresh file in a temporary folder (created on first use),
# never the user's ~/.config/reliefplan/secret. Set before xdist starts its workers and before any
# kernel or CLI subprocess, which inherit it, so every process of one run computes the same keys.
if not os.environ.get("RELIEFPLAN_SECRET"):
    os.environ.setdefault("RELIEFPLAN_SECRET_FILE",
                          str(Path(tempfile.mkdtemp(prefix="reliefplan-test-secret-")) / "secret"))

from reliefplan.core import paths  # noqa: E402
from reliefplan.ingest.inputs import PlanInputs  # noqa: E402


# The demo data, named explicitly: the library has no default files, so a test that
# wants the demo tables says so here.
@pytest.fixture(scope="session")
def demo_inputs() -> PlanInputs:
    """The demo plan's inputs (tables loaded on first use)."""
    return PlanInputs(paths.demo_plan_path())


@pytest.fixture
def demo_categories(demo_inputs):
    return demo_inputs.categories.copy()


@pytest.fixture
def demo_areas(demo_inputs):
    return demo_inputs.areas.copy()


@pytest.fixture
def demo_dibao(demo_inputs):
    return demo_inputs.dibao.copy()


@pytest.fixture
def demo_boundaries(demo_inputs):
    return copy.deepcopy(demo_inputs.boundaries)


@pytest.fixture
def demo_history(demo_inputs):
    return demo_inputs.history.copy()


@pytest.fixture(scope="session")
def demo_case_library(demo_inputs):
    return demo_inputs.case_library


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Refuse to run when ``--dist loadgroup`` would not keep an ``xdist_group`` together.

    pytest-xdist groups tests by suffixing their node ids with the group name; pytest 9.2 no longer lets
    it, and the groups were silently split across workers: each worker started its own Voilà server and
    page, so a test found the page without what the test before it had set (seen as the app's cap switch
    and funding-pool amount "reverting"). ``make test`` would then pass or fail by chance.
    """
    if not config.getoption("loadgroup", default=False):
        return
    lost = [item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(f"--dist loadgroup would split xdist_group tests across workers (this pytest "
                                f"ignores pytest-xdist's grouping), e.g. {lost[0]}; see pyproject.toml")
