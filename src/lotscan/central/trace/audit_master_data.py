"""The master data central import writes, besides operators, recorded as decisions so that `audit
verify` names a row changed behind the chain's back (issue 9 item 5): sites, locations (their site,
hold and pickable flags), items (GTIN, unit, pack size, shelf life, ...), parties (customers and
suppliers), tasks and task lines as imported (the expected quantity, the lot and SSCC asked for).

Each kind says which columns it records (audit_master.py is the mechanism). Codes of other rows are
recorded by code (a location's site, a task line's item), so a row pointed at another one is named.
Not recorded: a task line's `qty_done` and `qty_short`, which pushed picks and shorts change (their
events are chained); a lot's status and holder (audit_lots.py); stock (`verify --stock`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, Connection, Table, select
from sqlalchemy.orm import aliased

from lotscan.central.trace import audit_master
from lotscan.central.trace.audit_master import Recorded
from lotscan.services.importer import Row
from lotscan.store.schema import Item, Location, Party, Site, Task, TaskLine

State = dict[str, Any]  # a row's recorded columns
_TaskItem = aliased(Item)
_LineItem = aliased(Item)


def _every_column_of(table: Table, but: tuple[str, ...] = ("id", "code")) -> list[Column[Any]]:
    """A table's columns but these: a column added later is recorded and judged too."""
    return [column for column in table.c if column.name not in but]


SITES = Recorded(
    noun="site",
    rows=lambda: select(Site.id, Site.code.label("key"), *_every_column_of(Site.__table__)),
    among=lambda: Site.code,
)
LOCATIONS = Recorded(
    noun="location",
    rows=lambda: select(
        Location.id,
        Location.code.label("key"),
        Site.code.label("site"),
        Location.gln,
        Location.name,
        Location.pickable,
        Location.is_hold,
    ).outerjoin(Site, Site.id == Location.site_id),
    among=lambda: Location.code,
)
ITEMS = Recorded(
    noun="item",
    rows=lambda: select(Item.id, Item.code.label("key"), *_every_column_of(Item.__table__)),
    among=lambda: Item.code,
)
PARTIES = Recorded(
    noun="party",
    rows=lambda: select(Party.id, Party.code.label("key"), *_every_column_of(Party.__table__)),
    among=lambda: Party.code,
)
TASKS = Recorded(
    noun="task",
    rows=lambda: (
        select(
            Task.id,
            Task.code.label("key"),
            Task.kind,
            Task.status,
            Task.partner,
            Task.due,
            _TaskItem.code.label("item"),
            Task.planned_qty,
            Task.line,
            Location.code.label("location"),
        )
        .outerjoin(_TaskItem, _TaskItem.id == Task.item_id)
        .outerjoin(Location, Location.id == Task.location_id)
    ),
    among=lambda: Task.code,
)
TASK_LINES = Recorded(
    noun="task_line",
    rows=lambda: (
        select(
            TaskLine.id,
            (Task.code + "/" + TaskLine.line_no.cast(Task.code.type)).label("key"),
            _LineItem.code.label("item"),
            TaskLine.qty_expected,
            TaskLine.lot_code,
            TaskLine.sscc,
        )
        .join(Task, Task.id == TaskLine.task_id)
        .outerjoin(_LineItem, _LineItem.id == TaskLine.item_id)
    ),
    among=lambda: Task.code,
)

# Import table -> the kind it writes, and the code of a row that finds what it wrote (`among`).
BY_TABLE: dict[str, tuple[Recorded, str]] = {
    "sites": (SITES, "code"),
    "locations": (LOCATIONS, "code"),
    "items": (ITEMS, "code"),
    "parties": (PARTIES, "code"),
    "tasks": (TASKS, "code"),
    "task_lines": (TASK_LINES, "task"),
}
KINDS = tuple(kind for kind, _ in BY_TABLE.values())
MIGRATION = "migration 0018"


def _among(tables: Mapping[str, list[Row]]) -> dict[str, list[str]]:
    return {
        name: [row.text(column) or "" for row in tables[name]]
        for name, (_, column) in BY_TABLE.items()
        if tables.get(name)
    }


def before_import(
    conn: Connection, tables: Mapping[str, list[Row]]
) -> dict[str, dict[str, dict[str, object]]]:
    """The recorded state of every row the import may change, per import table."""
    return {
        name: audit_master.states(conn, BY_TABLE[name][0], codes) for name, codes in _among(tables).items()
    }


def record_import(
    conn: Connection,
    tables: Mapping[str, list[Row]],
    before: Mapping[str, dict[str, State]],
    *,
    by: str,
) -> None:
    """Each row the import added or changed, one `NOUN.imported` decision each."""
    for name, codes in _among(tables).items():
        source = ", ".join(sorted({row.source for row in tables[name]}))
        audit_master.record_import(conn, BY_TABLE[name][0], codes, before[name], by=by, source=source)


def record_unrecorded(conn: Connection) -> None:
    """Record (migration 0018) every row of these kinds central held before they were recorded."""
    for kind in KINDS:
        audit_master.record_unrecorded(conn, kind, by=MIGRATION)
