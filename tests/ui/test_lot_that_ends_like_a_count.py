"""Tester tz, Z10, at the station on the demo cache: a supplier lot that merely ends in "30" and
digits (LOT3012) was taken for a lot that swallowed a count through a lost GS separator, even
where the scan proves it did not, and the station's own guess then made the right label
MALFORMED_GS1 ("(30) appears twice"); the only way through recorded lot LOT and 12 sacks.

GS1 General Specifications (Release 18, 7.8.4): "All element strings need to be separated by
a separator character unless they have a predefined length or appear at the end of the symbol
(encoded immediately before the symbol check character)." So a lot last in the symbol needs no
GS, and a count swallowed with the lot is followed by the GS meant for it: neither proves the
lot ended where the scan says. What does prove it: every AI written out (bracketed text), or the
guessed AI already on the label (a label carries an AI once). When nothing proves it, the
station asks, and "the label says lot LOT3012" (/asscanned) is an answer besides /confirm and a
rescan. The flour's GTIN is a fixed-measure one (indicator digit 1): (30) stays a plausible
swallowed count on it (docs/codes.md)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from lotscan.codes.ai_table import GS
from lotscan.domain.events import EventType
from tests.ui.conftest import banner_text, events_of, payload, scan
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio

EXPIRY = f"{date.today() + timedelta(days=300):%y%m%d}"
FLOUR = "19521234001017"  # Wheat flour T55, 25 kg sack: a fixed-measure GTIN


def said(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(banner_text(app).split())


def codes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.code for r in app.banner.verdict.reasons]


def received_events(database: Path) -> list[Any]:
    engine = create_engine(f"sqlite:///{database}")
    return [e for e in events_of(engine) if e.type == EventType.STOCK_RECEIVED]


def received(database: Path) -> list[tuple[str, float, str, list[str]]]:
    """(lot, quantity, verdict, reason codes) of every receipt recorded."""
    events = received_events(database)
    return [
        (payload(e)["lot"], payload(e)["qty"], e.verdict, [r["code"] for r in json.loads(e.reasons or "[]")])
        for e in events
    ]


async def test_a_right_label_whose_lot_ends_in_30_and_digits_is_received_as_it_says(tmp_path: Path) -> None:
    """The tester's station steps: Alice, ASN-1001, the full label typed as printed, then the
    same kind of label as a scanner sends it, the GS after the lot there and (30) 2 after it."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "ASN:ASN-1001")
        assert await scan(pilot, f"(01){FLOUR}(17){EXPIRY}(10)LOT3012(30)2") == "ACCEPTED", said(app)
        assert "MALFORMED_GS1" not in said(app) and "SUSPICIOUS_LOT" not in said(app), said(app)
        # The scanner's form: (30) 2 is on the label, so lot LOT3040 did not swallow a (30) 40.
        assert await scan(pilot, f"01{FLOUR}17{EXPIRY}10LOT3040{GS}302") == "ACCEPTED", said(app)
        assert codes(app) == [], said(app)
    assert received(database) == [("LOT3012", 50, "ACCEPTED", []), ("LOT3040", 50, "ACCEPTED", [])]


async def test_a_lot_last_in_the_symbol_is_asked_about_and_can_be_taken_as_scanned(tmp_path: Path) -> None:
    """Lot LOT3012 last in a DataMatrix (no GS needed there): LOT and (30) 12 is as likely, so the
    station asks, offering the third answer; /asscanned records lot LOT3012 as scanned, flagged
    SUSPICIOUS_LOT with who said so. The next such label is a lot the flour has, the guess (LOT)
    one it has not: received without a question."""
    app, database = demo_app(tmp_path)
    label = f"]d201{FLOUR}17{EXPIRY}10LOT3012"
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "ASN:ASN-1001")
        await scan(pilot, "/qty 2")
        assert await scan(pilot, label) == "WARNING"
        assert codes(app) == ["SUSPICIOUS_LOT"]
        shown = said(app)
        assert "it probably says (01) 19521234001017, (17)" in shown and "(10) LOT, (30) 12" in shown, shown
        assert "if it says lot LOT3012, type /asscanned" in shown, shown
        assert received(database) == []
        assert await scan(pilot, "/asscanned") == "WARNING", said(app)
        assert "Received 2 SACK = 50 KG of lot LOT3012" in said(app), said(app)
        await scan(pilot, "/qty 1")  # the next sack, from a GS1-128 (no AIM id this time)
        assert await scan(pilot, label.removeprefix("]d2")) == "ACCEPTED", said(app)
    [(lot, qty, verdict, reasons), again] = received(database)
    assert (lot, qty, verdict, reasons) == ("LOT3012", 50, "WARNING", ["SUSPICIOUS_LOT"])
    assert again == ("LOT3012", 25, "ACCEPTED", [])
    first = received_events(database)[0]
    [why] = [r["message"] for r in json.loads(first.reasons)]
    assert "Alice Dock (1001) confirmed the label says lot LOT3012" in why, why


async def test_a_gs_after_the_lot_does_not_prove_nothing_was_lost(tmp_path: Path) -> None:
    """The demo's flour label: FL25003, its GS lost, (30) 2, then the GS that ends the count."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "ASN:ASN-1001")
        assert await scan(pilot, f"01{FLOUR}10FL25003302{GS}17{EXPIRY}") == "WARNING"
        assert codes(app) == ["SUSPICIOUS_LOT"]
        assert "(10) FL25003, (30) 2," in said(app), said(app)
    assert received(database) == []
