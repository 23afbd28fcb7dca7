"""Tester ty's Y1 (issue 14: what the operator is told is what gets recorded): on the demo's
ASN-1001, a lot the ASN does not announce was counted against the line that announces lot
FL24117 on pallet 095212340000000013, and the pallet was then refused "950 KG more, not 40 SACK"
right after the prompt had said "give 40". An announced lot keeps its line's quantity; another lot
goes on the lines that announce none, or is recorded beside the lines with LOT_NOT_ANNOUNCED; and
every quantity of a message is said in one unit (both, with the pack size, for sacks of flour)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from lotscan.cli.main import cli
from lotscan.store.schema import Task, TaskLine
from tests.ui.conftest import banner_text, events_of, payload, scan
from tests.ui.test_floor_walk import demo_app

PALLET = "(00)095212340000000013"  # ASN-1001 line 3: 1,000 KG (40 SACK) of lot FL24117
FLOUR = "(01)19521234001017(17){expiry}(10){lot}(30){sacks}"  # FLOUR-T55: sacks of 25 KG


def flour(today: date, lot: str, sacks: int) -> str:
    return FLOUR.format(expiry=(today + timedelta(days=300)).strftime("%y%m%d"), lot=lot, sacks=sacks)


def said(text: str) -> str:
    return " ".join(text.split())


def asn_lines(database: Path) -> dict[int, float]:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        rows = conn.execute(
            select(TaskLine.line_no, TaskLine.qty_done)
            .join(Task, Task.id == TaskLine.task_id)
            .where(Task.code == "ASN-1001")
        ).all()
    return {line_no: done for line_no, done in rows}


@pytest.mark.anyio
async def test_the_announced_pallet_is_taken_as_the_prompt_said_after_another_lot_of_the_item(
    tmp_path: Path,
) -> None:
    """At 40x16 on the demo: line 1 (any lot, 500 KG) received in full, then 2 sacks of lot
    FL25003, which no line announces; the pallet then asks for 40 sacks, and 40 are taken."""
    app, database = demo_app(tmp_path)
    today = app.today()
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "ASN:ASN-1001")
        assert await scan(pilot, flour(today, "FL25001", 20)) == "ACCEPTED"  # line 1: 500/500
        assert await scan(pilot, flour(today, "FL25003", 2)) == "WARNING"
        other = said(banner_text(app))
        assert "LOT_NOT_ANNOUNCED" in other, other
        assert "line 3 keeps 40 SACK = 1,000 KG for lot FL24117" in other, other
        assert asn_lines(database) == {1: 500, 2: 0, 3: 0}  # not counted against line 3

        assert await scan(pilot, PALLET) == "REJECTED"
        asked = said(banner_text(app))
        assert "QTY_NEEDED" in asked and "give 40 if that is what is there" in asked, asked
        await scan(pilot, "/qty 40")
        assert await scan(pilot, PALLET) == "ACCEPTED", said(banner_text(app))
        taken = said(banner_text(app))
        assert "Received 40 SACK = 1,000 KG of lot FL24117" in taken, taken
    received = [
        payload(e) for e in events_of(create_engine(f"sqlite:///{database}")) if e.type == "stock.received"
    ]
    assert [(p["lot"], p["qty"], p.get("line_no")) for p in received] == [
        ("FL25001", 500, 1),
        ("FL25003", 50, None),
        ("FL24117", 1000, 3),
    ]
    assert asn_lines(database) == {1: 500, 2: 0, 3: 1000}


def test_more_than_a_line_needs_is_said_in_the_sacks_the_operator_counted() -> None:
    """Y1's wording: "The task needs only 950 KG more, not 40 SACK = 1,000 KG" mixed units; the
    refusal says what is open in the same unit as what was given, with the pack size."""
    runner = CliRunner()
    runner.invoke(cli, ["demo", "--headless"], input="")
    args = ["scan", PALLET, "-w", "receive", "--task", "ASN-1001", "--operator", "1001"]
    result = runner.invoke(cli, [*args, "--qty", "41", "--dry-run", "--json"], input="")
    verdict = json.loads(result.output[result.output.index("{") :])
    [refusal] = [r["message"] for r in verdict["reasons"] if r["code"] == "QTY_EXCEEDS_TASK"]
    assert "only 40 SACK = 1,000 KG more, not 41 SACK = 1,025 KG" in refusal, refusal
