"""FSMA 204 sortable spreadsheet: documented columns, one row per critical tracking event record."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from lotscan.central.trace import fsma
from lotscan.cli.trace_cmd import fsma204
from tests.trace.conftest import Genealogy


def _expected_records(g: Genealogy, tlc: str | None = None) -> int:
    count = 0
    for _site, e in g.generated.events:
        p = e.payload
        if e.type == "lot.split":
            outputs = [o["lot"] for o in p["outputs"]]
            count += len(outputs) if tlc is None or tlc == p["lot"] or tlc in outputs else 0
            continue
        if e.type not in fsma.CTE_TYPES:
            continue
        lots = {p["lot"], p.get("new_lot")} | {i["lot"] for i in p.get("inputs", [])}
        count += tlc is None or tlc in lots
    return count


def test_xlsx_has_the_documented_columns_and_one_row_per_event(genealogy: Genealogy, tmp_path: Path) -> None:
    g = genealogy
    out = tmp_path / "fsma.xlsx"
    result = CliRunner().invoke(fsma204, ["--format", "xlsx", "--out", str(out), "--db", g.url])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == fsma.COLUMNS
    assert len(rows) - 1 == _expected_records(g)
    header = {name: i for i, name in enumerate(fsma.COLUMNS)}
    for row in rows[1:]:
        date.fromisoformat(row[header["Event date"]])
        assert row[header["Traceability lot code"]]
        assert row[header["Product description"]] and row[header["Unit of measure"]]
    ctes = {r[header["Critical tracking event"]] for r in rows[1:]}
    assert {"Receiving", "Shipping", "Transformation"} <= ctes
    receiving = [r for r in rows[1:] if r[header["Critical tracking event"]] == "Receiving"]
    assert all(
        r[header["Immediate previous source"]] and r[header["TLC source reference"]] for r in receiving
    )
    shipping = [r for r in rows[1:] if r[header["Critical tracking event"]] == "Shipping"]
    assert all(r[header["Immediate subsequent recipient"]] for r in shipping)
    dates = [r[header["Event time (UTC)"]] for r in rows[1:]]
    assert dates == sorted(dates)


def test_one_tlc_gives_its_events_and_the_transformations_it_went_into(genealogy: Genealogy) -> None:
    g = genealogy
    used = next(lot for lot in g.generated.raw_lots if g.model.children.get(lot))
    result = CliRunner().invoke(fsma204, ["--tlc", used[1], "--format", "csv", "--db", g.url])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == _expected_records(g, used[1])
    transformations = [r for r in rows if r["Critical tracking event"] == "Transformation"]
    assert len(transformations) == len(g.model.children[used])
    assert all(f"{used[0]}/{used[1]}" in r["Input traceability lot codes"] for r in transformations)


def test_date_range_selects_by_event_day(genealogy: Genealogy, tmp_path: Path) -> None:
    g = genealogy
    days = sorted({e.occurred_at.date() for _s, e in g.generated.events if e.type in fsma.CTE_TYPES})
    first, last = days[1], days[2]
    out = tmp_path / "range.csv"
    result = CliRunner().invoke(
        fsma204,
        ["--from", str(first), "--to", str(last), "--format", "csv", "--out", str(out), "--db", g.url],
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()[1:]
    assert lines and all(str(first) <= line.split(",")[1] <= str(last) for line in lines)
