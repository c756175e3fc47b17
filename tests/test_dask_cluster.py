"""`reliefplan report --executor dask --scheduler tcp://...` against a real Dask cluster on 127.0.0.1.

A `dask scheduler` and two `dask worker` processes are started as a person
would on real machines (README: the three commands). The batch is small (two
counties and the roll-up); the inputs are shipped to the workers
(``--ship-inputs``), one worker is killed while the batch runs and its job is
done by the other, and a client killed mid-run is followed by ``--resume``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask_cluster")]

ROOT = Path(__file__).resolve().parents[1]
DASK = str(Path(sys.executable).parent / "dask")
UNITS = "350626,350629"


def _start(args, log: Path) -> subprocess.Popen:
    return subprocess.Popen([DASK, *args], stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True, env=os.environ.copy())


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture()
def cluster(tmp_path):
    sched_file = tmp_path / "scheduler.json"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(sched_file)], tmp_path / "scheduler.log")]
    deadline = time.monotonic() + 120
    while not sched_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sched_file.exists(), (tmp_path / "scheduler.log").read_text()
    address = json.loads(sched_file.read_text())["address"]
    workers = [_start(["worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard",
                       "--local-directory", str(tmp_path / f"w{i}")], tmp_path / f"worker{i}.log")
               for i in range(2)]
    procs += workers
    try:
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield {"address": address, "workers": workers}
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _report(address, out, *extra):
    return [sys.executable, "-m", "reliefplan", "report", "--executor", "dask", "--scheduler", address,
            "--units", UNITS, "--no-city", "--out", str(out), "--ship-inputs", "--progress-lines", *extra]


def test_report_on_a_real_cluster_survives_a_lost_worker_and_a_dead_client(cluster, tmp_path):
    out = tmp_path / "reports"
    manifest = out / "2027" / "manifest.json"
    proc = subprocess.Popen(_report(cluster["address"], out), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        # the client dies as soon as one report is written; its manifest says what is done
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline and proc.poll() is None:
            jobs = json.loads(manifest.read_text(encoding="utf-8"))["jobs"] if manifest.exists() else {}
            if any(j.get("status") == "ok" for j in jobs.values()):
                break
            time.sleep(0.3)
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    done = {k for k, j in json.loads(manifest.read_text(encoding="utf-8"))["jobs"].items() if j["status"] == "ok"}
    assert done, "no report finished before the client was killed"

    # one worker is lost while the resumed run goes on: its job is done by the other worker
    proc = subprocess.Popen(_report(cluster["address"], out, "--resume"), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    os.killpg(cluster["workers"][0].pid, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stdout + stderr
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert lines and lines[-1]["done"] == lines[-1]["total"] == 3 and lines[-1]["failed"] == 0
    assert {ln["job"] for ln in lines if ln["skipped"]} == done
    m = json.loads(manifest.read_text(encoding="utf-8"))
    assert {k: j["status"] for k, j in m["jobs"].items()} == {"unit-350626": "ok", "unit-350629": "ok",
                                                               "rollup": "ok"}
    assert (out / "2027" / "350626_东山县.html").is_file() and (out / "2027" / "index.html").is_file()
    rec = m["jobs"]["rollup"]["records"]
    assert rec["sum_of_units_fen"] == sum(m["jobs"][f"unit-{c}"]["records"]["total_fen"] for c in UNITS.split(","))
    # the workers ran the shipped copies of the plan, not the client's files
    ipynb = next(o["path"] for o in m["jobs"]["rollup"]["outputs"] if o["kind"] == "ipynb")
    assert "reliefplan-inputs" in (out / "2027" / ipynb).read_text(encoding="utf-8")
