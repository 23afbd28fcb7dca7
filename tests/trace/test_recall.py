"""Recall: the forward closure, stock to pull, customers to notify; and the status change itself."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from sqlalchemy import text

from lotscan.central.db import read_tx, write_tx
from lotscan.central.trace.recall import recall
from lotscan.cli.trace_cmd import recall as recall_command
from tests.trace.conftest import Genealogy


def _statuses(g: Genealogy) -> dict[tuple[str, str], str]:
    with read_tx(g.engine) as conn:
        rows = conn.execute(
            text("SELECT i.code, l.code, l.status FROM lots l JOIN items i ON i.id = l.item_id")
        )
        return {(r[0], r[1]): r[2] for r in rows}


def test_dry_run_report_matches_brute_force_and_changes_nothing(genealogy: Genealogy) -> None:
    g = genealogy
    roots = g.generated.raw_lots[:3]
    before = _statuses(g)
    with read_tx(g.engine) as conn:
        report = recall(conn, [r[1] for r in roots], "test", "tester", dry_run=True)
    closure = g.model.walk(roots, forward=True)
    assert {(x.item, x.lot) for x in report.trace.lots} == set(closure)
    customers = {c for lot in closure for c, _q, _w in g.model.shipments.get(lot, [])}
    assert {c.customer for c in report.customers} == customers
    shipped = sum(q for lot in closure for _c, q, _w in g.model.shipments.get(lot, []))
    assert sum(sum(c.quantities.values()) for c in report.customers) == shipped
    assert report.recall_id is None and report.recalled == []
    assert _statuses(g) == before


def test_recall_marks_every_affected_lot_and_records_who_and_why(fresh_genealogy: Genealogy) -> None:
    g = fresh_genealogy
    root = g.generated.raw_lots[0]
    with write_tx(g.engine) as conn:
        report = recall(conn, [root[1]], "supplier notice 42", "sue", dry_run=False)
    closure = set(g.model.walk([root], forward=True))
    statuses = _statuses(g)
    assert {k for k, s in statuses.items() if s == "recalled"} == closure
    with read_tx(g.engine) as conn:
        history = conn.execute(
            text("SELECT item, lot, \"by\", reason FROM lot_status_history WHERE to_status = 'recalled'")
        ).all()
        stored = conn.execute(text('SELECT "by", reason, lots_affected FROM recalls')).one()
        urgent = conn.execute(text("SELECT count(*) FROM changes WHERE urgent")).scalar()
    assert {(h[0], h[1]) for h in history} == closure
    assert all(h[2] == "sue" and h[3] == f"recall #{report.recall_id}: supplier notice 42" for h in history)
    assert tuple(stored) == ("sue", "supplier notice 42", len(closure))
    assert urgent >= len(closure)


def test_recall_command_writes_csv_xlsx_and_json(genealogy: Genealogy, tmp_path: Path) -> None:
    g = genealogy
    root = g.generated.raw_lots[1]
    out = tmp_path / "report"
    result = CliRunner().invoke(
        recall_command, [root[1], "--reason", "check", "--dry-run", "--out", str(out), "--db", g.url]
    )
    assert result.exit_code == 0, result.output
    assert "DRY RUN" in result.output
    data = json.loads((out / "recall.json").read_text())
    closure = g.model.walk([root], forward=True)
    assert data["summary"]["lots_affected"] == len(closure)
    book = openpyxl.load_workbook(out / "recall.xlsx", read_only=True)
    assert {"Summary", "Lots", "Stock", "Shipments", "Customers"} <= set(book.sheetnames)
    assert sum(1 for _ in book["Lots"].iter_rows()) == len(closure) + 1
    for name in ("lots", "stock", "shipments", "pallets", "customers"):
        assert (out / f"{name}.csv").read_text().splitlines()[0]


def test_real_recall_writes_notices_and_lots_csv_shows_recalled(
    fresh_genealogy: Genealogy, tmp_path: Path
) -> None:
    g = fresh_genealogy
    root = next(
        lot
        for lot in g.generated.raw_lots
        if g.model.walk([lot], forward=True).keys() & g.model.shipments.keys()
    )
    out = tmp_path / "recall"
    args = [
        root[1],
        "--reason",
        "aflatoxin",
        "--by",
        "sue",
        "--contact",
        "Sue Q, +1 217 555 0199",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(recall_command, [*args, "--db", g.url])
    assert result.exit_code == 0, result.output
    closure = g.model.walk([root], forward=True)
    lots = list(csv.DictReader((out / "lots.csv").open()))
    assert len(lots) == len(closure) and {r["status"] for r in lots} == {"recalled"}
    index = json.loads((out / "notices" / "index.json").read_text())
    customers = {c for lot in closure for c, _q, _w in g.model.shipments.get(lot, [])}
    assert {n["to"] for n in index if n["kind"] == "customer"} == customers
    supplier = g.model.receipts[root][0][0]
    assert [n["to"] for n in index if n["kind"] == "supplier"] == [supplier]
    for entry in index:
        notice = json.loads((out / "notices" / entry["file"].replace(".md", ".json")).read_text())
        markdown = (out / "notices" / entry["file"]).read_text()
        assert notice["contact"] == "Sue Q, +1 217 555 0199" and "Sue Q" in markdown
        assert notice["action"] and "## What to do" in markdown
        assert notice["to_description"].count(",") >= 5  # name, street, city, postal code, country, phone
        for lot in notice["lots"]:
            assert lot["tlc"] and lot["product"] and lot["qty"] > 0 and lot["dates"] and lot["documents"]
            assert lot["tlc"] in markdown
        if notice["kind"] == "customer":
            shipped = {
                (item, code): sum(q for c, q, _w in g.model.shipments[(item, code)] if c == notice["to"])
                for item, code in closure
                if any(c == notice["to"] for c, _q, _w in g.model.shipments.get((item, code), []))
            }
            assert {(x["item"], x["internal_lot"] or x["tlc"]): x["qty"] for x in notice["lots"]} == shipped
        else:
            assert notice["lots"][0]["tlc"] == "S" + root[1]  # the supplier's own lot code
