"""`lotscan label` as a user runs it: the real console script on a cache built from the test plant."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.devices.decoders import load_image
from tests.labels.printer import RawPortPrinter
from tests.labels.scanback import read_back
from tests.plant import COOKIE, FLOUR, SUGAR, write_plant

SALT = "19521234001130"

LOTSCAN = str(Path(sys.executable).with_name("lotscan"))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([LOTSCAN, *args], capture_output=True, text=True, cwd=cwd, env=env, check=False)


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test plant, plus a second item with a lot code FLOUR also uses (F-EARLY), and an item
    kept in kilograms (the plant counts its flour and sugar in sacks)."""
    folder = tmp_path_factory.mktemp("plant")
    database = folder / "station.db"
    shared = folder / "shared_lot.json"
    salt = {"code": "SALT", "gtin": SALT, "description": "Salt", "unit": "KG", "expiry_required": "no"}
    lots = [{"item": "SUGAR", "lot": "F-EARLY", "expiry": "+50d"}, {"item": "SALT", "lot": "SALT-1"}]
    shared.write_text(json.dumps({"items": [salt], "lots": lots}))
    for source in (write_plant(folder), shared):
        done = run("cache", "import", str(source), "--db", str(database), cwd=folder)
        assert done.returncode == 0, done.stderr
    return database


def test_default_output_is_a_png_named_after_the_lot_that_scans_back(plant: Path, tmp_path: Path) -> None:
    done = run("label", "C-1", "--qty", "24", "--db", str(plant), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    expiry = date.today() + timedelta(days=100)
    assert done.stdout.strip() == (
        f"Label for lot C-1 (GTIN {COOKIE}, expiry {expiry.isoformat()}, qty 24 EA) written to C-1.png"
    )
    read = read_back(load_image(str(tmp_path / "C-1.png")))
    assert read.symbology_ids == ["]C1", "]d2"]
    assert read.merged() == {"gtin": COOKIE, "lot": "C-1", "expiry": expiry, "quantity": 24}


def test_a_lot_code_two_items_share_needs_the_gtin(plant: Path, tmp_path: Path) -> None:
    done = run("label", "F-EARLY", "--db", str(plant), cwd=tmp_path)
    assert done.returncode == 1
    assert f"lot F-EARLY exists for 2 items ({FLOUR}, {SUGAR}): say which with --gtin" in done.stderr
    done = run("label", "F-EARLY", "--gtin", SUGAR, "--format", "svg", "--db", str(plant), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "F-EARLY.svg").read_text().startswith("<?xml")
    assert f"GTIN {SUGAR}" in done.stdout


def test_kilogram_items_get_a_net_weight(plant: Path, tmp_path: Path) -> None:
    out = tmp_path / "s1.zpl"
    done = run("label", "SALT-1", "--qty", "12.5", "-o", str(out), "--db", str(plant), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "(expiry none" not in done.stdout and "expiry none" in done.stdout
    assert f"^FD_101{SALT}310100012510SALT-1^FS" in out.read_text()


def test_printing_to_a_printer_port(plant: Path, tmp_path: Path) -> None:
    with RawPortPrinter() as printer:
        done = run(
            "label", "F-LATE", "--gtin", FLOUR, "--printer", f"127.0.0.1:{printer.port}", "--db", str(plant),
            cwd=tmp_path,
        )  # fmt: skip
        jobs = printer.wait()
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(f"sent to printer 127.0.0.1:{printer.port}")
    assert len(jobs) == 1 and jobs[0].startswith(b"^XA") and b"(10)F-LATE" in jobs[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE"], "lot NOPE is not in the station cache"),
        (["C-1", "--gtin", FLOUR], f"lot C-1 is not in the station cache for GTIN {FLOUR}"),
        (["C-1", "-o", "/nonexistent/c1.png"], "cannot write the label to /nonexistent/c1.png"),
        (["C-1", "--printer", "127.0.0.1:1"], "cannot send the label to printer 127.0.0.1:1"),
        (["C-1", "--qty", "2.5"], "a count of EA must be a whole number"),
        (["C-1", "--template", "nosuch"], "no label template 'nosuch' (known: case, pallet, small)"),
    ],
)
def test_errors_are_one_clear_line_and_exit_1(
    plant: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    done = run("label", *args, "--db", str(plant), cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("Error: ") and message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["C-1", "--printer", "p:9100", "--cups", "q"],
        ["C-1", "--printer", "p:9100", "--format", "png"],
        ["C-1", "--qty", "-3"],
        ["C-1", "--format", "pdf"],
    ],
)
def test_usage_errors_exit_2(plant: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["label", *args, "--db", str(plant)])  # in-process: faster
    assert result.exit_code == 2, result.output


def test_help_has_examples(tmp_path: Path) -> None:
    done = run("label", "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "Examples:" in done.stdout and "--printer" in done.stdout and "case, pallet, small" in done.stdout
