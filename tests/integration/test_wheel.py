"""lotscan built as a wheel and installed outside the checkout works: settings example, demo,
device profiles and labels all come from the package data, and `lotscan bench` says where the
benchmarks are.

The wheel is built without build isolation (setuptools comes with the test extras) and installed
with --no-deps into a fresh virtualenv that borrows this environment's site-packages for the
dependencies, so the test needs no network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv (in a temporary folder) with only the lotscan wheel installed in it."""
    where = tmp_path_factory.mktemp("wheel")
    # build from a copy: an in-tree build keeps build/lib between runs, stale modules included
    source = where / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    dist = where / "dist"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"),
            *("-w", str(dist), str(source)),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("lotscan-*.whl")
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # the dependencies: this environment's site-packages, after the venv's own (so lotscan is the wheel's)
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "lotscan-test-deps.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python)),
            *("install", "-q", "--no-deps", "--no-index", str(wheel)),
        ],
        check=True,
        capture_output=True,
    )
    return venv


def run(venv: Path, cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSCAN_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(
        XDG_CONFIG_HOME=str(cwd / "config"),
        XDG_DATA_HOME=str(cwd / "data"),
        XDG_CACHE_HOME=str(cwd / "cache"),
        XDG_STATE_HOME=str(cwd / "state"),
    )
    return subprocess.run(
        [str(venv / "bin" / "lotscan"), *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_lotscan_runs_from_the_wheel_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import lotscan; print(lotscan.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(installed)), where
    assert not (tmp_path / "drivers").exists()

    init = run(installed, tmp_path, "config", "init")
    assert init.returncode == 0, init.stderr
    written = tmp_path / "config" / "lotscan" / "station.toml"
    assert written.read_bytes() == (ROOT / "config" / "station.toml").read_bytes()

    journey = "OP:1001\nPL:PL-4001\n(01)09521234001348(10)FG3526E\n"
    demo = run(installed, tmp_path, "demo", "--headless", stdin=journey)
    assert demo.returncode == 0, demo.stderr
    assert "Signed in: Alice Dock" in demo.stdout
    assert "Picked 30 EA of lot FG3526E" in demo.stdout
    assert "Traceback" not in demo.stdout + demo.stderr

    devices = run(installed, tmp_path, "devices", "--json")
    assert devices.returncode == 0, devices.stderr
    shipped = sorted(p.stem for p in (ROOT / "drivers").glob("*.toml"))
    assert shipped and json.loads(devices.stdout)["profiles"] == shipped

    demo_db = tmp_path / "data" / "lotscan" / "demo.db"
    label = run(installed, tmp_path, "label", "FG3526E", "--db", str(demo_db), "-o", "fg.svg")
    assert label.returncode == 0, label.stderr
    assert "FG3526E" in label.stdout and (tmp_path / "fg.svg").stat().st_size > 1000

    bench = run(installed, tmp_path, "bench", "ui", "--json")
    assert bench.returncode == 2
    assert "benchmarks live in the lotscan source checkout" in bench.stderr
