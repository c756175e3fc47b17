"""Files: nothing deleted outside the report folder, no input overwritten, one run per folder, honest manifests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest

from malformed_corpus import HEADER, csv_file, good_row
from reliefplan.batch import executor as ex
from reliefplan.batch import run as run_mod
from reliefplan.batch.files import folder_lock, sha256_bytes
from reliefplan.core.errors import InputError
from reliefplan.ingest.units import STEM_MAX_BYTES, organizer_stem, safe_filename

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, timeout=180):
    proc = subprocess.run([sys.executable, "-m", "reliefplan", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    return proc.returncode, proc.stdout, proc.stderr


# ------------------------------------------------------------------ stale files from a manifest

def test_stale_files_outside_the_year_folder_are_never_deleted(tmp_path, capsys):
    year = tmp_path / "out" / "2027"
    year.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    ours = year / "old_report.html"
    ours.write_bytes(b"old")
    edited = year / "edited.html"
    edited.write_bytes(b"edited by a person")
    previous = {"outputs": [
        {"path": "../../victim.txt", "sha256": sha256_bytes(b"keep me")},
        {"path": str(victim), "sha256": sha256_bytes(b"keep me")},
        {"path": "old_report.html", "sha256": sha256_bytes(b"old")},
        {"path": "edited.html", "sha256": sha256_bytes(b"what we wrote")},
    ]}
    run_mod._remove_stale(year, previous, [])
    assert victim.read_text() == "keep me"
    assert not ours.exists()
    assert edited.exists()
    err = capsys.readouterr().err
    assert err.count("outside the output folder") == 2 and "not ours" in err


# ------------------------------------------------------------------ long names, one job's file-system error

def test_long_names_are_cut_by_bytes_with_a_hash():
    a, b = "某" * 200 + "甲", "某" * 200 + "乙"
    for make in (safe_filename, organizer_stem):
        sa, sb = make(a), make(b)
        assert sa != sb
        assert len(sa.encode()) <= STEM_MAX_BYTES and len(f".{sa}_登记表.xlsx.abcdefgh.part".encode()) < 255
    assert safe_filename("芗城区") == "芗城区"


class _FakeExecutor:
    """Runs no kernel: every job 'succeeds' with the files given by ``outputs(job_dict)``."""

    def __init__(self, outputs):
        self.outputs = outputs

    def prepare(self, plan, notebooks, ship=False):
        return {"mode": "same"}

    @staticmethod
    def retryable(exc):
        return False

    def submit(self, job_dict, options):
        future = Future()
        future.set_result({"job_id": job_dict["job_id"], "status": "ok", "error": None, "records": {},
                           "outputs": self.outputs(job_dict), "started": 0, "duration_s": 0.0})
        return future

    def close(self):
        pass

    def abort(self):
        pass


@pytest.fixture(scope="module")
def params():
    from reliefplan.batch.params import check_report_params

    return check_report_params(None, units="350602,350603", include_city=False, jobs=1)


def test_a_file_system_error_fails_that_job_only(params, tmp_path, monkeypatch):
    from dataclasses import replace

    too_long = "长" * 120 + ".html"                       # 360 bytes: ENAMETOOLONG

    def outputs(job):
        if job["job_id"] == "unit-350602":
            return {f"{job['stem']}.ipynb": b"{}", too_long: b"<html>"}
        return {f"{job['stem']}.html": b"<html>ok</html>"}

    monkeypatch.setattr(ex, "make_executor", lambda *a, **k: _FakeExecutor(outputs))
    p = replace(params, out=tmp_path / "out")
    summary = run_mod.run_reports(p, progress=False)
    assert summary.statuses["unit-350602"] == "error" and summary.statuses["unit-350603"] == "ok"
    assert summary.exit_code == 1
    manifest = json.loads((p.year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runs"][-1]["status"] == "failed"
    entry = manifest["jobs"]["unit-350602"]
    assert entry["status"] == "error" and entry["outputs"] == []
    assert "cannot write the report files" in json.dumps(entry, ensure_ascii=False)
    assert not list(p.year_dir.glob("350602_*"))          # nothing half-written is left
    assert not list(p.year_dir.rglob("*.part"))
    assert (p.year_dir / "index.html").exists()


def test_a_second_run_into_the_same_folder_is_refused(params, tmp_path, monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr(ex, "make_executor", lambda *a, **k: pytest.fail("no job may start"))
    p = replace(params, out=tmp_path / "out")
    with folder_lock(p.out):
        with pytest.raises(InputError) as info:
            run_mod.run_reports(p, progress=False)
        assert "another report run is writing to this folder" in info.value.message()
        assert f"pid {os.getpid()}" in info.value.message()
        code, _, err = cli("report", "--out", p.out, "--units", "350602", "--no-city", "--no-progress")
        assert code == 2 and "another report run" in err and "Traceback" not in err
    assert not (p.year_dir / "manifest.json").exists()


def test_out_pointing_at_a_file_exits_2(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("mine")
    code, _, err = cli("report", "--out", target, "--units", "350602", "--no-progress")
    assert code == 2 and "must be a folder" in err and target.read_text() == "mine"


def test_orphan_job_folders_are_removed(tmp_path):
    """A killed run's job folders and its shared parsed inputs (personal data both) go at the next run."""
    dead = tmp_path / f"{ex.JOB_DIR_PREFIX}999999999-abc"
    dead_inputs = tmp_path / f"{ex.JOB_DIR_PREFIX}999999998-inputs-0123456789ab"
    alive = tmp_path / f"{ex.JOB_DIR_PREFIX}{os.getpid()}-abc"
    for d in (dead, dead_inputs, alive):
        d.mkdir()
        (d / "附件.xlsx").write_bytes(b"x")
    assert sorted(ex.remove_orphan_job_dirs(tmp_path)) == [dead_inputs, dead]
    assert not dead.exists() and not dead_inputs.exists() and alive.exists()


# ------------------------------------------------------------------ validate --quarantine

@pytest.fixture
def registry(tmp_path):
    return csv_file(tmp_path / "名单.csv", [HEADER, good_row(), good_row(idn="350602199001011230")])


def test_quarantine_onto_the_input_is_refused(registry):
    before = registry.read_bytes()
    code, _, err = cli("validate", registry, "--quarantine", registry)
    assert code == 2 and "cannot be the registry being checked" in err
    code, _, err = cli("validate", registry, "--quarantine", registry, "--force")
    assert code == 2
    assert registry.read_bytes() == before


def test_quarantine_never_overwrites_another_file_without_force(registry, tmp_path):
    other = tmp_path / "notes.csv"
    other.write_text("my notes\n", encoding="utf-8")
    code, _, err = cli("validate", registry, "--quarantine", other)
    assert code == 2 and "--force" in err and other.read_text(encoding="utf-8") == "my notes\n"
    q = tmp_path / "q.csv"
    assert cli("validate", registry, "--quarantine", q)[0] == 1          # a rejected row: exit 1, written
    assert cli("validate", registry, "--quarantine", q)[0] == 1          # an earlier quarantine: replaced
    assert cli("validate", registry, "--quarantine", other, "--force")[0] == 1
    assert "reason code" in other.read_text(encoding="utf-8-sig").splitlines()[0]
    assert not list(tmp_path.glob(".*.part"))


# ------------------------------------------------------------------ schedule --out

def test_schedule_out_folder_or_unknown_suffix_exits_2(tmp_path):
    for out in (f"{tmp_path}/", str(tmp_path), str(tmp_path / "s.txt")):
        code, _, err = cli("schedule", "--out", out)
        assert code == 2 and "--out" in err and "Traceback" not in err, (out, err)


def test_schedule_out_csv_writes_csv(tmp_path):
    out = tmp_path / "s.csv"
    code, _, err = cli("schedule", "--out", out)
    assert code in (0, 1), err
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"PK")
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("慰问组,") and "身份证号" in header
    assert "********" in data.decode("utf-8-sig")          # masked IDs
    assert not list(tmp_path.glob(".*.part"))


def test_schedule_workbook_leaves_no_part_file_when_interrupted(tmp_path):
    import pandas as pd

    from reliefplan.models import schedule
    from reliefplan.views import schedule_tables

    from reliefplan.core import paths

    plan = {"name": "t", "year": 2027, "calendar": {"working_days": False}, "categories": {"tekun": {}},
            "_files": {"categories": paths.demo_path("categories.csv")},
            "visit_days": {"start": "2027-01-12", "end": "2027-01-12"},
            "teams": [{"name": "一组", "areas": ["350602"], "visits_per_slot": 5}]}
    reg = pd.DataFrame({"person_key": ["a"], "area_code": ["350602001"], "category": ["tekun"], "name": ["张三"],
                        "id_number": ["350602199001011235"]})

    def stop(_name):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        schedule_tables.write_schedule_excel(schedule.build_schedule(plan, reg), tmp_path / "s.xlsx", progress=stop)
    assert list(tmp_path.iterdir()) == []
