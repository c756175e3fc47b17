"""``pip install`` of a built wheel (not editable) finds its notebooks, templates and demo data.

A bureau installs reliefplan on an offline machine from a wheel; this builds one
from a copy of the source tree, installs it into a fresh venv (dependencies seen
through a path file, so nothing is downloaded), and runs verbs and a report from
a folder outside the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache"}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


def _copy_source(dest: Path) -> Path:
    def ignore(folder, names):
        top = Path(folder) == ROOT
        return [n for n in names if n in SKIP_DIRS or n.endswith(".egg-info") or (top and n == "reports")]
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = _copy_source(tmp / "src")
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(src)], check=True)
    wheel = next(dist.glob("reliefplan-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_dir = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip())
    # nbconvert's templates are data files of that venv's nbconvert; a real install puts them in the same prefix.
    (venv / "share" / "jupyter").mkdir(parents=True)
    (venv / "share" / "jupyter" / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    # --ignore-installed: pip must not uninstall the running venv's editable reliefplan (other tests use it).
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "-q",
                    "--prefix", str(venv), str(wheel)], check=True)
    # The test venv's dependencies, without its editable reliefplan (a path file's folders are not site dirs,
    # so the editable install's own .pth there is not read).
    (site_dir / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    work = tmp / "work"
    work.mkdir()
    return python, work, wheel


def _run(python: Path, cwd: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"}
    return subprocess.run([str(python), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)


def test_the_wheel_carries_notebooks_templates_and_demo_data(installed):
    _, _, wheel = installed
    import zipfile
    names = zipfile.ZipFile(wheel).namelist()
    committed = [p for p in (ROOT / "notebooks").glob("*.ipynb")]
    committed += [p for p in (ROOT / "data").rglob("*") if p.is_file() and "scripts" not in p.parts]
    for path in committed:
        rel = path.relative_to(ROOT).as_posix()
        assert any(n.endswith(f".data/data/share/reliefplan/{rel}") for n in names), f"{rel} missing from the wheel"
    assert any("reliefplan/app_template/" in n for n in names)


def test_installed_package_resolves_its_files_outside_the_checkout(installed):
    python, work, _ = installed
    code = ("import reliefplan, reliefplan.core.paths as p; "
            "print(reliefplan.__file__); print(p.notebooks_dir()); print(p.demo_plan_path()); print(p.installed())")
    proc = _run(python, work, "-c", code)
    assert proc.returncode == 0, proc.stderr
    module, notebooks, plan, installed_flag = proc.stdout.split("\n")[:4]
    assert str(ROOT) not in module and str(ROOT) not in notebooks
    assert Path(notebooks, "10_unit_report.ipynb").is_file()
    assert Path(plan).is_file() and installed_flag == "True"


def test_installing_the_wheel_left_the_test_venv_alone(installed):
    assert Path(sys.executable).with_name("reliefplan").exists()
    proc = subprocess.run([sys.executable, "-c", "import reliefplan; print(reliefplan.__file__)"],
                          capture_output=True, text=True, check=True)
    assert "share/reliefplan" not in proc.stdout and "wheel" not in proc.stdout


def test_installed_package_runs_verbs_and_a_report(installed):
    python, work, _ = installed
    budget = _run(python, work, "-m", "reliefplan", "budget")
    assert budget.returncode in (0, 1), budget.stderr  # 1: the demo's cost exceeds its cap, by design
    assert "合计" in budget.stdout or "Total" in budget.stdout
    report = _run(python, work, "-m", "reliefplan", "report", "--units", "350602", "--no-city", "--jobs", "1",
                  "--no-progress", "--out", "out")
    assert report.returncode == 0, report.stdout[-3000:] + report.stderr[-3000:]
    html = list((work / "out").rglob("350602*.html"))
    assert html and "芗城区" in html[0].read_text(encoding="utf-8")
