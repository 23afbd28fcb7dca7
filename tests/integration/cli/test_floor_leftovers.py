"""What the tester found on the command line after issue 14 landed, each as the user met it:
the demo barcodes, `lotscan scan` and the line-by-line station, on the real demo cache."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli
from tests.plant import FLOUR, write_plant

LOTSCAN = str(Path(sys.executable).with_name("lotscan"))
PICK = "(01)09521234001348(10)FG3526E"  # the first example of `lotscan scan --help`


def lotscan(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_a_receipt_without_a_quantity_names_the_qty_option_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "station.db"
    assert lotscan("cache", "import", str(write_plant(tmp_path)), "--db", str(db)).exit_code == 0
    asked = lotscan(
        "scan", f"(01){FLOUR}(17)301231(10)F-NOQTY", "-w", "receive", "--task", "ASN-1",
        "--operator", "100", "--db", str(db),
    )  # fmt: skip
    assert asked.exit_code == 1
    assert "QTY_NEEDED" in asked.output and "(--qty N)" in asked.output, asked.output
    assert "key q" not in asked.output  # the station's keys mean nothing here


def test_the_line_station_names_its_typed_command_for_a_missing_quantity(tmp_path: Path) -> None:
    lines = "OP:1001\nASN:ASN-1001\n(01)19521234001017(17)301231(10)FL29999\n"
    said = lotscan("demo", "--headless", stdin=lines).output
    asked = next(line for line in said.splitlines() if "QTY_NEEDED" in line)
    assert "(type /qty N)" in asked and "--qty" not in asked and "key q" not in asked


def test_the_scan_help_example_run_twice_says_the_line_is_complete_not_zero_more() -> None:
    lotscan("demo", "--headless", stdin="")
    first = lotscan("scan", PICK, "-w", "pick", "--task", "PL-4001", "--operator", "1003")
    assert first.exit_code == 0, first.output
    assert "Picked 30 EA of lot FG3526E" in first.output
    # The scanned lot's own stock from before the pick is not shown after it.
    assert "120 available" not in first.output
    again = lotscan("scan", PICK, "-w", "pick", "--task", "PL-4001", "--operator", "1003")
    assert again.exit_code == 1
    assert "0 EA more" not in again.output
    assert "PL-4001 line 1 (Ginger nuts 250 g) is already complete (30 of 30 EA)" in again.output
    assert "done: 31" not in again.output  # a refused scan is not shown as done


def test_the_headless_demo_shows_no_stale_fefo_line_after_a_pick() -> None:
    said = lotscan("demo", "--headless", stdin=f"OP:1003\nPL:PL-4001\n{PICK}\n").output.splitlines()
    picked = next(n for n, line in enumerate(said) if "Picked 30 EA of lot FG3526E" in line)
    assert not said[picked + 1].strip().startswith("FEFO:"), said[picked : picked + 2]
    lines = "OP:1003\nPL:PL-4001\n(01)09521234001348(10)FG6624F\n"
    said = lotscan("demo", "--reset", "--force", "--headless", stdin=lines).output.splitlines()
    warned = next(line for line in said if "WARNING NOT_FEFO" in line)
    assert "lot FG3526E at FG-B07 was due first" in warned  # a warning still names the lot to take


def test_lotscan_demo_without_a_terminal_runs_the_line_station() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [LOTSCAN, "demo"], input="OP:1003\n", capture_output=True, text=True, env=env, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Signed in: Carla Picker" in done.stdout
    assert "\x1b[?1049h" not in done.stdout  # no full-screen UI painted into a pipe


def test_a_serving_station_starts_without_alembic_log_lines(tmp_path: Path) -> None:
    lotscan("demo", "--headless", stdin="")
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    process = subprocess.Popen(
        [LOTSCAN, "station", "--web", "--port", port],
        stdout=subprocess.PIPE, stderr=(tmp_path / "stderr").open("wb"), text=True,
        env=os.environ.copy(), start_new_session=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        started = process.stdout.readline()
        assert "web on http://127.0.0.1:" in started, started
        time.sleep(1.0)  # the sessions' caches open after the banner
    finally:
        process.terminate()
        process.wait(30)
    logged = (tmp_path / "stderr").read_text()
    assert "alembic" not in logged and "SQLiteImpl" not in logged, logged
