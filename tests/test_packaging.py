"""dutybound as a distribution: one import package, and the bundled law travels inside it.

The wheel is built from the checkout and installed outside it; the installed package, run from a
folder that is not the checkout, must give the same evaluation, byte for byte, as the reviewed
golden output. This is what `pip install .` on an operator's machine relies on: the rule pack,
the vendor registry, the templates and the migrations found through the package, not the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
NOT_SHIPPED = (".git", ".venv", "build", "out", "*.egg-info", "__pycache__", ".*_cache")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # built from a copy: setuptools keeps a build/ folder whose stale files would enter the wheel
    source = tmp_path_factory.mktemp("source") / "dutybound"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SHIPPED))
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=out,
    )
    assert build.returncode == 0, build.stderr
    (path,) = out.glob("dutybound-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a folder of its own (its dependencies come from this venv)."""
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return target


def test_the_wheel_holds_exactly_one_top_level_import_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
        names = archive.namelist()
    dist_info = [t for t in tops if t.endswith(".dist-info")]
    assert tops == {"dutybound", *dist_info} and len(dist_info) == 1
    # the law, the registry, the templates and the migrations are inside the package
    for expected in (
        "dutybound/jurisdictions/rulepack.yaml",
        "dutybound/jurisdictions/gb/instruments/2022-10-13-huawei-designated-vendor-direction.yaml",
        "dutybound/registry/vendors.yaml",
        "dutybound/templates/report.html.j2",
        "dutybound/templates/i18n/cs.yaml",
        "dutybound/engine/store/migrations/env.py",
    ):
        assert expected in names, expected
    assert not [n for n in names if "__pycache__" in n or n.startswith("dutybound/tests")]


def test_the_installed_package_evaluates_and_reports_from_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}
    example = ROOT / "examples" / "cz-energy"
    where = subprocess.run(
        [sys.executable, "-c", "import dutybound; print(dutybound.__file__)"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=60,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed), where.stdout + where.stderr
    common = [
        "--profile",
        str(example / "profile.yaml"),
        "--assets",
        str(example / "assets.csv"),
        "--as-of",
        "2019-02-01",
        "--no-store",
    ]
    evaluated = subprocess.run(
        [sys.executable, "-m", "dutybound", "evaluate", *common, "--format", "json"],
        capture_output=True,
        cwd=elsewhere,
        env=env,
        timeout=120,
    )
    assert evaluated.returncode == 0, evaluated.stderr.decode()
    assert evaluated.stdout == (GOLDEN / "cz-energy-2019-02-01.json").read_bytes()
    pdf = elsewhere / "cz.pdf"
    reported = subprocess.run(
        [sys.executable, "-m", "dutybound", "report", *common, "--out", str(pdf)],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=180,
    )
    assert reported.returncode == 0, reported.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")
