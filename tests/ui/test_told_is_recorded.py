"""Issue 14, "what the operator is told is what gets recorded", on screen: the tester's #15
findings, each replayed as the operator's scans on a real cache (the small plant, or the demo).

- #15a: at 40x16 a verdict with two warnings was cut after 8 rows; its next action was lost.
- #15b: a scan that recorded nothing (a label to check, a lookup) was shown as WARNING, the word
  the README gives to "recorded, with the warning shown".
- #15c: a refused scan said "60 is recorded"; a recorded NOT_FEFO pick still said "Take lot X
  instead".
- #15d: in the lookup workflow a split label's GTIN barcode then its lot barcode were not paired.
- #15e: a pallet of sacks (by SSCC, no quantity on the label) was asked for in KG.
- #15f: a label whose count (AI 30) and net weight (AI 310n) disagree went in silently.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import Engine, create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.domain.events import EventType
from lotscan.services.context import ScanContext, Workflow
from lotscan.settings import load_settings
from lotscan.station.app import StationApp
from lotscan.station.factory import station_app
from tests.plant import FLOUR
from tests.ui.conftest import FIXED_CLOCK, banner_text, events_of, payload, scan

pytestmark = pytest.mark.anyio


def screen_lines(app: StationApp) -> list[str]:
    """What the terminal shows, row by row (what a person can read, nothing scrolled away)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()


def on_screen(app: StationApp) -> str:
    return " ".join(" ".join(screen_lines(app)).split())


def flour_label(lot: str, days: int, count: int) -> str:
    expiry = (ScanContext(Workflow.LOOKUP).today + timedelta(days=days)).strftime("%y%m%d")
    return f"(01){FLOUR}(17){expiry}(10){lot}(30){count}"


async def test_two_warnings_and_their_next_actions_are_all_on_a_handheld_screen(make_app, engine) -> None:
    """#15a: /qty 3 on a label of 2 sacks with 20 days left: SHORT_SHELF_LIFE and
    QTY_DIFFERS_FROM_LABEL, both recorded warnings. Each sentence, to its last word, is on the
    40x16 screen; the next shorter verdict gives the last scans their rows back."""
    app = make_app()
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "ASN:ASN-1")
        await scan(pilot, "/qty 3")
        assert await scan(pilot, flour_label("F-SHORT", 20, 2)) == "WARNING"
        shown = on_screen(app)
        assert "SHORT_SHELF_LIFE" in shown and "QTY_DIFFERS_FROM_LABEL" in shown
        assert "Tell a supervisor, who decides whether it stays." in shown
        assert "You typed 3 SACK, the label says 2 SACK: 3 SACK is recorded." in shown
        assert shown.count("tell a supervisor to correct it.") == 1
        assert "Receive: scan a label." in shown and "Scan>" in shown  # the prompt and the scan line
        assert "tTask" in shown  # the keys
        assert await scan(pilot, "(01)09521234009993(10)X") == "REJECTED"
        assert "lot X" in on_screen(app)  # the last scans are back
    assert len(events_of(engine)) == 1


async def test_a_label_to_check_is_not_shown_as_a_warning_that_was_recorded(make_app, engine) -> None:
    """#15b: a lot that swallowed the next element (a lost GS separator) is asked about before
    anything is recorded: the banner says NOT RECORDED, in its own colour, not WARNING."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "ASN:ASN-1")
        expiry = (ScanContext(Workflow.LOOKUP).today + timedelta(days=300)).strftime("%y%m%d")
        await scan(pilot, f"01{FLOUR}17{expiry}10F-NEW3020")
        assert events_of(engine) == []
        banner = app.banner
        assert banner.has_class("-unrecorded") and not banner.has_class("-warning")
        shown = on_screen(app)
        assert "Nothing recorded yet" in shown
        assert "█▄ █ █▀█ ▀█▀" in shown  # NOT in block letters; WARNING is not there
        assert "█   █ ▄▀▄ █▀█" not in shown
        last = str(app.query_one("#history").render()).splitlines()
        assert any(line.startswith("? ") and "F-NEW3020" in line for line in last)  # not "!"
    async with make_app().run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "ASN:ASN-1")
        await scan(pilot, f"01{FLOUR}17{expiry}10F-NEW3020")
        shown = on_screen(pilot.app)
        assert "NOT RECORDED SUSPICIOUS_LOT" in shown and "WARNING" not in shown


async def test_a_refused_scan_does_not_say_its_quantity_is_recorded(make_app, engine) -> None:
    """#15c: /qty 60 of lot F-EARLY at A1 (50 there) on a pick line of 20: QTY_EXCEEDS_TASK refuses
    it; the stock warning with it must not say "60 is recorded"."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "PL:PL-1")
        await scan(pilot, "LOC:A1")
        await scan(pilot, "/qty 60")
        assert await scan(pilot, f"(01){FLOUR}(10)F-EARLY") == "REJECTED"
        shown = " ".join(banner_text(app).split())
        assert "QTY_EXCEEDS_STOCK" in shown and "not 60" in shown
        assert "is recorded" not in shown and "were recorded at" not in shown
    assert events_of(engine) == []


async def test_a_recorded_pick_that_was_not_fefo_says_what_was_due_first(make_app, engine) -> None:
    """#15c: after a NOT_FEFO pick is recorded (the policy warns), the banner says it is recorded
    and which lot was due first, not "Take lot F-EARLY instead" for a pick already made."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "PL:PL-1")
        await scan(pilot, "/qty 5")
        assert await scan(pilot, f"(01){FLOUR}(10)F-LATE") == "WARNING"
        shown = " ".join(banner_text(app).split())
        assert "Lot F-LATE is recorded" in shown and "lot F-EARLY at A1 was due first" in shown
        assert "instead" not in shown and "Take lot" not in shown
    assert len(events_of(engine)) == 1


async def test_lookup_pairs_a_split_labels_gtin_then_its_lot(make_app, engine) -> None:
    """#15d (issue 14, Build 4): the GTIN barcode, then the lot barcode of the same case, in
    lookup (before anyone signs in): one reading, the lot's own lookup; nothing recorded."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await scan(pilot, f"(01){FLOUR}")
        assert await scan(pilot, "(10)F-EARLY") == "ACCEPTED"
        shown = " ".join(banner_text(app).split())
        assert "Lot F-EARLY of Flour: RELEASED" in shown
        assert app.lookup is not None and app.lookup["lot"] == "F-EARLY"
    assert events_of(engine) == []


def demo_app(tmp_path: Path) -> tuple[StationApp, Engine]:
    """The station on the README's demo cache (flour: 25 KG a SACK)."""
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    settings = replace(load_settings(), database=database)
    app = station_app(settings, clock=lambda: FIXED_CLOCK, start_sync=False, start_devices=False)
    return app, create_engine(f"sqlite:///{database}")


def received(engine: Engine) -> list[dict[str, Any]]:
    return [payload(e) for e in events_of(engine) if e.type == EventType.STOCK_RECEIVED]


async def test_a_pallet_of_sacks_is_asked_for_in_sacks_and_recorded_in_kg(tmp_path: Path) -> None:
    """#15e: the demo's pallet (00)095212340000000013 (ASN-1001 line 3: 1000 KG of flour, 25 KG
    a SACK) has no quantity on its label. The station asked for it in KG; the operator counts
    sacks. Asked in SACK, the 40 typed are 40 SACK = 1,000 KG, both shown."""
    app, engine = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "ASN:ASN-1001")
        assert await scan(pilot, "(00)095212340000000013") == "REJECTED"
        shown = on_screen(app)
        assert "QTY_NEEDED" in shown and "40 SACK = 1,000 KG" in shown
        assert "give it in SACK (25 KG each)" in shown and "in KG" not in shown
        await scan(pilot, "/qty 40")
        assert await scan(pilot, "(00)095212340000000013") == "ACCEPTED"
        assert "Received 40 SACK = 1,000 KG of lot FL24117" in on_screen(app)
    assert [(p["lot"], p["qty"], p["unit"]) for p in received(engine)] == [("FL24117", 1000, "KG")]


async def test_a_label_whose_count_and_net_weight_disagree_is_a_warning_with_both(tmp_path: Path) -> None:
    """#15f: (30)8 sacks of 25 KG is 200 KG, but the same label's (3103)150000 says 150 KG net
    (GS1 General Specifications 3.6.2: AI 310n, net weight in kilograms, n decimals). Recorded
    as counted, with LABEL_COUNT_WEIGHT_DIFFER and both figures, not silently."""
    app, engine = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "ASN:ASN-1001")
        ahead = (app.today() + timedelta(days=300)).strftime("%y%m%d")
        label = f"(01)19521234001017(17){ahead}(10)FL25009(30)8(3103)150000"
        assert await scan(pilot, label) == "WARNING"
        shown = on_screen(app)
        assert "LABEL_COUNT_WEIGHT_DIFFER" in shown
        assert "8 SACK = 200 KG" in shown and "150 KG (AI 3103)" in shown
        assert "a SACK is 25 KG here" in shown and "The count is recorded" in shown
    assert [(p["lot"], p["qty"]) for p in received(engine)] == [("FL25009", 200)]


async def test_book_stock_below_zero_is_shown_as_a_discrepancy_to_count(make_app, engine) -> None:
    """#4: 55 SACK consumed from A1, where the cache knew of 50 (the policy warns and records):
    the book stock is -5. A lookup of the lot or of A1 shows it as a discrepancy, in its own
    style and words, and the verdict flags it (STOCK_BELOW_ZERO: count A1, tell a supervisor)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "WO:WO-1")
        await scan(pilot, "LOC:A1")
        await scan(pilot, "/qty 55")
        assert await scan(pilot, f"(01){FLOUR}(10)F-EARLY") == "WARNING"
        await scan(pilot, "/mode lookup")
        await scan(pilot, f"(01){FLOUR}(10)F-EARLY")
        shown = " ".join(banner_text(app).split())
        assert "STOCK_BELOW_ZERO" in shown and "Count A1 and tell a supervisor" in shown
        assert "-5 SACK" in shown
        panel = app.query_one("#work").render()
        assert "A1: -5 SACK: book stock below zero, count this shelf" in str(panel)
        marked = [span for span in panel.spans if "below zero" in str(panel)[span.start : span.end]]
        assert marked and marked[0].style.background is not None  # not the plain text of a quantity
        await scan(pilot, "LOC:A1")
        assert "STOCK_BELOW_ZERO" in banner_text(app)
        assert "F-EARLY Flour -5 SACK: book stock below zero" in str(app.query_one("#work").render())


async def test_a_lot_produced_without_inputs_does_not_say_to_consume_them_first(make_app, engine) -> None:
    """#15c, the same for production: once the lot is made (NO_INPUTS warns and records),
    "Consume its inputs first" no longer applies; the banner says what was recorded."""
    app = make_app()
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "WO:WO-1")
        await scan(pilot, "/produce")
        assert await scan(pilot, "/produce") == "WARNING"
        shown = on_screen(app)
        assert "NO_INPUTS" in shown and "recorded with no parents to trace" in shown
        assert "first" not in shown.split("Produced lot")[1]
    assert [e.type for e in events_of(engine)][:1] == [EventType.LOT_PRODUCED]
