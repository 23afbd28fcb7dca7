"""Tester tz, Z10, on the command line as the tester typed it, on the demo cache: a supplier lot
that merely ends in "30" and digits (LOT3012) is read as it is where the scan proves it (every
AI written out), and where nothing proves it (the lot last in the symbol, or before a GS that a
swallowed count would also have) the refusal offers `--as-scanned` besides `--confirm`.

GS1 General Specifications (Release 18, 7.8.4): "All element strings need to be separated by
a separator character unless they have a predefined length or appear at the end of the symbol":
the GS after `10LOT3012` may be the one that ended a swallowed (30) 12."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.cli.main import cli
from lotscan.domain.events import EventType
from tests.ui.conftest import events_of, payload

RECEIVE = ["-w", "receive", "--task", "ASN-1001", "--operator", "1001", "--qty", "1"]


def _demo(tmp_path: Path) -> Path:
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    return demo


def _run(demo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--db", str(demo)] if args[0] == "scan" else list(args))
    return result.exit_code, " ".join(result.output.split())


def _received(demo: Path) -> list[tuple[str, str, list[str]]]:
    return [
        (payload(e)["lot"], e.verdict, [r["code"] for r in json.loads(e.reasons or "[]")])
        for e in events_of(create_engine(f"sqlite:///{demo}"))
        if e.type == EventType.STOCK_RECEIVED
    ]


def test_the_bracketed_label_is_read_as_written_and_received(tmp_path: Path) -> None:
    demo = _demo(tmp_path)
    code, said = _run(demo, "parse", "(01)19521234001017(10)LOT3012(17)270925")
    assert code == 0 and "SUSPICIOUS_LOT" not in said and "LOT3012" in said, said
    code, said = _run(demo, "scan", "(01)19521234001017(10)LOT3012(17)270925", *RECEIVE)
    assert code == 0 and "ACCEPTED" in said and "lot LOT3012" in said, said
    assert _received(demo) == [("LOT3012", "ACCEPTED", [])]


def test_an_unproved_lot_can_be_recorded_as_scanned(tmp_path: Path) -> None:
    demo = _demo(tmp_path)
    label = "0119521234001017\\x1d10LOT3012\\x1d17270925"  # the tester's: a GS after the lot
    code, said = _run(demo, "scan", label, *RECEIVE)
    assert code == 1 and "SUSPICIOUS_LOT" in said, said
    assert "it probably says (01) 19521234001017, (10) LOT, (30) 12, (17) 270925" in said, said
    assert "if it says lot LOT3012, run it again with --as-scanned" in said, said
    code, said = _run(demo, "scan", label, *RECEIVE, "--confirm", "--as-scanned")
    assert code == 2 and "not both" in said, said
    assert _received(demo) == []
    code, said = _run(demo, "scan", label, *RECEIVE, "--as-scanned")
    assert code == 0 and "WARNING" in said and "Received 1 SACK = 25 KG of lot LOT3012" in said, said
    assert "operator 1001 (--as-scanned) confirmed the label says lot LOT3012" in said, said
    assert _received(demo) == [("LOT3012", "WARNING", ["SUSPICIOUS_LOT"])]


def test_a_guess_refused_anyway_still_lets_the_lot_as_scanned_through(tmp_path: Path) -> None:
    """LOT3099 last in the symbol: the guess, 99 sacks, is more than the ASN line needs; the label's
    real lot LOT3099 was blocked with it. The label is checked first (tester tz2, A1: a refusal
    built on the guessed quantity waits for the guess to be confirmed), then the guess confirmed
    is refused for its 99 sacks."""
    demo = _demo(tmp_path)
    label = "]d201195212340010171727092510LOT3099"
    code, said = _run(demo, "scan", label, "-w", "receive", "--task", "ASN-1001", "--operator", "1001")
    assert code == 1 and "SUSPICIOUS_LOT" in said and "QTY_EXCEEDS_TASK" not in said, said
    assert "if it says lot LOT3099, run it again with --as-scanned" in said, said
    asked = ["-w", "receive", "--task", "ASN-1001", "--operator", "1001"]
    code, said = _run(demo, "scan", label, *asked, "--confirm")
    assert code == 1 and "QTY_EXCEEDS_TASK" in said and "SUSPICIOUS_LOT" in said, said
    code, said = _run(demo, "scan", label, *RECEIVE, "--as-scanned")
    assert code == 0 and "lot LOT3099" in said, said
    assert _received(demo) == [("LOT3099", "WARNING", ["SUSPICIOUS_LOT"])]
