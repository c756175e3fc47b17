"""The served app's inputs cached on disk: computed once, loaded after, never stale, no personal data."""

from __future__ import annotations

import os
import pickle
import shutil

import pytest

from reliefplan.core import paths
from reliefplan.views.app import cache, data


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory):
    """The demo data in a folder of its own, so a test may touch a file."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(paths.data_dir(), folder / "data")
    return folder / "data" / "plan_2027.yaml"


def test_first_call_stores_later_calls_load(tmp_path, demo_copy, monkeypatch):
    folder = tmp_path / "cache"
    first = cache.load_app_inputs(demo_copy, folder=folder)
    files = list(folder.glob("inputs-*.pickle"))
    assert len(files) == 1 and oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"
    monkeypatch.setattr(cache, "load_inputs", lambda *a, **k: pytest.fail("computed again"))
    again = cache.load_app_inputs(demo_copy, folder=folder)
    assert again.state.n_rows == first.state.n_rows and again.people.equals(first.people)


def test_no_personal_data_is_stored(tmp_path, demo_copy):
    folder = tmp_path / "cache"
    full = data.load_inputs(demo_copy)
    cache.load_app_inputs(demo_copy, folder=folder)
    raw = next(folder.glob("inputs-*.pickle")).read_bytes()
    for number in full.registry["id_number"].head(500):
        assert number.encode() not in raw
    stored = pickle.loads(raw)
    assert len(stored.registry) == 0 and stored.rows is None


def test_an_edited_data_file_is_not_served_stale(tmp_path, demo_copy):
    folder = tmp_path / "cache"
    cache.load_app_inputs(demo_copy, folder=folder)
    registry = demo_copy.parent / "registry.csv"
    st = registry.stat()
    os.utime(registry, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    cache.load_app_inputs(demo_copy, folder=folder)
    assert len(list(folder.glob("inputs-*.pickle"))) == 2


def test_a_file_others_may_write_is_ignored(tmp_path, demo_copy, monkeypatch):
    folder = tmp_path / "cache"
    cache.load_app_inputs(demo_copy, folder=folder)
    path = next(folder.glob("inputs-*.pickle"))
    path.write_bytes(pickle.dumps("not inputs"))
    os.chmod(path, 0o666)
    got = cache.load_app_inputs(demo_copy, folder=folder)
    assert isinstance(got, data.Inputs)


def test_without_a_folder_nothing_is_cached(monkeypatch):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    assert cache.load_app_inputs().registry is not None
