"""`reliefplan validate` through a subprocess: summary, masked rejections, quarantine, exit codes."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from malformed_corpus import HEADER, ID_A, ID_B, ID_C, csv_file, good_row, xlsx
from reliefplan.core import paths
pytestmark = pytest.mark.slow

BAD_ID = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")


def run(*args, env=None):
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "reliefplan", "validate", *map(str, args)],
                          capture_output=True, text=True, env=full_env, cwd=paths.REPO_ROOT)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def flawed(tmp_path):
    return csv_file(tmp_path / "flawed.csv", [
        HEADER,
        good_row(area="350602001"),
        good_row(idn=BAD_ID, area="350602001", phone="13912345678"),
        good_row(idn=ID_B, area="350603001", cat="贫困户"),
        good_row(idn=ID_C, area="350602001", income="-1"),
    ])


def test_all_accepted_exit_0(tmp_path):
    path = csv_file(tmp_path / "ok.csv", [HEADER, good_row(area="350602001")])
    code, out, err = run(path)
    assert code == 0, err
    assert "读取 1 行，接收 1 行，退回 0 行" in out and "1 rows read, 1 accepted, 0 rejected" in out


def test_rejections_exit_1_masked_and_quarantined(flawed, tmp_path):
    quarantine = tmp_path / "out" / "rejected.xlsx"
    code, out, err = run(flawed, "--quarantine", quarantine)
    assert code == 1, err
    assert "读取 4 行，接收 1 行，退回 3 行" in out
    assert "第 3 行" in out and "row 3" in out
    assert "身份证号校验位错误" in out and "ID number check character is wrong" in out
    # console output never shows a full ID number or phone
    assert BAD_ID not in out and ID_B not in out and "13912345678" not in out
    assert "350602********" in out
    assert quarantine.exists()
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(quarantine)).get_sheet_by_index(0).to_python()
    assert len(rows) == 1 + 3
    assert BAD_ID in rows[1]  # the quarantine keeps the user's own cells


def test_quarantine_csv_and_limit(flawed, tmp_path):
    quarantine = tmp_path / "rejected.csv"
    code, out, _ = run(flawed, "--quarantine", quarantine, "--limit", "1")
    assert code == 1
    assert "另有 2 行 / 2 more" in out
    back = pd.read_csv(quarantine, dtype=str, encoding="utf-8-sig")
    assert back["原因代码 reason code"].tolist() == ["id_bad_checksum", "unknown_category", "negative_number"]


def test_missing_required_columns_exit_2(tmp_path):
    path = csv_file(tmp_path / "r.csv", [["姓名", "身份证号", "电话"], ["张三", ID_A, "1"]])
    code, out, err = run(path)
    assert code == 2
    assert "缺少必填列" in err and "区划代码(area_code)" in err and "困难类别(category)" in err
    assert "headers found: 姓名, 身份证号, 电话" in err


def test_unreadable_and_missing_files_exit_2(tmp_path):
    code, _, err = run(tmp_path / "none.xlsx")
    assert code == 2 and "file not found" in err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    code, _, err = run(broken)
    assert code == 2 and "cannot open the workbook" in err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, _, err = run(empty)
    assert code == 2 and "the file is empty" in err


def test_wrong_sheet_exit_2(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", [HEADER, good_row()])
    code, _, err = run(path, "--sheet", "Sheet9")
    assert code == 2 and "Sheet9" in err and "名单" in err


def test_default_is_the_demo_registry():
    code, out, err = run()
    assert code == 0, err
    assert "registry.csv" in out


def test_default_missing_demo_registry_exit_2(tmp_path):
    import shutil

    from reliefplan.core.paths import REPO_ROOT

    code, _, err = run(env={"RELIEFPLAN_DATA": str(tmp_path)})
    assert code == 2 and "plan file not found" in err
    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data, ignore=shutil.ignore_patterns("registry.csv", "*.xlsx"))
    code, _, err = run(env={"RELIEFPLAN_DATA": str(data)})
    assert code == 2 and "data.registry" in err and "registry.csv" in err


def test_multi_sheet_workbook_prints_each_sheet_and_names_skipped_ones(tmp_path):
    path = xlsx(tmp_path / "towns.xlsx", [HEADER, good_row(idn=ID_B, area="350602001")], sheet="城关镇",
                extra_sheets=[("说明", [["填表说明：每个乡镇一张表"]]),
                              ("石亭街道", [HEADER, good_row(area="350602001"), good_row(idn=BAD_ID, area="350602001")])])
    code, out, err = run(path)
    assert code == 1, err
    assert "读取 3 行，接收 2 行，退回 1 行" in out
    assert "工作表「石亭街道」(表头第 1 行): 读取 2 行，接收 1 行，退回 1 行" in out
    assert "sheet '城关镇' (header row 1): 1 rows read, 1 accepted, 0 rejected" in out
    assert "工作表「说明」没有名单表头" in out
    assert "工作表「石亭街道」第 3 行" in out and "row 3 of sheet '石亭街道'" in out
