"""Tester tw's W21 and W23 on the command line, as the user typed them, on the demo cache: a lot
code that is an existing lot but for letter case (Caps Lock on a keyboard-wedge scanner) is named
as that lot, and a count that finds a lot never received, or one whose label is expired, says so."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.cli.main import cli
from lotscan.domain.events import EventType
from tests.ui.conftest import events_of, payload


def _scan(demo: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["scan", *args, "--db", str(demo)])
    assert result.exit_code in (0, 1), result.output
    return " ".join(result.output.split())


def _demo(tmp_path: Path) -> Path:
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    return demo


def test_a_case_flipped_receipt_names_the_existing_lot(tmp_path: Path) -> None:
    demo = _demo(tmp_path)
    said = _scan(
        demo, "(01)19521234001017(17)270301(10)flo9313b(30)2", "-w", "receive",
        "--task", "ASN-1001", "--operator", "1001",
    )  # fmt: skip
    assert "WARNING" in said and "SUSPICIOUS_LOT" in said, said
    assert "Did you mean lot FLO9313B?" in said and "is Caps Lock on?" in said, said
    events = events_of(create_engine(f"sqlite:///{demo}"))
    received = [e for e in events if e.type == EventType.STOCK_RECEIVED]
    assert received[-1].verdict == "WARNING"
    assert "SUSPICIOUS_LOT" in {r["code"] for r in json.loads(received[-1].reasons)}


def test_a_case_flipped_lookup_says_did_you_mean(tmp_path: Path) -> None:
    said = _scan(_demo(tmp_path), "(01)09521234001348(10)fg3526e", "-w", "lookup")
    assert "Did you mean lot FG3526E?" in said and "is Caps Lock on?" in said, said
    assert "Lot FG3526E of Ginger nuts 250 g" in said, said


def test_a_case_flipped_consume_is_refused_naming_the_existing_lot(tmp_path: Path) -> None:
    said = _scan(
        _demo(tmp_path), "(01)09521234001348(10)fg3526e", "-w", "consume", "--task", "WO-3001",
        "--location", "FG-B07", "--qty", "1", "--operator", "1003", "--dry-run",
    )  # fmt: skip
    assert "REJECTED" in said and "Did you mean lot FG3526E?" in said, said


def test_a_count_of_a_lot_never_received_with_an_expired_label_is_counted_and_warned(tmp_path: Path) -> None:
    demo = _demo(tmp_path)
    said = _scan(
        demo, "(01)19521234001017(17)261101(10)ZZ998(30)4", "-w", "count", "--location", "RM-A01",
        "--operator", "1003",
    )  # fmt: skip
    assert said.startswith("WARNING Counted 4 SACK = 100 KG of lot ZZ998"), said
    assert "LOT_NOT_RECEIVED" in said and "No receipt of lot ZZ998" in said, said
    assert "EXPIRED_COUNTED" in said and "expired on 2026-11-01" in said, said
    counted = [e for e in events_of(create_engine(f"sqlite:///{demo}")) if e.type == EventType.STOCK_COUNTED]
    assert payload(counted[-1])["counted"] == 100.0
    assert counted[-1].verdict == "WARNING"
    assert {r["code"] for r in json.loads(counted[-1].reasons)} == {"LOT_NOT_RECEIVED", "EXPIRED_COUNTED"}


def test_a_count_of_a_received_lot_is_not_warned(tmp_path: Path) -> None:
    said = _scan(
        _demo(tmp_path), "(01)19521234001017(10)FLO9313B(30)4", "-w", "count", "--location", "RM-A01",
        "--operator", "1003", "--dry-run",
    )  # fmt: skip
    assert "LOT_NOT_RECEIVED" not in said and "EXPIRED_COUNTED" not in said, said
