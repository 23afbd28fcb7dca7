"""Mock recall drill: trace, mass balance, FSMA 204, EPCIS, notices, drill.json and drill.html,
recorded and listed; a drill changes nothing unless --recall."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from sqlalchemy import text

from lotscan.central.db import read_tx, write_tx
from lotscan.central.trace import audit
from lotscan.cli.drill_cmd import drill as drill_command
from lotscan.cli.drill_cmd import drills as drills_command
from tests.trace.conftest import Genealogy

DRILL_KEYS = {
    "elapsed_s", "affected_lots", "mass_balance", "customers", "suppliers", "stations_acknowledged",
    "missing_kdes",
}  # fmt: skip
TERMS = ("received", "produced", "consumed", "shipped", "adjusted", "on_hand", "difference")


def _state(g: Genealogy) -> tuple:
    with read_tx(g.engine) as conn:
        lots = conn.execute(text("SELECT code, status FROM lots ORDER BY id")).all()
        recalls = conn.execute(text("SELECT count(*) FROM recalls")).scalar()
        changes = conn.execute(text("SELECT count(*) FROM changes")).scalar()
        history = conn.execute(text("SELECT count(*) FROM lot_status_history")).scalar()
    return [tuple(r) for r in lots], recalls, changes, history


def _run(g: Genealogy, out: Path, *args: str) -> dict:
    result = CliRunner().invoke(drill_command, [*args, "--out", str(out), "--by", "qa", "--db", g.url])
    assert result.exit_code == 0, result.output
    return json.loads((out / "drill.json").read_text())


def test_drill_writes_every_part_balances_and_changes_nothing(
    fresh_genealogy: Genealogy, tmp_path: Path
) -> None:
    g = fresh_genealogy
    root = next(lot for lot in g.generated.raw_lots if g.model.children.get(lot))
    before = _state(g)
    report = _run(g, tmp_path / "d1", root[1])
    assert _state(g) == before  # only the drill's own record is written
    assert set(report) >= DRILL_KEYS
    affected = set(g.model.walk([root], forward=True)) | set(g.model.walk([root], forward=False))
    assert report["affected_lots"] == len(affected)
    assert {(b["item"], b["lot"]) for b in report["mass_balance"]} == affected
    for b in report["mass_balance"]:
        assert set(TERMS) <= set(b)
        assert (
            b["received"] + b["produced"] - b["consumed"] - b["shipped"] - b["adjusted"] - b["on_hand"]
            == (b["difference"])
        )
    assert [b for b in report["mass_balance"] if b["difference"]] == []
    assert report["result"] == "balanced" and report["elapsed_s"] > 0
    customers = {
        c for lot in g.model.walk([root], forward=True) for c, _q, _w in g.model.shipments.get(lot, [])
    }
    assert {c["name"] for c in report["customers"]} == customers
    assert [s["name"] for s in report["suppliers"]] == [g.model.receipts[root][0][0]]
    out = tmp_path / "d1"
    book = openpyxl.load_workbook(out / "fsma204.xlsx")
    assert book.sheetnames == ["FSMA 204", "Missing KDEs"]
    assert len(report["missing_kdes"]) == book["Missing KDEs"].max_row - 1
    epcis = json.loads((out / "epcis.jsonld").read_text())
    assert epcis["epcisBody"]["eventList"]
    assert (out / "notices" / "index.json").exists()
    html = (out / "drill.html").read_text()
    for item, lot in affected:  # every lot is in the picture or a level list, and links to its events
        anchor = "lot-" + re.sub(r"[^A-Za-z0-9_-]", "_", f"{item}--{lot}")
        assert f'id="{anchor}"' in html and f'href="#{anchor}"' in html
    assert "<svg" in html and html.index("Mass balance") < html.index("Customers") < html.index("Genealogy")

    with read_tx(g.engine) as conn:  # recorded in the audit chain as a central decision
        decision = conn.execute(
            text("SELECT decision, by, detail FROM central_decisions WHERE decision = 'recall.drill'")
        ).one()
        assert audit.verify(conn).ok
    assert decision[1] == "qa" and json.loads(decision[2])["drill_id"] == report["drill_id"]

    listed = CliRunner().invoke(drills_command, ["--json", "--db", g.url])
    assert listed.exit_code == 0, listed.output
    (entry,) = json.loads(listed.stdout)
    assert entry["lots"] == [f"{root[0]}/{root[1]}"] and entry["result"] == "balanced"
    assert entry["elapsed_s"] == report["elapsed_s"] and len(entry["report_sha256"]) == 64


def test_a_deleted_consumption_event_names_its_lot_and_difference(
    fresh_genealogy: Genealogy, tmp_path: Path
) -> None:
    g = fresh_genealogy
    consumed = next(e for _s, e in g.generated.events if e.type == "stock.consumed")
    lot = (consumed.payload["item"], consumed.payload["lot"])
    with write_tx(g.engine) as conn:
        deleted = conn.execute(
            text("DELETE FROM received_events WHERE id = :id"), {"id": consumed.id}
        ).rowcount
    assert deleted == 1
    report = _run(g, tmp_path / "d2", lot[1], "--item", lot[0], "--direction", "forward")
    differences = [b for b in report["mass_balance"] if b["difference"]]
    assert [(b["item"], b["lot"]) for b in differences] == [lot]
    assert differences[0]["difference"] == consumed.payload["qty"]
    assert differences[0]["events"] and report["result"] == "differences"
    html = (tmp_path / "d2" / "drill.html").read_text()
    assert html.index(lot[1]) < html.index("All ")  # differences come first


def test_drill_with_recall_recalls(fresh_genealogy: Genealogy, tmp_path: Path) -> None:
    g = fresh_genealogy
    root = g.generated.raw_lots[0]
    report = _run(g, tmp_path / "d3", root[1], "--direction", "forward", "--recall", "--reason", "drill 3")
    assert report["recall"] and report["recall_id"]
    statuses = {code: status for code, status in _state(g)[0]}
    assert all(statuses[lot] == "recalled" for _item, lot in g.model.walk([root], forward=True))


def test_recall_without_reason_is_a_usage_error(genealogy: Genealogy, tmp_path: Path) -> None:
    result = CliRunner().invoke(drill_command, ["R000", "--recall", "--db", genealogy.url])
    assert result.exit_code == 2 and "--reason" in result.output
