import copy
import sys
from pathlib import Path

import pytest

# tests/ helpers (nbrun) importable from every test module
sys.path.insert(0, str(Path(__file__).parent))

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
