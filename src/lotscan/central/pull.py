"""Serving changes after a cursor, in pages, plus the current rows a station asks for."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from lotscan.central import changelog
from lotscan.central.changelog import utcnow
from lotscan.central.errors import BadBatch, ReloadRequired
from lotscan.central.schema import stations
from lotscan.central.tokens import StationIdentity
from lotscan.protocol import Change, KeyedRow, PullRequest, PullResponse
from lotscan.store.rows import read_row


def pull(conn: Connection, station: StationIdentity, request: PullRequest) -> PullResponse:
    """Run inside one read transaction (one snapshot): page, rows and last seq agree."""
    floor = changelog.floor(conn)
    if request.after < floor:
        raise ReloadRequired(
            f"cursor {request.after} is older than the change log central keeps (from {floor + 1}); "
            "reload a snapshot, then re-send unsent events",
            floor=floor,
        )
    page = changelog.read_page(conn, request.after, station.site, request.limit)
    rows = []
    for raw_key in request.keys:
        key = tuple(raw_key)
        try:
            data, site = read_row(conn, key)
        except (ValueError, IndexError) as exc:
            raise BadBatch(f"bad row key {raw_key!r}: {exc}") from exc
        if site is not None and site != station.site:
            continue  # another site's row: not this station's to read
        rows.append(KeyedRow(key=list(key), data=data))
    last_seq = int(
        conn.execute(select(stations.c.last_seq).where(stations.c.name == station.name)).scalar() or 0
    )
    return PullResponse(
        changes=[Change(seq=s, key=k, data=d, urgent=u) for s, k, d, u in page],
        rows=rows,
        next_cursor=page[-1][0] if page else request.after,
        has_more=len(page) == request.limit,
        station_last_seq=last_seq,
        server_time=utcnow(),
    )


def note_pull(conn: Connection, station: StationIdentity, cursor: int, pending: int | None) -> None:
    now = utcnow()
    conn.execute(
        update(stations)
        .where(stations.c.name == station.name)
        .values(last_pull_at=now, last_seen_at=now, pull_cursor=cursor, pending=pending)
    )
