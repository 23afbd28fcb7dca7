"""A full snapshot of one site, streamed as NDJSON from one consistent read.

Line 1: {"kind": "header", "cursor": N, "station_last_seq": M, "site": S, "tables": {name: [columns]}}
Then:   {"kind": "rows", "table": name, "rows": [[...], ...]}   (parents before children)
Last:   {"kind": "end", "rows": total}
Rows carry central's ids, so a station loads them without look-ups; after a snapshot the
station's own new rows take ids above them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, or_, select

from lotscan.central import changelog, site_scope
from lotscan.central.db import read_tx
from lotscan.central.schema import stations
from lotscan.central.tokens import StationIdentity
from lotscan.store.rows import SNAPSHOT_TABLES, snapshot_columns
from lotscan.store.schema import Container, Location, LotLink, Operator, Party, Site, Stock, Task, TaskLine

CHUNK = 5000


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _query(table: Any, site_locations: Select[Any], site_tasks: Select[Any], site: str) -> Select[Any]:
    query = select(table)
    name = table.name
    if name == Site.__tablename__:
        return query.where(table.c.code == site)
    if name == Location.__tablename__:
        return query.where(table.c.id.in_(site_locations))
    if name in (Stock.__tablename__, Container.__tablename__):
        return query.where(table.c.location_id.in_(site_locations))
    if name == Task.__tablename__:
        return query.where(or_(table.c.location_id.is_(None), table.c.location_id.in_(site_locations)))
    if name == Operator.__tablename__:  # every site's operators, and this site's own
        return query.where(or_(table.c.site.is_(None), table.c.site == site))
    if name == TaskLine.__tablename__:
        return query.where(table.c.task_id.in_(site_tasks))
    if name == Party.__tablename__:  # customers only of this site's tasks (site_scope)
        return query.where(site_scope.snapshot_parties(site_tasks))
    if name == LotLink.__tablename__:  # other sites' task codes blanked
        return site_scope.snapshot_links(site_locations)
    return query


def stream(engine: Engine, station: StationIdentity) -> Iterator[bytes]:
    with read_tx(engine) as conn:
        yield from _lines(conn, station)


def _lines(conn: Connection, station: StationIdentity) -> Iterator[bytes]:
    site_id = select(Site.id).where(Site.code == station.site).scalar_subquery()
    site_locations = select(Location.id).where(Location.site_id == site_id)
    site_tasks = select(Task.id).where(or_(Task.location_id.is_(None), Task.location_id.in_(site_locations)))
    header = {
        "kind": "header",
        "cursor": changelog.latest_seq(conn),
        "station_last_seq": int(
            conn.execute(select(stations.c.last_seq).where(stations.c.name == station.name)).scalar() or 0
        ),
        "site": station.site,
        "tables": {t.name: snapshot_columns(t) for t in SNAPSHOT_TABLES},
    }
    yield (json.dumps(header) + "\n").encode()
    total = 0
    for table in SNAPSHOT_TABLES:
        query = _query(table, site_locations, site_tasks, station.site).order_by(
            table.primary_key.columns.values()[0]
        )
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
        for part in result.partitions(CHUNK):
            rows = [[_plain(v) for v in row] for row in part]
            total += len(rows)
            yield (
                json.dumps({"kind": "rows", "table": table.name, "rows": rows}, separators=(",", ":")) + "\n"
            ).encode()
    yield (json.dumps({"kind": "end", "rows": total}) + "\n").encode()
