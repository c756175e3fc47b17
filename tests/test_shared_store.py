"""The shared store: parsed tables written once per machine as Arrow files, memory-mapped by every batch kernel."""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from reliefplan.core import paths
from reliefplan.ingest import shared_store
from reliefplan.ingest.inputs import PlanInputs
from reliefplan.ingest.registry import IngestResult


def _never():
    raise AssertionError("load() called although the store holds the value")


@pytest.fixture
def warm(monkeypatch, tmp_path):
    """A warm batch kernel's state in this process: its in-kernel cache and a store folder."""
    module = types.ModuleType("_reliefplan_warm")
    module.cache = {}
    monkeypatch.setitem(sys.modules, "_reliefplan_warm", module)
    folder = tmp_path / "store"
    monkeypatch.setenv(shared_store.STORE_ENV, str(folder))
    return module, folder


def test_every_demo_table_comes_back_from_the_store_exactly(warm, monkeypatch):
    """Each table a kernel opens from the store equals the table read from its file: values, dtypes, index."""
    module, folder = warm
    stored = PlanInputs(None).tables()
    module.cache.clear()                       # the next kernel: nothing in memory, everything in the store
    opened = PlanInputs(None).tables()
    monkeypatch.delitem(sys.modules, "_reliefplan_warm")
    direct = PlanInputs(None).tables()         # no warm kernel: read from the files
    for key, table in direct.items():
        if isinstance(table, pd.DataFrame):
            pd.testing.assert_frame_equal(opened[key], table, check_exact=True)
            pd.testing.assert_frame_equal(stored[key], table, check_exact=True)
    result, expected = opened["registry_result"], direct["registry_result"]
    assert isinstance(result, IngestResult)
    for field in dataclasses.fields(IngestResult):
        mine, theirs = getattr(result, field.name), getattr(expected, field.name)
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
        else:
            assert mine == theirs, field.name
    actions = {action for action, _, _ in shared_store.read_log(folder)}
    assert {"wrote", "opened"} <= actions


def test_a_stored_table_is_opened_without_loading_or_copying_its_strings(tmp_path):
    """The second fetch does not call load(), and in a kernel keeping text in Arrow (as batch kernels sharing
    inputs do) its string columns point into the mapped file: nothing is allocated for them."""
    with pd.option_context("mode.string_storage", "pyarrow"):
        people = pd.DataFrame({"name": [f"张{i:06d}" for i in range(50_000)]})
        first = shared_store.fetch(("people", 1), lambda: people, tmp_path)
        pd.testing.assert_frame_equal(first, people)
        before = pa.total_allocated_bytes()
        again = shared_store.fetch(("people", 1), _never, tmp_path)
        assert pa.total_allocated_bytes() - before < 100_000     # copying the 50,000 names would be ~0.6 MB
        assert again["name"].dtype.storage == "pyarrow" and again["name"].iloc[-1] == "张049999"
    assert [a for a, _, _ in shared_store.read_log(tmp_path)] == ["wrote", "opened"]


def test_a_value_with_a_frame_arrow_changes_is_not_stored_and_each_kernel_loads_its_own(tmp_path):
    """Tuples in an object column come back from Arrow as lists: such a value is kept in memory, never altered."""
    odd = pd.DataFrame({"of": [("L1", "L2"), ("O1",)]})
    value = {"frames": [odd], "n": 2}
    got = shared_store.fetch(("odd",), lambda: value, tmp_path)
    assert got is value
    name = shared_store.value_name(("odd",))
    assert "does not come back" in (tmp_path / f"{name}.unstorable").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(f"{name}.*.arrow")) and not (tmp_path / f"{name}.pickle").exists()
    calls = []
    assert shared_store.fetch(("odd",), lambda: calls.append(1) or value, tmp_path) is value
    assert calls == [1]
    assert [a for a, _, _ in shared_store.read_log(tmp_path)] == ["unstorable", "loaded"]


def test_frames_inside_a_value_are_stored_and_the_rest_pickled(tmp_path):
    value = ("dataclass", "IngestResult", {"accepted": pd.DataFrame({"a": [1, 2]}), "rows_read": 2,
                                           "problems": [{"row": 3}], "notes": ("x",)})
    shared_store.fetch(("nested",), lambda: value, tmp_path)
    back = shared_store.fetch(("nested",), _never, tmp_path)
    assert back[:2] == value[:2] and back[2]["rows_read"] == 2 and back[2]["notes"] == ("x",)
    pd.testing.assert_frame_equal(back[2]["accepted"], value[2]["accepted"])


def test_no_store_folder_means_no_store(monkeypatch):
    monkeypatch.delenv(shared_store.STORE_ENV, raising=False)
    assert shared_store.store_dir() is None
    calls = []
    shared_store.fetch(("k",), lambda: calls.append(1) or pd.DataFrame({"a": [1]}))
    shared_store.fetch(("k",), lambda: calls.append(1) or pd.DataFrame({"a": [1]}))
    assert calls == [1, 1]


def test_the_store_is_readable_by_its_owner_only(tmp_path):
    folder = tmp_path / "store"
    shared_store.fetch(("private",), lambda: pd.DataFrame({"id_number": ["350602199001011234"]}), folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.glob("*.arrow"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(next(folder.glob("*.pickle")).stat().st_mode) == 0o600


def test_two_processes_asking_at_once_parse_the_registry_once(tmp_path):
    """Two kernels that need the same table at the same moment: one parses it, the other waits and opens it."""
    folder = tmp_path / "store"
    script = textwrap.dedent(f"""
        import sys, time
        from reliefplan.ingest import shared_store
        from reliefplan.ingest.inputs import PlanInputs
        def load():
            time.sleep(1.0)            # both are inside fetch() before either finishes
            return PlanInputs({str(paths.demo_plan_path())!r}).registry
        frame = shared_store.fetch(("registry-race",), load, __import__("pathlib").Path({str(folder)!r}))
        print(len(frame), frame["person_key"].iloc[0])
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(shared_store.__file__).parents[2])}
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0] == outs[1] and int(outs[0].split()[0]) > 1000
    actions = sorted(a for a, _, _ in shared_store.read_log(folder))
    assert actions == ["opened", "wrote"]


def test_a_folder_others_can_write_is_not_used(tmp_path):
    """The store's pickles are loaded, so a folder open to other users is ignored: each load is its own."""
    folder = tmp_path / "open"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    calls = []
    for _ in range(2):
        shared_store.fetch(("k",), lambda: calls.append(1) or pd.DataFrame({"a": [1]}), folder)
    assert calls == [1, 1] and not list(folder.iterdir())


def test_text_is_kept_as_python_objects_except_in_a_kernel_sharing_inputs(tmp_path):
    """reliefplan sets pandas' text storage when imported: Python objects (the models are tuned for them),
    Arrow in a batch kernel whose environment names a shared-inputs folder (the strings stay in the files)."""
    code = "import pandas as pd, reliefplan; print(pd.Series(['a']).dtype.storage)"
    env = {k: v for k, v in os.environ.items() if k != shared_store.STORE_ENV}
    env["PYTHONPATH"] = str(Path(shared_store.__file__).parents[2])
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    sharing = subprocess.run([sys.executable, "-c", code], env={**env, shared_store.STORE_ENV: str(tmp_path)},
                             capture_output=True, text=True, check=True)
    assert (plain.stdout.strip(), sharing.stdout.strip()) == ("python", "pyarrow")
