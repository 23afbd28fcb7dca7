"""Who is online, their last push and pull, how far behind they are and what they still hold."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from lotscan.central import changelog
from lotscan.central.changelog import utcnow
from lotscan.central.schema import received_events, stations

ONLINE_WITHIN = timedelta(seconds=90)


def stations_overview(conn: Connection) -> list[dict[str, Any]]:
    latest = changelog.latest_seq(conn)
    now = utcnow()
    counts: dict[str, int] = dict(
        conn.execute(
            select(received_events.c.station, func.count()).group_by(received_events.c.station)
        ).all()
    )
    out = []
    for r in conn.execute(select(stations).order_by(stations.c.name)):
        seen = r.last_seen_at
        out.append(
            {
                "station": r.name,
                "site": r.site,
                "state": "revoked"
                if r.revoked_at
                else ("waiting for enrolment" if not r.enrolled_at else "enrolled"),
                "online": bool(seen and not r.revoked_at and now - seen <= ONLINE_WITHIN),
                "last_push_at": r.last_push_at.isoformat() if r.last_push_at else None,
                "last_pull_at": r.last_pull_at.isoformat() if r.last_pull_at else None,
                "last_seq": int(r.last_seq or 0),
                "events": int(counts.get(r.name, 0)),
                "pending_at_station": r.pending,
                "lag_changes": None if r.pull_cursor is None else max(0, latest - int(r.pull_cursor)),
                "clock_skew_s": r.clock_skew_s,
            }
        )
    return out
