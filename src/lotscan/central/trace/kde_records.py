"""Importing FSMA 204 records of events that happen before our plant (harvesting, cooling,
initial packing, first land-based receiving) into central's `kde_records`, with the rules of
every import: all or nothing, a bad row named by file, row and column."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, delete, insert

from lotscan.central.trace.tables import kde_records
from lotscan.services.importer import Row

CTES = ("harvesting", "cooling", "initial_packing", "first_land_based_receiving")
TEXT_COLUMNS = (
    "tlc", "item", "product", "commodity_variety", "unit", "location", "previous_source", "recipient",
    "tlc_source", "tlc_source_reference", "doc_type", "doc_number", "harvest_date", "farm", "field_name",
    "harvester", "cooling_location",
)  # fmt: skip


def import_kde_records(conn: Connection, rows: list[Row], today: date) -> int:
    """Rows replace earlier imports of the same file (matched by `source`), so a re-import of a
    farm's file does not list its records twice."""
    values = []
    for row in rows:
        values.append(
            {
                "cte": row.choice("cte", CTES),
                **{column: row.text(column) for column in TEXT_COLUMNS},
                "qty": row.number_("qty"),
                "event_date": row.date_("event_date", today),
                "cooling_date": row.date_("cooling_date", today),
                "source": f"{row.source} row {row.number}",
            }
        )
    for source in {row.source for row in rows}:
        conn.execute(delete(kde_records).where(kde_records.c.source.like(f"{source} row %")))
    if values:
        conn.execute(insert(kde_records), values)
    return len(values)
