"""A label's (30) counts trade units, so a lot kept in litres is labelled by its packs: the demo's
liquid egg comes in 10 L boxes, and `lotscan label EGG3322E --qty 40` prints (30)4, "4 BOX = 40 L".
Scanned back on a receive, that label records 40 L: what the label says is what gets recorded."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.cli.main import cli
from lotscan.codes.ai_table import GS
from lotscan.domain.verdict import Level
from lotscan.labels.content import LotLabel, element_string
from lotscan.labels.errors import LabelError
from lotscan.labels.lots import lot_label
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.station import StationService
from lotscan.settings import load_settings
from lotscan.store.db import open_cache
from lotscan.store.schema import Event

EGG = "19521234001079"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    return database


def test_a_litre_lot_is_labelled_by_its_boxes_and_scans_back_as_the_litres(
    demo: Path, tmp_path: Path
) -> None:
    printed = CliRunner().invoke(
        cli,
        [
            "label",
            "EGG3322E",
            "--qty",
            "40",
            "--format",
            "svg",
            "-o",
            str(tmp_path / "egg.svg"),
            "--db",
            str(demo),
        ],
    )
    assert printed.exit_code == 0, printed.output
    assert "4 BOX = 40 L" in printed.output
    service = StationService(open_cache(demo), replace(load_settings(), database=demo))
    label = lot_label(service, "EGG3322E", quantity=40)
    elements = label.elements()
    assert ("30", "4") in [(e.ai, e.value) for e in elements]
    data = (
        element_string([e for e in elements if e.ai != "10"]) + f"{GS}10NEW-EGG"
    )  # the same label, a new lot
    ctx = ScanContext(Workflow.RECEIVE, operator="1001", task="PO-2001")
    verdict = service.handle(service.interpret(data, aim_id="]C1"), ctx)
    assert (
        verdict.level is not Level.REJECTED and "Received 4 BOX = 40 L of lot NEW-EGG" in verdict.message
    ), verdict
    with service.engine.connect() as conn:
        payload = json.loads(
            conn.execute(select(Event.payload).where(Event.id == verdict.event_ids[0])).scalar_one()
        )
    assert (payload["qty"], payload["unit"]) == (40.0, "L")
    service.engine.dispose()


def test_litres_without_a_pack_size_or_in_part_packs_are_not_labelled_as_a_count() -> None:
    with pytest.raises(LabelError, match="AI 30 counts trade units, and the item has no pack size"):
        LotLabel(EGG, "E1", None, Decimal(40), unit="L").elements()
    with pytest.raises(LabelError, match="is not a whole number of packs of 10 L"):
        LotLabel(EGG, "E1", None, Decimal(45), unit="L", pack_size=Decimal(10), pack_unit="BOX").elements()
