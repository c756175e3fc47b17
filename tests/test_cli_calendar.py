"""`reliefplan calendar YEAR EXPRESSION` through the installed command."""

import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("reliefplan")
pytestmark = pytest.mark.slow


def run(*args):
    return subprocess.run([str(CLI), "calendar", *args], capture_output=True, text=True, timeout=60)


def test_new_years_eve_2027():
    r = run("2027", "除夕")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "2027-02-05"
    assert "腊月廿九" in lines[1] and "星期五" in lines[1] and "Friday" in lines[1]


@pytest.mark.parametrize("args, first", [
    (("2027", "小年"), "2027-01-30"),
    (("2027", "元宵"), "2027-02-20"),
    (("2027", "除夕-10天"), "2027-01-26"),
    (("2027", "除夕", "-", "10", "天"), "2027-01-26"),   # spaces in the expression
    (("2026", "春节"), "2026-02-17"),
    (("2024", "腊月三十"), "2024-02-09"),               # 2024's 腊月 has 30 days
    (("2020", "闰四月初一"), "2020-05-23"),
])
def test_expressions(args, first):
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == first


def test_nonexistent_date_exits_2():
    # 腊月 before 春节 2025 has 29 days: 除夕 2025-01-28 is 腊月廿九, no 腊月三十.
    r = run("2025", "腊月三十")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "只有29天" in r.stderr and "29 days" in r.stderr and "除夕" in r.stderr


@pytest.mark.parametrize("args", [("2027", "明天"), ("2027", "2027-02-30"), ("3000", "春节")])
def test_unusable_input_exits_2(args):
    r = run(*args)
    assert r.returncode == 2 and "错误 error" in r.stderr


def test_festival_list_without_expression():
    r = run("2027")
    assert r.returncode == 0
    for text in ("2027-01-30  小年", "2027-02-05  除夕", "2027-02-06  春节", "2027-02-20  元宵"):
        assert text in r.stdout


def test_deadline_moves_off_a_holiday():
    r = run("2026", "2026-10-01", "--deadline")
    assert r.returncode == 0
    assert "2026-09-30" in r.stdout and "国庆节" in r.stdout
    r = run("2027", "元宵", "--deadline")
    assert "2027-02-19" in r.stdout and "不在官方节假日数据范围" in r.stdout
