"""HTML export, atomic files, manifest, index and resume fingerprints (no kernels)."""

from __future__ import annotations

import json
import os
import re

import plotly.express as px
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from reliefplan.batch import files, html, index, manifest, resume
from reliefplan.batch.jobs import Job
from reliefplan.core.record import MIME as RECORD_MIME


def executed_notebook():
    """A hand-built 'executed' notebook: code, a plotly figure, stderr, a record and a widget view."""
    fig = px.bar(x=["低保户", "孤儿"], y=[3, 4], title="图表标题")
    nb = new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    code = new_code_cell("SECRET_CODE_TEXT = 1\nfig.show()")
    code.outputs = [
        new_output("display_data", data={"application/vnd.plotly.v1+json": fig.to_plotly_json(), "text/plain": "Figure"}),
        new_output("stream", name="stderr", text="FutureWarning: noisy\n"),
        new_output("stream", name="stdout", text="visible 输出\n"),
        new_output("display_data", data={RECORD_MIME: {"key": "total_fen", "value": 5}}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                                         "text/plain": "VBox()"}),
        new_output("display_data", data={"text/html": "<script src=\"https://cdn.plot.ly/plotly-3.0.min.js\"></script>"
                                                      "<script>require.undef(\"plotly\")</script>"}),
    ]
    nb.cells = [new_markdown_cell("## 小标题"), code]
    return nb


@pytest.fixture(scope="module")
def report_html():
    return html.export_html(executed_notebook(), title="芗城区 报告", lang="zh", demo=True,
                            parameters={"unit_code": "350602", "year": 2027, "attachments_dir": "/tmp/x"},
                            input_hashes={"registry (registry.csv)": "ab" * 32}, version="0.1.0+abc",
                            generated="2027-01-01T00:00:00+08:00")


def test_html_hides_code_and_prompts(report_html):
    assert "SECRET_CODE_TEXT" not in report_html
    assert 'class="jp-InputPrompt' not in report_html and 'class="jp-OutputPrompt' not in report_html
    assert "visible 输出" in report_html and "小标题" in report_html


def test_html_charts_use_one_local_plotly_js(report_html):
    assert re.findall(r'<script[^>]*\ssrc="([^"]+)"', report_html) == ["plotly.min.js"]
    assert "Plotly.newPlot" in report_html and json.dumps("图表标题")[1:-1] in report_html
    assert "cdn.plot.ly" not in report_html and "require.undef" not in report_html
    assert not re.search(r"https?://[^\s\"']*\.(js|css)", report_html)   # no CDN script or style at all
    assert len(report_html) < 1_000_000                                   # plotly.js not inlined


def test_html_drops_noise(report_html):
    assert "FutureWarning" not in report_html
    assert RECORD_MIME not in report_html and "VBox()" not in report_html
    assert "widget-state" not in report_html


def test_html_header_stamp(report_html):
    assert "示例数据，人员均为虚构" in report_html
    assert "350602" in report_html and "2027" in report_html
    assert "ab" * 32 in report_html and "0.1.0+abc" in report_html and "2027-01-01T00:00:00+08:00" in report_html
    assert "2027年1月1日 00:00" in report_html     # the stamp in Beijing time
    assert "/tmp/x" not in report_html           # the runner's collection folder is not a parameter to show
    assert "Noto Sans CJK SC" in report_html     # CJK font stack
    assert '<html lang="zh"' in report_html


def test_html_escapes_user_text():
    out = html.header_html(title="<script>alert(1)</script>", parameters={"unit_name": "\"><img onerror=x>"})
    assert "<script>alert" not in out and "<img" not in out


def test_copy_plotly_js(tmp_path):
    target = html.copy_plotly_js(tmp_path)
    assert target.name == "plotly.min.js" and target.stat().st_size > 1_000_000
    mtime = target.stat().st_mtime_ns
    html.copy_plotly_js(tmp_path)                 # unchanged: not rewritten
    assert target.stat().st_mtime_ns == mtime


def test_atomic_write_leaves_old_file_or_new(tmp_path):
    path = tmp_path / "r.html"
    files.atomic_write_text(path, "old")

    # an interruption while writing leaves the old file and no temporary file
    import reliefplan.batch.files as f
    real = os.fdopen
    try:
        f.os.fdopen = lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            files.atomic_write_text(path, "new")
    finally:
        f.os.fdopen = real
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    files.atomic_write_text(path, "new")
    assert path.read_text() == "new"


def test_remove_stale_parts(tmp_path):
    (tmp_path / ".a.html.123.part").write_text("half")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".b.xlsx.1.part").write_text("half")
    (tmp_path / "keep.html").write_text("x")
    removed = files.remove_stale_parts(tmp_path)
    assert len(removed) == 2 and [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["keep.html"]


def job(**kw):
    base = dict(job_id="unit-350602", kind="unit", notebook="10_unit_report.ipynb",
                parameters={"unit_code": "350602", "year": 2027, "lang": "zh"}, stem="350602_芗城区",
                title="芗城区 报告", title_en="Xiangcheng report", unit_code="350602")
    base.update(kw)
    return Job(**base)


def test_fingerprint_changes_with_inputs_parameters_and_code():
    inputs = {"plan (p.yaml)": "1" * 64}
    fp = resume.fingerprint(job(), inputs, "0.1.0+a")
    assert fp == resume.fingerprint(job(), dict(inputs), "0.1.0+a")
    assert fp != resume.fingerprint(job(parameters={"unit_code": "350602", "year": 2027, "lang": "en"}), inputs, "0.1.0+a")
    assert fp != resume.fingerprint(job(), {"plan (p.yaml)": "2" * 64}, "0.1.0+a")
    assert fp != resume.fingerprint(job(), inputs, "0.1.0+b")
    # the runner's collection folder is not an input
    assert fp == resume.fingerprint(job(parameters={"unit_code": "350602", "year": 2027, "lang": "zh",
                                                    "attachments_dir": "/tmp/q"}), inputs, "0.1.0+a")


def test_code_version_and_input_hashes():
    from reliefplan.ingest.plan import load_plan

    version = resume.code_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", version)
    hashes = resume.input_hashes(load_plan())
    assert "plan (plan_2027.yaml)" in hashes and "registry (registry.csv)" in hashes
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes.values())


def test_can_skip_needs_ok_same_fingerprint_and_intact_files(tmp_path):
    data = b"<html></html>"
    (tmp_path / "a.html").write_bytes(data)
    entry = {"status": "ok", "fingerprint": "F",
             "outputs": [{"path": "a.html", "sha256": files.sha256_bytes(data)}]}
    assert resume.can_skip(entry, "F", tmp_path)
    assert not resume.can_skip(entry, "G", tmp_path)
    assert not resume.can_skip({**entry, "status": "failed"}, "F", tmp_path)
    assert not resume.can_skip(None, "F", tmp_path)
    (tmp_path / "a.html").write_bytes(b"edited by hand")
    assert not resume.can_skip(entry, "F", tmp_path)


def test_manifest_round_trip_and_corrupt_file(tmp_path):
    m = manifest.empty_manifest()
    result = {"started": 1_700_000_000, "duration_s": 1.5, "error": None, "records": {"total_fen": 5},
              "worker": {"pid": 1}}
    m["jobs"]["unit-350602"] = manifest.job_entry(
        job(parameters={"unit_code": "350602", "attachments_dir": "/tmp/q"}), status="ok", fingerprint="F",
        inputs={}, code="v", outputs=[{"path": "a.html"}], result=result)
    manifest.write_manifest(tmp_path, m)
    back = manifest.load_manifest(tmp_path)
    entry = back["jobs"]["unit-350602"]
    assert entry["status"] == "ok" and entry["records"] == {"total_fen": 5}
    assert "attachments_dir" not in entry["parameters"]
    (tmp_path / "manifest.json").write_text("{not json")
    assert manifest.load_manifest(tmp_path)["jobs"] == {}


def test_index_lists_reports_badges_errors_and_rollup_figures():
    m = manifest.empty_manifest()
    m.update(plan_name="漳州市<示例>", demo=True, generated="2027-01-01T00:00:00+08:00", code_version="v")
    m["jobs"] = {
        "unit-350602": {"kind": "unit", "unit_code": "350602", "title": "芗城区", "status": "ok", "duration_s": 2,
                        "outputs": [{"path": "350602_芗城区.html"}, {"path": "350602_芗城区_汇总表.xlsx"}]},
        "unit-350603": {"kind": "unit", "unit_code": "350603", "title": "龙文区", "status": "failed",
                        "error": {"ename": "ValueError", "evalue": "<b>bad</b>", "cell_index": 3,
                                  "cell_source": "rs.show(x)"}, "outputs": []},
        "rollup": {"kind": "rollup", "title": "汇总", "status": "ok", "outputs": [{"path": "350600_汇总.html"}],
                   "records": {"city_total_fen": 123456789, "units_total": 11, "reconciled": True}},
    }
    page = index.render_index(m, "zh")
    assert 'href="350602_%E8%8A%97%E5%9F%8E%E5%8C%BA.html"' in page     # links, URL-quoted
    assert "350602_芗城区_汇总表.xlsx" in page and "350600_汇总.html" in page
    assert "完成" in page and "失败" in page and "ValueError" in page and "#3" in page
    assert "<b>bad</b>" not in page and "&lt;b&gt;bad&lt;/b&gt;" in page
    assert "漳州市&lt;示例&gt;" in page
    assert "1,234,567.89" in page and "精确到分" in page
    assert "示例数据，人员均为虚构" in page and "生成时间: <time datetime=\"2027-01-01T00:00:00+08:00\">2027年1月1日 00:00</time>" in page
    assert "<script" not in page


def test_generation_time_is_written_in_beijing_time():
    from reliefplan.batch.html import beijing_time

    assert beijing_time("2027-01-05T02:32:10+00:00") == "2027年1月5日 10:32"
    assert beijing_time("2027-01-05T02:32:10") == "2027年1月5日 10:32"           # no zone: UTC
    assert beijing_time("2027-01-05T10:32:00+08:00", "en") == "5 Jan 2027 10:32 (Beijing time, UTC+8)"
    assert beijing_time("") == "" and beijing_time("not a time") == "not a time"
