"""Trace and recall reports as files and as flat rows (CSV/XLSX/JSON)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lotscan.central.trace.forked import alongside
from lotscan.central.trace.notices import write_notices
from lotscan.central.trace.recall import RecallReport
from lotscan.central.trace.trace import TraceResult
from lotscan.exports.tabular import Sheet, write_csv_file, write_xlsx

LOT_COLUMNS = [
    "direction",
    "depth",
    "item",
    "gtin",
    "description",
    "lot",
    "status",
    "expiry",
    "supplier",
    "supplier_lot",
]
EDGE_COLUMNS = [
    "direction",
    "kind",
    "parent_item",
    "parent_lot",
    "child_item",
    "child_lot",
    "qty",
    "task",
    "at",
    "event_id",
]
STOCK_COLUMNS = ["site", "location", "item", "lot", "qty", "unit"]
MOVEMENT_COLUMNS = [
    "kind",
    "at",
    "item",
    "lot",
    "qty",
    "unit",
    "partner",
    "document",
    "location",
    "station",
    "event_id",
]
CUSTOMER_COLUMNS = [
    "customer",
    "shipments",
    "quantities",
    "first_shipped",
    "last_shipped",
    "lots",
    "documents",
]
PALLET_COLUMNS = ["sscc", "item", "lot", "qty", "built_at", "broken_at"]


def _rows(objects: list[Any], columns: list[str]) -> Iterator[list[Any]]:
    for o in objects:
        yield [_flat(getattr(o, c)) for c in columns]


def _flat(value: Any) -> Any:
    if isinstance(value, dict):
        return "; ".join(f"{v:g} {k}".strip() for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def edge_qty(value: float | None) -> Any:
    return "unknown" if value is None else value


def trace_sheets(result: TraceResult) -> list[Sheet]:
    edges = [
        [
            e.direction,
            e.kind,
            e.parent_item,
            e.parent_lot,
            e.child_item,
            e.child_lot,
            edge_qty(e.qty),
            e.task,
            e.at,
            e.event_id,
        ]
        for e in result.edges
    ]
    return [
        Sheet("Lots", LOT_COLUMNS, _rows(result.lots, LOT_COLUMNS)),
        Sheet("Edges", EDGE_COLUMNS, edges),
        Sheet("Stock", STOCK_COLUMNS, _rows(result.stock, STOCK_COLUMNS)),
        Sheet("Shipments", MOVEMENT_COLUMNS, _rows(result.shipments, MOVEMENT_COLUMNS)),
        Sheet("Receipts", MOVEMENT_COLUMNS, _rows(result.receipts, MOVEMENT_COLUMNS)),
        Sheet("Pallets", PALLET_COLUMNS, _rows(result.pallets, PALLET_COLUMNS)),
    ]


# What to pull and whom to tell; the genealogy edges (how each lot is affected) are in recall.json.
RECALL_TABLES = ("Lots", "Stock", "Shipments", "Pallets")


def _recall_sheets(report: RecallReport) -> list[Sheet]:
    return [
        *[s for s in trace_sheets(report.trace) if s.title in RECALL_TABLES],
        Sheet("Customers", CUSTOMER_COLUMNS, _rows(report.customers, CUSTOMER_COLUMNS)),
    ]


def write_recall(report: RecallReport, directory: Path) -> list[Path]:
    """recall.json (everything), recall.xlsx (summary, lots, stock, shipments, pallets, customers),
    one CSV per table, and notices/ (one per customer and supplier, markdown and JSON)."""
    directory.mkdir(parents=True, exist_ok=True)
    summary = report.summary()
    written = [directory / "recall.json", directory / "recall.xlsx"]
    # Sheets are generators: build them afresh for each writer.
    summary_sheet = Sheet("Summary", ["field", "value"], [[k, _flat(v)] for k, v in summary.items()])
    # The workbook is written by a forked process (no database: the report is all in memory)
    # while this one writes the JSON, the CSVs and the notices.
    book = [summary_sheet, *_recall_sheets(report)]
    with alongside(lambda: write_xlsx(written[1], book), "the recall workbook"):
        written[0].write_text(report.to_json(), encoding="utf-8")
        for sheet in _recall_sheets(report):
            path = directory / f"{sheet.title.lower()}.csv"
            write_csv_file(path, sheet.columns, sheet.rows)
            written.append(path)
        written += write_notices(report.notices, directory)
    return written
