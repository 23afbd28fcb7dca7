"""Tester tz's small things (Z9 j, k, l) on the command line, as typed, on the demo cache: a count
of 1e-300 KG was recorded where a move refused it, `devices test` of a video file that is not
there never ended, and a produce refusal named a GTIN where every other workflow names the item."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.cli.main import cli
from lotscan.domain.events import EventType
from tests.ui.conftest import events_of

LOTSCAN = Path(sys.executable).parent / "lotscan"


def _demo(tmp_path: Path) -> Path:
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    return demo


def _scan(demo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["scan", *args, "--operator", "1001", "--db", str(demo)])
    return result.exit_code, " ".join(result.output.split())


def test_a_count_of_no_goods_at_all_is_refused_as_a_move_is(tmp_path: Path) -> None:
    """Z9j: `--qty 1e-300` on a count was ACCEPTED, "Counted 1e-300 KG"; zero stays a count."""
    demo = _demo(tmp_path)
    count = ("(01)19521234001017(10)FLO3471A", "-w", "count", "--location", "RM-A02")
    code, said = _scan(demo, *count, "--qty", "1e-300")
    assert code == 1 and "INVALID_VALUE" in said and "1e-300 is no goods at all" in said, said
    assert not [e for e in events_of(create_engine(f"sqlite:///{demo}")) if e.type == EventType.STOCK_COUNTED]
    code, said = _scan(demo, *count, "--qty", "0")  # an empty shelf is a count
    assert code == 0 and "Counted 0 KG of lot FLO3471A at RM-A02" in said, said
    [counted] = [
        e for e in events_of(create_engine(f"sqlite:///{demo}")) if e.type == EventType.STOCK_COUNTED
    ]
    assert json.loads(counted.payload)["counted"] == 0


def test_a_produce_refusal_names_the_item_scanned_not_its_gtin(tmp_path: Path) -> None:
    """Z9l, the tester's scan: flour's label on the cookies' work order. The flour lot as scanned
    would be refused as well, so the refusal does not offer --as-scanned for its lot."""
    code, said = _scan(
        _demo(tmp_path), "011952123400101710FLO9313B17270226", "-w", "produce", "--task", "WO-3001",
        "--qty", "5", "--dry-run",
    )  # fmt: skip
    assert code == 1 and "WRONG_ITEM" in said, said
    assert "This is Wheat flour T55, 25 kg sack, but the task needs Chocolate chip cookies 200 g" in said, (
        said
    )
    assert "19521234001017, but" not in said and "--as-scanned" not in said, said


def test_a_camera_test_of_a_file_that_is_not_there_ends_at_once(tmp_path: Path) -> None:
    """Z9k: `lotscan devices test usb-camera --port nosuch.jpg --count 1` retried until killed."""
    done = subprocess.run(
        [str(LOTSCAN), "devices", "test", "usb-camera", "--port", "nosuch.jpg", "--count", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 2, done.stderr
    assert "nosuch.jpg does not exist" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_cache_info_leaves_an_empty_file_as_it_is(tmp_path: Path) -> None:
    """Z9i: `lotscan cache info --db EMPTYFILE` wrote a 208 KB schema into the file, where `scan`
    on the same file says "Nothing was changed"."""
    empty = tmp_path / "empty.db"
    empty.touch()
    result = CliRunner().invoke(cli, ["cache", "info", "--db", str(empty)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "is an empty file (0 bytes), not a lotscan station cache. Nothing was changed." in said, said
    assert empty.stat().st_size == 0
