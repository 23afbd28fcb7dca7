"""The audit chain: central's event log, hash-chained per site.

Every stored event gets a record (site, site_seq, prev_hash, hash) where
    hash = sha256(prev_hash + US + canonical(event))
and canonical(event) joins the event's stored fields with the unit separator (US, 0x1F). The
first record of a site chains to GENESIS. Changing, removing or reordering an event or a chain
record breaks its own hash or the link to the next record; `verify` names the first record of
every break. audit_heads holds each site's newest record, so removing the newest records is found
too, and its row lock keeps concurrent pushes from one site from forking the chain.

The canonical form is computed in Python when appending and, on PostgreSQL, in SQL when
verifying (set-based, no rows through Python); tests check both agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lotscan.central.schema import received_events
from lotscan.central.trace.tables import audit_heads, audit_log

GENESIS = "0" * 64
SEPARATOR = "\x1f"
FIELDS = (
    "server_seq",
    "id",
    "station",
    "station_seq",
    "site",
    "operator",
    "occurred_at",
    "received_at",
    "type",
    "payload",
    "outcome",
    "outcome_reason",
)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def canonical(event: dict[str, Any]) -> str:
    parts = []
    for name in FIELDS:
        value = event.get(name)
        if value is None:
            parts.append("")
        elif isinstance(value, datetime):
            parts.append(value.strftime(TIME_FORMAT))
        else:
            parts.append(str(value))
    return SEPARATOR.join(parts)


def chain_hash(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + SEPARATOR + canonical(event)).encode("utf-8")).hexdigest()


def append(conn: Connection, events: list[dict[str, Any]]) -> None:
    """Chain stored events (dicts with every FIELDS key, server_seq included), in server_seq order,
    inside the caller's transaction."""
    ordered = sorted(events, key=lambda e: (e["site"], e["server_seq"]))
    for site, group in groupby(ordered, key=lambda e: e["site"]):
        seq, last = _lock_head(conn, site)
        records = []
        for event in group:
            seq += 1
            digest = chain_hash(last, event)
            records.append(
                {
                    "server_seq": event["server_seq"],
                    "site": site,
                    "site_seq": seq,
                    "prev_hash": last,
                    "hash": digest,
                }
            )
            last = digest
        conn.execute(insert(audit_log), records)
        conn.execute(update(audit_heads).where(audit_heads.c.site == site).values(site_seq=seq, hash=last))


def _lock_head(conn: Connection, site: str) -> tuple[int, str]:
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        dialect_insert(audit_heads).values(site=site, site_seq=0, hash=GENESIS).on_conflict_do_nothing()
    )
    row = conn.execute(
        select(audit_heads.c.site_seq, audit_heads.c.hash).where(audit_heads.c.site == site).with_for_update()
    ).one()
    return int(row.site_seq), str(row.hash)


def seal_unchained(conn: Connection) -> int:
    """Chain events stored before the chain existed (or by a path that did not chain them)."""
    # NOT EXISTS rather than NOT IN: both databases plan it as an anti-join on the primary key.
    chained = select(audit_log.c.server_seq).where(audit_log.c.server_seq == received_events.c.server_seq)
    rows = conn.execute(
        select(*(received_events.c[name] for name in FIELDS))
        .where(~chained.exists())
        .order_by(received_events.c.server_seq)
    ).all()
    append(conn, [dict(r._mapping) for r in rows])
    return len(rows)


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Finding:
    problem: str  # altered | removed | broken_link | missing_records | unchained | tail_removed
    site: str
    site_seq: int | None
    server_seq: int | None
    event_id: str | None
    station: str | None
    station_seq: int | None
    message: str


@dataclass
class Verification:
    records: int
    sites: int
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


def _describe(
    site: str, site_seq: int | None, server_seq: Any, event_id: Any, station: Any, station_seq: Any
) -> str:
    where = f"site {site} record {site_seq} (server seq {server_seq}"
    if event_id:
        where += f", event {event_id} from station {station} seq {station_seq}"
    return where + ")"


def verify(conn: Connection) -> Verification:
    if conn.dialect.name == "postgresql":
        findings, records, sites = _verify_in_sql(conn)
    else:
        findings, records, sites = _verify_in_python(conn)
    findings += _unchained(conn) + _tails(conn)
    findings.sort(key=lambda f: (f.site, f.site_seq or 0, f.problem))
    return Verification(records, sites, findings)


def _chain_rows(conn: Connection) -> Iterator[Any]:
    a, e = audit_log, received_events
    query = (
        select(
            a.c.site,
            a.c.site_seq,
            a.c.server_seq,
            a.c.prev_hash,
            a.c.hash,
            *(e.c[n].label(f"e_{n}") for n in FIELDS),
        )
        .select_from(a.outerjoin(e, e.c.server_seq == a.c.server_seq))
        .order_by(a.c.site, a.c.site_seq)
    )
    yield from conn.execution_options(yield_per=10_000).execute(query)


def _verify_in_python(conn: Connection) -> tuple[list[Finding], int, int]:
    findings: list[Finding] = []
    records = 0
    sites = 0
    previous: tuple[str, int, str] | None = None  # site, site_seq, hash
    for r in _chain_rows(conn):
        records += 1
        event = {n: getattr(r, f"e_{n}") for n in FIELDS}
        if previous is None or previous[0] != r.site:
            sites += 1
            previous = (r.site, 0, GENESIS)
        removed = event["id"] is None
        findings += _findings(
            _Record(
                r.site, int(r.site_seq), r.server_seq, event["id"], event["station"], event["station_seq"]
            ),
            before_seq=previous[1],
            gap=int(r.site_seq) != previous[1] + 1,
            broken=r.prev_hash != previous[2],
            removed=removed,
            altered=not removed and chain_hash(r.prev_hash, event) != r.hash,
        )
        previous = (r.site, int(r.site_seq), r.hash)
    return findings, records, sites


@dataclass(frozen=True)
class _Record:
    site: str
    site_seq: int
    server_seq: Any
    event_id: Any
    station: Any
    station_seq: Any


def _findings(
    record: _Record, *, before_seq: int, gap: bool, broken: bool, removed: bool, altered: bool
) -> list[Finding]:
    name = _describe(
        record.site, record.site_seq, record.server_seq, record.event_id, record.station, record.station_seq
    )

    def finding(problem: str, message: str) -> Finding:
        return Finding(
            problem,
            record.site,
            record.site_seq,
            record.server_seq,
            record.event_id,
            record.station,
            record.station_seq,
            f"{name}: {message}",
        )

    found = []
    if gap:
        first, last = before_seq + 1, record.site_seq - 1
        missing = f"record {first} is missing" if first == last else f"records {first}..{last} are missing"
        found.append(finding("missing_records", missing))
    elif broken:
        found.append(finding("broken_link", "does not chain to the record before it (reordered or replaced)"))
    if removed:
        found.append(finding("removed", "its event is no longer in the event log"))
    elif altered:
        found.append(finding("altered", "the event's content no longer matches its hash (altered)"))
    return found


def _sql_canonical() -> str:
    def part(name: str) -> str:
        column = f"e.{name}"
        if name in ("occurred_at", "received_at"):
            return f"coalesce(to_char({column}, 'YYYY-MM-DD HH24:MI:SS.US'), '')"
        return f"coalesce({column}::text, '')"

    return " || chr(31) || ".join(part(n) for n in FIELDS)


def _verify_in_sql(conn: Connection) -> tuple[list[Finding], int, int]:
    # Two set-based passes, each with a plan that needs no big sort or hash: recompute every hash
    # along a merge join of chain and event log (both in server_seq order), then check each
    # record's link to the one before it along the (site, site_seq) index. Only breaks come back.
    conn.exec_driver_sql("SET LOCAL jit = off")
    flags: dict[int, dict[str, Any]] = {}
    hashes = text(f"""
SELECT a.server_seq, a.site, a.site_seq, e.server_seq IS NULL AS removed
FROM audit_log a LEFT JOIN received_events e ON e.server_seq = a.server_seq
WHERE e.server_seq IS NULL
   OR encode(sha256(convert_to(a.prev_hash || chr(31) || {_sql_canonical()}, 'UTF8')), 'hex') <> a.hash
""")
    for r in conn.execute(hashes):
        flags[int(r.server_seq)] = {
            "site": r.site,
            "site_seq": int(r.site_seq),
            "removed": bool(r.removed),
            "altered": not r.removed,
        }
    links = text(f"""
SELECT server_seq, site, site_seq, coalesce(before_seq, 0) AS before_seq,
       site_seq <> coalesce(before_seq, 0) + 1 AS gap,
       prev_hash <> coalesce(before_hash, '{GENESIS}') AS broken
FROM (
    SELECT server_seq, site, site_seq, prev_hash,
           lag(site_seq) OVER w AS before_seq, lag(hash) OVER w AS before_hash
    FROM audit_log WINDOW w AS (PARTITION BY site ORDER BY site_seq)
) c
WHERE site_seq <> coalesce(before_seq, 0) + 1 OR prev_hash <> coalesce(before_hash, '{GENESIS}')
""")
    for r in conn.execute(links):
        entry = flags.setdefault(int(r.server_seq), {"site": r.site, "site_seq": int(r.site_seq)})
        entry.update(before_seq=int(r.before_seq), gap=bool(r.gap), broken=bool(r.broken))
    events = {}
    if flags:
        e = received_events
        events = {
            int(r.server_seq): r
            for r in conn.execute(
                select(e.c.server_seq, e.c.id, e.c.station, e.c.station_seq).where(
                    e.c.server_seq.in_(list(flags))
                )
            )
        }
    findings = []
    for server_seq, f in flags.items():
        event = events.get(server_seq)
        record = _Record(
            f["site"],
            f["site_seq"],
            server_seq,
            event.id if event else None,
            event.station if event else None,
            event.station_seq if event else None,
        )
        findings += _findings(
            record,
            before_seq=f.get("before_seq", f["site_seq"] - 1),
            gap=f.get("gap", False),
            broken=f.get("broken", False),
            removed=f.get("removed", False),
            altered=f.get("altered", False),
        )
    records = int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar() or 0)
    sites = int(conn.execute(text("SELECT count(DISTINCT site) FROM audit_heads")).scalar() or 0)
    return findings, records, sites


def _unchained(conn: Connection) -> list[Finding]:
    rows = conn.execute(
        select(
            received_events.c.server_seq,
            received_events.c.site,
            received_events.c.id,
            received_events.c.station,
            received_events.c.station_seq,
        )
        .where(
            ~select(audit_log.c.server_seq)
            .where(audit_log.c.server_seq == received_events.c.server_seq)
            .exists()
        )
        .order_by(received_events.c.server_seq)
    )
    return [
        Finding(
            "unchained",
            r.site,
            None,
            r.server_seq,
            r.id,
            r.station,
            r.station_seq,
            f"event {r.id} (server seq {r.server_seq}, station {r.station} seq {r.station_seq}) is in the "
            "event log but not in the audit chain (inserted behind its back, or stored before it existed: "
            "`lotscan central audit seal` chains those)",
        )
        for r in rows
    ]


def _tails(conn: Connection) -> list[Finding]:
    heads = conn.execute(select(audit_heads.c.site, audit_heads.c.site_seq, audit_heads.c.hash)).all()
    found = []
    for site, seq, digest in heads:
        last = conn.execute(
            select(audit_log.c.site_seq, audit_log.c.hash)
            .where(audit_log.c.site == site)
            .order_by(audit_log.c.site_seq.desc())
            .limit(1)
        ).first()
        if last is None or int(last.site_seq) != int(seq) or last.hash != digest:
            have = "none" if last is None else str(last.site_seq)
            found.append(
                Finding(
                    "tail_removed",
                    site,
                    int(seq),
                    None,
                    None,
                    None,
                    None,
                    f"site {site}: the chain's head says record {seq} is the newest, the log ends at {have}: "
                    "the newest records were removed or replaced",
                )
            )
    return found
