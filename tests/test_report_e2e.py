"""End to end: `reliefplan report` on the demo data, as `make reports` runs it.

One full run (11 counties, the roll-up, the city notebooks) is shared by the
checks on what it produced; the failure, interruption and Dask checks use
small unit subsets.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from reliefplan.batch.files import sha256_file
from reliefplan.batch.job_runner import JOB_DIR_PREFIX
from reliefplan.core.record import read_records

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report_e2e")]

ROOT = Path(__file__).resolve().parents[1]
RUN_ENV = "RELIEFPLAN_BATCH_RUN"


def report_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "reliefplan", "report", "--no-progress", *args]


def run_cli(args, marker: str, timeout=600, **kw):
    env = {**os.environ, RUN_ENV: marker}
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout, **kw)


def manifest_of(year_dir: Path) -> dict:
    return json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))


def kernels_with_marker(marker: str) -> list[int]:
    """PIDs of live processes whose environment carries this run's marker (the run's kernels)."""
    found = []
    needle = f"{RUN_ENV}={marker}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if needle in (proc / "environ").read_bytes() and b"ipykernel" in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def shared_inputs_of_ended_runs() -> list[Path]:
    """Shared parsed-input folders (reliefplan.ingest.shared_store) whose run is no longer running."""
    left = []
    for folder in Path(tempfile.gettempdir()).glob(f"{JOB_DIR_PREFIX}*-inputs-*"):
        pid = int(folder.name[len(JOB_DIR_PREFIX):].split("-", 1)[0])
        if not Path(f"/proc/{pid}").exists():
            left.append(folder)
    return left


@pytest.fixture(scope="module")
def registry():
    from reliefplan.ingest.inputs import PlanInputs

    return PlanInputs().registry


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e") / "reports"
    marker = f"e2e-full-{uuid.uuid4().hex}"
    t0 = time.monotonic()
    proc = run_cli(report_cmd("--out", str(out), "--jobs", "2"), marker)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"out": out, "year_dir": out / "2027", "manifest": manifest_of(out / "2027"), "elapsed": elapsed,
            "stdout": proc.stdout, "marker": marker}


def _text_of(path: Path) -> str:
    """Everything a person could read in an output file (xlsx: all sheet and shared-string XML)."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8")


def test_every_file_in_the_manifest_exists(full_run):
    year_dir, m = full_run["year_dir"], full_run["manifest"]
    jobs = m["jobs"]
    units = [j for j in jobs.values() if j["kind"] == "unit"]
    assert len(units) == 11 and "rollup" in jobs
    city = [j for j in jobs.values() if j["kind"] == "city"]
    assert len(city) == len([n for n in ("01_past_campaigns", "02_budget_model", "03_coverage_map")
                             if (ROOT / "notebooks" / f"{n}.ipynb").exists()])
    for job in jobs.values():
        assert job["status"] == "ok", job
        kinds = {o["kind"] for o in job["outputs"]}
        assert {"html", "ipynb"} <= kinds
        if job["kind"] in ("unit", "rollup"):
            assert sum(o["path"].endswith((".xlsx")) for o in job["outputs"]) == 2    # 汇总表 + 登记表
        for out in job["outputs"]:
            path = year_dir / out["path"]
            assert path.is_file() and sha256_file(path) == out["sha256"], out["path"]
    assert (year_dir / "index.html").is_file() and (full_run["out"] / "index.html").is_file()
    assert [p.name for p in full_run["out"].rglob("*.js")] == ["plotly.min.js"]     # one shared copy
    assert not list(full_run["out"].rglob("*.part"))
    assert m["runs"][-1]["status"] == "complete" and m["demo"] is True
    assert not kernels_with_marker(full_run["marker"])                               # no kernel left behind
    assert not shared_inputs_of_ended_runs()                                        # nor parsed inputs
    print(f"full demo run: {full_run['elapsed']:.1f} s")


def test_rollup_equals_the_sum_of_the_unit_reports(full_run):
    year_dir, jobs = full_run["year_dir"], full_run["manifest"]["jobs"]
    unit_totals = {}
    for job in jobs.values():
        if job["kind"] == "unit":
            ipynb = next(year_dir / o["path"] for o in job["outputs"] if o["kind"] == "ipynb")
            unit_totals[job["unit_code"]] = read_records(ipynb)["total_fen"]    # read back from the notebooks
    rollup = jobs["rollup"]["records"]
    assert rollup["reconciled"] is True and rollup["missing_units"] == [] and rollup["mismatched"] == []
    assert rollup["city_total_fen"] == sum(unit_totals.values()) == rollup["sum_of_units_fen"]
    html = (year_dir / next(o["path"] for o in jobs["rollup"]["outputs"] if o["kind"] == "html")).read_text()
    assert "汇总合计与各单位报告合计完全一致, 精确到分" in html
    index = (year_dir / "index.html").read_text()
    assert "汇总与各单位合计一致(精确到分)" in index


def test_outputs_hold_no_full_id_or_phone_number(full_run, registry):
    ids = set(registry["id_number"])
    phones = {p for p in registry["phone"].dropna() if len(p) == 11}
    id_like = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
    phone_like = re.compile(r"(?<!\d)1\d{10}(?!\d)")
    checked = 0
    for path in full_run["year_dir"].iterdir():
        if path.suffix not in (".html", ".xlsx", ".ipynb"):   # the audit notebooks too
            continue
        text = _text_of(path)
        leaked_ids = set(id_like.findall(text)) & ids
        leaked_phones = set(phone_like.findall(text)) & phones
        assert not leaked_ids and not leaked_phones, (path.name, list(leaked_ids)[:3], list(leaked_phones)[:3])
        checked += 1
    assert checked >= 11 * 4


def test_each_unit_report_holds_only_its_own_people(full_run, registry):
    keys_by_unit = registry.groupby(registry["area_code"].str[:6])["person_key"].apply(set).to_dict()
    for job in full_run["manifest"]["jobs"].values():
        if job["kind"] != "unit":
            continue
        own = keys_by_unit[job["unit_code"]]
        others = set().union(*(k for code, k in keys_by_unit.items() if code != job["unit_code"])) - own
        for out in job["outputs"]:
            if out["kind"] in ("html", "xlsx"):
                text = _text_of(full_run["year_dir"] / out["path"])
                found = {k for k in re.findall(r"[0-9a-f]{16}", text)}
                assert not (found & others), (out["path"], list(found & others)[:3])
                assert found & own or out["path"].endswith("_汇总表.xlsx")     # the unit's own list is there


def test_reports_open_offline_in_chromium_and_draw_their_charts(full_run):
    from browser_support import artifact, chromium, open_report

    year_dir = full_run["year_dir"]
    jobs = full_run["manifest"]["jobs"]
    pages = [next(o["path"] for o in jobs[j]["outputs"] if o["kind"] == "html") for j in ("unit-350602", "rollup")]
    with chromium() as browser:
        for name in pages:
            r = open_report(browser, year_dir / name)
            r["page"].screenshot(path=str(artifact(f"report_{Path(name).stem}.png")), full_page=False)
            assert r["blocked"] == [] and r["errors"] == [], (name, r["blocked"], r["errors"])
            assert r["divs"] >= 5 and r["drawn"] == r["divs"] and r["marks"] > 50, (name, r)
            assert "示例数据，人员均为虚构" in r["page"].inner_text("header")
            r["page"].close()


def test_resume_skips_every_unchanged_report(full_run):
    year_dir = full_run["year_dir"]
    def reports():
        return {p.name: p.stat().st_mtime_ns for p in year_dir.iterdir()
                if p.suffix in (".html", ".xlsx", ".ipynb") and p.name != "index.html"}

    before = reports()
    proc = run_cli(report_cmd("--out", str(full_run["out"]), "--resume"), f"e2e-resume-{uuid.uuid4().hex}")
    assert proc.returncode == 0, proc.stderr
    m = manifest_of(year_dir)
    assert all(j["skipped"] for j in m["jobs"].values())
    assert reports() == before


@pytest.fixture()
def breaking_cli(tmp_path):
    """A CLI run in which unit 350603 gets a year that does not match the plan (a test-only hook)."""
    script = tmp_path / "broken.py"
    script.write_text(
        "import sys, dataclasses\n"
        "import reliefplan.batch.run as run\n"
        "real = run.build_jobs\n"
        "def build_jobs(*a, **k):\n"
        "    return [dataclasses.replace(j, parameters={**j.parameters, 'year': 2026})\n"
        "            if j.unit_code == '350603' else j for j in real(*a, **k)]\n"
        "run.build_jobs = build_jobs\n"
        "from reliefplan.cli import main\n"
        "if __name__ == '__main__':\n"
        "    sys.exit(main(sys.argv[1:]))\n", encoding="utf-8")
    return script


def test_a_broken_unit_fails_alone(tmp_path, breaking_cli):
    out = tmp_path / "reports"
    marker = f"e2e-broken-{uuid.uuid4().hex}"
    proc = run_cli([sys.executable, str(breaking_cli), "report", "--no-progress", "--out", str(out), "--units",
                    "350602,350603", "--no-city", "--jobs", "2"], marker)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    year_dir = out / "2027"
    jobs = manifest_of(year_dir)["jobs"]
    bad, good = jobs["unit-350603"], jobs["unit-350602"]
    assert bad["status"] == "failed" and good["status"] == "ok" and jobs["rollup"]["status"] == "ok"
    assert bad["error"]["ename"] == "ConfigError" and "2026" in bad["error"]["evalue"]
    assert "load_context" in bad["error"]["cell_source"] and bad["error"]["cell_index"] is not None
    assert [o["path"] for o in bad["outputs"]] == ["failed/350603_龙文区.ipynb"]
    assert (year_dir / "failed" / "350603_龙文区.ipynb").is_file()
    assert not list(year_dir.glob("350603_*"))                      # no report for the failed unit
    assert (year_dir / "350602_芗城区.html").is_file()
    assert "350603" in jobs["rollup"]["records"]["missing_units"]
    index = (year_dir / "index.html").read_text()
    assert "失败" in index and "ConfigError" in index
    assert "失败 failed: unit-350603" in proc.stdout


def test_an_interrupted_run_leaves_no_partial_report(tmp_path):
    out = tmp_path / "reports"
    year_dir = out / "2027"
    marker = f"e2e-interrupt-{uuid.uuid4().hex}"
    proc = subprocess.Popen(report_cmd("--out", str(out), "--units", "350602,350603,350604,350605", "--no-city",
                                       "--jobs", "1"), cwd=ROOT, env={**os.environ, RUN_ENV: marker},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:       # wait until one unit is done and the next is running
            try:
                jobs = manifest_of(year_dir)["jobs"]
            except (OSError, ValueError):
                jobs = {}
            if any(j.get("status") == "ok" for j in jobs.values()):
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stdout + stderr
    m = manifest_of(year_dir)
    assert m["runs"][-1]["status"] == "interrupted"
    statuses = {k: j["status"] for k, j in m["jobs"].items()}
    assert "ok" in statuses.values() and "interrupted" in statuses.values()
    listed = {o["path"] for j in m["jobs"].values() if j["status"] == "ok" for o in j["outputs"]}
    for path in year_dir.rglob("*"):
        if path.suffix in (".html", ".ipynb", ".xlsx") and path.parent == year_dir and path.name != "index.html":
            assert path.name in listed, f"{path.name} on disk but not a finished report"
    for job in m["jobs"].values():
        for o in job["outputs"]:
            assert sha256_file(year_dir / o["path"]) == o["sha256"]
        if job["status"] == "interrupted":
            assert not job["outputs"]
    assert not list(out.rglob("*.part"))
    assert "中断" in (year_dir / "index.html").read_text()
    time.sleep(2)
    assert not kernels_with_marker(marker)
    assert not shared_inputs_of_ended_runs()


def test_dask_executor_on_a_local_cluster(tmp_path):
    from distributed import LocalCluster

    from reliefplan.batch.params import check_report_params
    from reliefplan.batch.run import run_reports

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        params = check_report_params(None, units="350605,350626", out=tmp_path / "reports", jobs=2,
                                     executor="dask", scheduler=cluster.scheduler_address, include_city=False)
        summary = run_reports(params, progress=False)
    assert summary.exit_code == 0, summary.statuses
    m = manifest_of(tmp_path / "reports" / "2027")
    assert {k: j["status"] for k, j in m["jobs"].items()} == {"unit-350605": "ok", "unit-350626": "ok",
                                                               "rollup": "ok"}
    assert m["runs"][-1]["parameters"]["executor"] == "dask"
    assert (tmp_path / "reports" / "2027" / "350626_东山县.html").is_file()
    rec = m["jobs"]["rollup"]["records"]
    assert sorted(set(rec["missing_units"])) == sorted(set(params.all_units["code"]) - {"350605", "350626"})


RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")
BAD_WORDS = re.compile(r"\b(NaN|None|True|False|nan)\b")


def test_reports_read_like_documents_in_chromium(full_run):
    """Every report, opened offline: 摘要 first, no NaN/None/True/False or raw keys, no cut tables, no chart
    labels over each other, fitted map."""
    from browser_support import artifact, chromium, label_overlaps, open_report

    year_dir = full_run["year_dir"]
    pages = sorted(next(o["path"] for o in job["outputs"] if o["kind"] == "html")
                   for job in full_run["manifest"]["jobs"].values())
    assert len(pages) == 15
    with chromium() as browser:
        for name in pages:
            r = open_report(browser, year_dir / name)
            page = r["page"]
            text = page.inner_text("body")
            assert r["blocked"] == [] and r["errors"] == [], (name, r["blocked"], r["errors"])
            assert not BAD_WORDS.findall(text), (name, BAD_WORDS.findall(text)[:5])
            # plan keys quoted as <code> in the notes are documentation, not data; the package name is a name
            prose = page.evaluate("""() => { const b = document.body.cloneNode(true);
                b.querySelectorAll('script, style, code, details:not([open]) > :not(summary)').forEach(e => e.remove());
                return b.innerText; }""")
            keys = [k for k in RAW_KEY.findall(prose) if k not in ("chinese_calendar",)]
            assert not keys, (name, keys[:5])
            assert not re.search(r"\d+ rows × \d+ columns|…\s*\n", text), name
            assert not label_overlaps(page), (name, label_overlaps(page)[:3])
            first_h2 = page.evaluate("() => document.querySelector('h2').textContent")
            assert first_h2.startswith(("摘要", "Summary")), (name, first_h2)
            # findings come from the data: at least one, however few rules fire (02 under a plan with no cap)
            assert page.evaluate("() => document.querySelectorAll('ol.rp-findings li').length") >= 1, name
            assert page.evaluate("() => document.querySelectorAll('table.rp-table').length") >= 1, name
            assert "年" in page.inner_text("header time") and "T" not in page.inner_text("header time")
            if name.startswith(("350600", "03_")):
                # the coverage map: its colour bar spans the data, so the counties do not all look alike
                fills = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd =>
                    (gd.data || []).filter(t => t.fill === 'toself').map(t => t.fillcolor))""")
                scale = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd =>
                    (gd.data || []).filter(t => t.marker && t.marker.showscale && t.marker.cmin !== undefined)
                    .map(t => [t.marker.cmin, t.marker.cmax]))""")
                assert len(set(fills)) >= 4 and scale and scale[0][0] > 0, (name, set(fills), scale)
            if name.startswith("350602"):
                page.screenshot(path=str(artifact("report_350602_summary.png")))
                assert "龙文区慰问组" not in text                                  # only the unit's own team
            page.close()


def test_a_unit_report_prints_to_a4_pdf_with_cjk_text(full_run):
    """One print (the demo county): a sensible page count, page numbers, extractable Chinese, fonts embedded."""
    import io

    import pypdf
    from browser_support import require_chromium

    from reliefplan.batch.pdf import html_to_pdf

    require_chromium()
    year_dir = full_run["year_dir"]
    t0 = time.monotonic()
    data = html_to_pdf((year_dir / "350602_芗城区.html").read_text(encoding="utf-8"), year_dir / "plotly.min.js")
    elapsed = time.monotonic() - t0
    reader = pypdf.PdfReader(io.BytesIO(data))
    n = len(reader.pages)
    assert 4 <= n <= 10, n
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2     # A4 portrait, in points
    # The text copies and searches as the characters shown: no radical look-alikes (⼈ for 人, ⻅ for 见)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert not [c for c in text if 0x2E80 <= ord(c) < 0x2FE0], sorted({c for c in text if 0x2E80 <= ord(c) < 0x2FE0})
    assert "人员均为虚构" in text and "民政局" in text and "应慰未慰" in text and "户" in text and "戶" not in text
    assert "芗城区" in text and "摘要" in text and "示例数据" in text and f"1 / {n}" in text and f"{n} / {n}" in text
    fonts = [f.get_object() for p in reader.pages for f in (p["/Resources"].get("/Font") or {}).values()]
    descendants = [d.get_object() for f in fonts for d in f.get("/DescendantFonts", [])]
    assert any("/FontFile2" in d["/FontDescriptor"] or "/FontFile3" in d["/FontDescriptor"] for d in descendants)
    print(f"PDF of the demo county: {n} pages, {len(data) / 1e6:.1f} MB, {elapsed:.1f} s")


def test_report_pdf_flag_adds_a_pdf_per_report(tmp_path):
    from browser_support import require_chromium

    require_chromium()
    out = tmp_path / "reports"
    proc = run_cli(report_cmd("--out", str(out), "--units", "350626", "--no-city", "--jobs", "2", "--pdf"),
                   f"e2e-pdf-{uuid.uuid4().hex}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    year_dir = out / "2027"
    jobs = manifest_of(year_dir)["jobs"]
    for job in jobs.values():
        pdfs = [o for o in job["outputs"] if o["kind"] == "pdf"]
        assert len(pdfs) == 1 and (year_dir / pdfs[0]["path"]).read_bytes()[:5] == b"%PDF-", job["job_id"]
    assert "打印版" in (year_dir / "index.html").read_text(encoding="utf-8")
