"""The change log stations pull from, and why its cursor never skips a committed row.

Every writer reserves its seqs with one `UPDATE change_counter ... RETURNING` as the LAST step
before inserting its changes and committing. The counter row stays locked until that commit,
so a second writer waits, and seqs are handed out in commit order: whenever a poller sees seq
N committed, every seq below N is already committed (or was rolled back and never appears).
A plain sequence gives no such promise: T1 takes 5, T2 takes 6 and commits first, a poller
reads 6, moves its cursor past 5, and never sees T1's row. SQLite has one writer at a time, so
the same code is correct there too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, text, update

from lotscan.central import site_scope
from lotscan.central.db import Tail
from lotscan.central.schema import change_counter, changes
from lotscan.domain.events.keys import Key
from lotscan.store.rows import RowData, read_rows


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Entry:
    key: Key
    data: RowData
    site: str | None
    urgent: bool = False


def encode_key(key: Key) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def entries_for(
    conn: Connection,
    keys: Iterable[Key],
    *,
    urgent: bool = False,
    known: Mapping[Key, tuple[RowData, str | None]] | None = None,
) -> list[Entry]:
    """The current state of each row (deduplicated, first-seen order) as change entries; a
    customer only for the sites naming it, links with other sites' task codes blanked
    (site_scope). `known`: rows (data, site) the caller holds as they stand now, not read again."""
    seen: dict[Key, None] = dict.fromkeys(keys)
    known = known or {}
    unknown = [k for k in seen if k not in known]
    read = {key: (data, site) for key, data, site in read_rows(conn, unknown)}
    rows = [(key, *(known[key] if key in known else read[key])) for key in seen]
    return [
        Entry(key, version, to, urgent)
        for key, data, site in rows
        for version, to in site_scope.scoped(conn, key, data, site)
    ]


def append(conn: Connection, entries: list[Entry], *, tail: Tail | None = None) -> int:
    """Add entries to the log inside the caller's transaction; returns the last seq used (0
    when put into `tail`).

    Call it last in the transaction: the counter row lock it takes is held until commit.
    PostgreSQL with `tail`: the append is put there, for `Tail.commit` to send with the COMMIT,
    so the lock is held for no round trip at all.
    """
    if not entries:
        return 0
    if conn.dialect.name == "postgresql":
        if tail is not None:
            tail.add(_APPEND, _append_values(entries))
            return 0
        return _append_in_one_statement(conn, entries)
    top = conn.execute(
        update(change_counter)
        .where(change_counter.c.id == 1)
        .values(value=change_counter.c.value + len(entries))
        .returning(change_counter.c.value)
    ).scalar_one()
    first = int(top) - len(entries) + 1
    now = utcnow()
    conn.execute(
        insert(changes),
        [
            {
                "seq": first + i,
                "site": e.site,
                "key": encode_key(e.key),
                "data": None if e.data is None else json.dumps(e.data, separators=(",", ":")),
                "urgent": e.urgent,
                "created_at": now,
            }
            for i, e in enumerate(entries)
        ],
    )
    return int(top)


# PostgreSQL: reserve the seqs and insert the rows in one round trip, so the counter lock (which
# every writer waits for) is held for as short a time as possible.
_APPEND = text(
    "WITH counter AS ("
    " UPDATE change_counter SET value = value + :n WHERE id = 1 RETURNING value)"
    " INSERT INTO changes (seq, site, key, data, urgent, created_at)"
    " SELECT counter.value - :n + t.ord, t.site, t.key, t.data, t.urgent, :now"
    " FROM counter, unnest(CAST(:sites AS varchar[]), CAST(:keys AS text[]), CAST(:datas AS text[]),"
    " CAST(:urgents AS boolean[])) WITH ORDINALITY AS t(site, key, data, urgent, ord)"
    " RETURNING seq"
)


def _append_values(entries: list[Entry]) -> dict[str, Any]:
    return {
        "n": len(entries),
        "now": utcnow(),
        "sites": [e.site for e in entries],
        "keys": [encode_key(e.key) for e in entries],
        "datas": [None if e.data is None else json.dumps(e.data, separators=(",", ":")) for e in entries],
        "urgents": [e.urgent for e in entries],
    }


def _append_in_one_statement(conn: Connection, entries: list[Entry]) -> int:
    seqs = conn.execute(_APPEND, _append_values(entries)).scalars()
    return max(int(s) for s in seqs)


def read_page(
    conn: Connection, after: int, site: str, limit: int
) -> list[tuple[int, list[str], RowData, bool]]:
    rows = conn.execute(
        select(changes.c.seq, changes.c.key, changes.c.data, changes.c.urgent)
        .where(changes.c.seq > after, or_(changes.c.site.is_(None), changes.c.site == site))
        .order_by(changes.c.seq)
        .limit(limit)
    ).all()
    return [
        (int(r[0]), json.loads(r[1]), None if r[2] is None else json.loads(r[2]), bool(r[3])) for r in rows
    ]


def latest_seq(conn: Connection) -> int:
    """The newest committed seq this transaction can see (never an uncommitted reservation)."""
    return int(conn.execute(select(change_counter.c.value).where(change_counter.c.id == 1)).scalar() or 0)


def floor(conn: Connection) -> int:
    """Seqs at or below the floor were pruned: a cursor below it must reload a snapshot."""
    return int(conn.execute(select(change_counter.c.floor).where(change_counter.c.id == 1)).scalar() or 0)


def prune(conn: Connection, keep: timedelta) -> int:
    """Forget changes older than `keep`; returns how many were removed."""
    cutoff = utcnow() - keep
    top = conn.execute(select(func.max(changes.c.seq)).where(changes.c.created_at < cutoff)).scalar()
    if top is None:
        return 0
    removed = conn.execute(delete(changes).where(changes.c.seq <= top)).rowcount
    conn.execute(
        update(change_counter)
        .where(change_counter.c.id == 1)
        .values(
            floor=func.max(change_counter.c.floor, top)
            if conn.dialect.name == "sqlite"
            else func.greatest(change_counter.c.floor, top)
        )
    )
    return int(removed or 0)
