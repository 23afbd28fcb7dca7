"""Checks the audit chains: every record's hash against the row it covers (set-based SQL on
PostgreSQL, Python on SQLite, the same canonical text), every link to the record before it, the
heads, rows stored without a record, each lot's current status and holder against its last
recorded decision (audit_lots), the genealogy against the chained events that made it
(audit_links), each operator and each row of the master data central imports (sites, locations,
items, parties, tasks, task lines) against the last decision that recorded it (audit_master);
when asked (`--stock`), each lot's stock, in total and per location, against the chained events
and imported opening stock (the drill's mass balance, over every lot). Each finding names the
record and what it covers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select, text

from lotscan.central.schema import received_events
from lotscan.central.trace.audit_links import LINK, LINK_MISSING, LINK_UNEXPLAINED, link_mismatches
from lotscan.central.trace.audit_lots import (
    HOLDER_MISMATCH,
    LOT,
    NO_DECISION,
    STATUS_MISMATCH,
    lot_mismatches,
)
from lotscan.central.trace.audit_master import Recorded, mismatches
from lotscan.central.trace.audit_master_data import KINDS as MASTER_DATA
from lotscan.central.trace.audit_operators import OPERATORS, operator_mismatches
from lotscan.central.trace.audited import (
    GENESIS,
    KINDS,
    Audited,
    chain_hash,
    chain_of,
    sql_canonical,
    unchained_query,
)
from lotscan.central.trace.tables import audit_heads, audit_log
from lotscan.store.schema import Item, Location, Lot, Stock

STOCK_MISMATCH = "stock_mismatch"

PROBLEMS = (
    "altered",
    "removed",
    "unknown_kind",
    "broken_link",
    "missing_records",
    "unchained",
    "tail_removed",
    STATUS_MISMATCH,
    HOLDER_MISMATCH,
    NO_DECISION,
    LINK_MISSING,
    LINK_UNEXPLAINED,
    *(problem for recorded in (OPERATORS, *MASTER_DATA) for problem in recorded.problems),
    STOCK_MISMATCH,
)


@dataclass(frozen=True)
class Finding:
    problem: str  # one of PROBLEMS
    site: str  # the chain: a site code or COMPANY_CHAIN
    site_seq: int | None
    kind: str | None
    ref: int | None  # the covered row's key (server_seq of an event, id of a decision row)
    event_id: str | None
    station: str | None
    station_seq: int | None
    message: str

    @property
    def server_seq(self) -> int | None:
        return self.ref if self.kind is not None and self.kind.startswith("event") else None


@dataclass
class Verification:
    records: int
    sites: int  # chains checked (every site's, and the company chain)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass
class _Flags:
    kind: str | None = None
    ref: int | None = None
    removed: bool = False
    altered: bool = False
    unknown: bool = False
    gap_from: int | None = None  # first missing seq when records before this one are missing
    broken: bool = False


def verify(conn: Connection, *, stock: bool = False) -> Verification:
    """Every check above; with `stock`, each lot's stock against its events too (`_stock_found`:
    it replays every event, so it costs about the event log again and is asked for)."""
    flags: dict[tuple[str, int], _Flags] = {}
    in_sql = conn.dialect.name == "postgresql"
    if in_sql:
        conn.exec_driver_sql("SET LOCAL jit = off")
    for audited in KINDS.values():
        found = _hashes_in_sql(conn, audited) if in_sql else _hashes_in_python(conn, audited)
        for chain, seq, ref, removed in found:
            flags[(chain, seq)] = _Flags(audited.kind, ref, removed=removed, altered=not removed)
    for chain, seq, kind, ref in conn.execute(
        select(audit_log.c.site, audit_log.c.site_seq, audit_log.c.kind, audit_log.c.ref).where(
            audit_log.c.kind.not_in(list(KINDS))
        )
    ):
        flags[(chain, int(seq))] = _Flags(kind, int(ref), unknown=True)
    for chain, seq, kind, ref, before, gap, broken in _links(conn, in_sql):
        entry = flags.setdefault((chain, seq), _Flags(kind, ref))
        entry.kind, entry.ref = kind, ref
        entry.gap_from = before + 1 if gap else None
        entry.broken = broken and not gap
    findings = _describe(conn, flags) + _unchained(conn) + _tails(conn) + _lots(conn)
    findings += _links_found(conn) + _master_data_found(conn) + (_stock_found(conn) if stock else [])
    findings.sort(key=lambda f: (f.site, f.site_seq or 0, PROBLEMS.index(f.problem), f.ref or 0))
    records = int(conn.execute(select(func.count()).select_from(audit_log)).scalar() or 0)
    chains = int(conn.execute(select(func.count()).select_from(audit_heads)).scalar() or 0)
    return Verification(records, chains, findings)


def _hashes_in_python(conn: Connection, audited: Audited) -> Iterator[tuple[str, int, int, bool]]:
    a, t = audit_log, audited.table
    key = t.c[audited.key]
    query = (
        select(
            a.c.site,
            a.c.site_seq,
            a.c.ref,
            a.c.prev_hash,
            a.c.hash,
            key.label("k_"),
            *(t.c[n].label(f"f_{n}") for n in audited.fields),
        )
        .select_from(a.outerjoin(t, key == a.c.ref))
        .where(a.c.kind == audited.kind)
    )
    for r in conn.execution_options(yield_per=10_000).execute(query):
        if r.k_ is None:
            yield r.site, int(r.site_seq), int(r.ref), True
            continue
        row = {n: getattr(r, f"f_{n}") for n in audited.fields}
        if chain_hash(r.prev_hash, audited, row) != r.hash:
            yield r.site, int(r.site_seq), int(r.ref), False


def _hashes_in_sql(conn: Connection, audited: Audited) -> Iterator[tuple[str, int, int, bool]]:
    # One set-based pass per kind along the (kind, ref) index and the table's key; only breaks
    # come back.
    key = f"t.{audited.key}"
    query = text(f"""
SELECT a.site, a.site_seq, a.ref, {key} IS NULL AS removed
FROM audit_log a LEFT JOIN {audited.table.name} t ON {key} = a.ref
WHERE a.kind = :kind AND ({key} IS NULL OR
      encode(sha256(convert_to(a.prev_hash || chr(31) || {sql_canonical(audited)}, 'UTF8')), 'hex') <> a.hash)
""")
    for r in conn.execute(query, {"kind": audited.kind}):
        yield r.site, int(r.site_seq), int(r.ref), bool(r.removed)


_LINKS_SQL = text(f"""
SELECT site, site_seq, kind, ref, coalesce(before_seq, 0) AS before_seq,
       site_seq <> coalesce(before_seq, 0) + 1 AS gap,
       prev_hash <> coalesce(before_hash, '{GENESIS}') AS broken
FROM (
    SELECT site, site_seq, kind, ref, prev_hash,
           lag(site_seq) OVER w AS before_seq, lag(hash) OVER w AS before_hash
    FROM audit_log WINDOW w AS (PARTITION BY site ORDER BY site_seq)
) c
WHERE site_seq <> coalesce(before_seq, 0) + 1 OR prev_hash <> coalesce(before_hash, '{GENESIS}')
""")


def _links(conn: Connection, in_sql: bool) -> Iterator[tuple[str, int, str, int, int, bool, bool]]:
    """Records that do not follow the one before them: (chain, seq, kind, ref, before, gap, broken)."""
    if in_sql:
        for r in conn.execute(_LINKS_SQL):
            yield r.site, int(r.site_seq), r.kind, int(r.ref), int(r.before_seq), bool(r.gap), bool(r.broken)
        return
    a = audit_log
    query = select(a.c.site, a.c.site_seq, a.c.kind, a.c.ref, a.c.prev_hash, a.c.hash).order_by(
        a.c.site, a.c.site_seq
    )
    chain, seq, last = None, 0, GENESIS
    for r in conn.execution_options(yield_per=10_000).execute(query):
        if r.site != chain:
            chain, seq, last = r.site, 0, GENESIS
        gap = int(r.site_seq) != seq + 1
        if gap or r.prev_hash != last:
            yield r.site, int(r.site_seq), r.kind, int(r.ref), seq, gap, r.prev_hash != last
        seq, last = int(r.site_seq), r.hash


def _event_details(conn: Connection, refs: list[int]) -> dict[int, Any]:
    e = received_events
    found: dict[int, Any] = {}
    for start in range(0, len(refs), 5_000):
        chunk = refs[start : start + 5_000]
        query = select(e.c.server_seq, e.c.id, e.c.station, e.c.station_seq).where(e.c.server_seq.in_(chunk))
        found.update((int(r.server_seq), r) for r in conn.execute(query))
    return found


def _what(kind: str | None, ref: int | None, event: Any) -> str:
    if event is not None:
        return f"event {event.id} from station {event.station} seq {event.station_seq}"
    return f"{kind} #{ref}"


def _describe(conn: Connection, flags: dict[tuple[str, int], _Flags]) -> list[Finding]:
    def is_event(f: _Flags) -> bool:
        return f.ref is not None and (f.kind or "").startswith("event")

    events = _event_details(
        conn, sorted({f.ref for f in flags.values() if is_event(f) and f.ref is not None})
    )
    found = []
    for (chain, seq), f in flags.items():
        event = events.get(f.ref) if is_event(f) and f.ref is not None else None
        problems = []
        if f.gap_from is not None:
            first, last = f.gap_from, seq - 1
            missing = (
                f"record {first} is missing" if first == last else f"records {first}..{last} are missing"
            )
            problems.append(("missing_records", missing))
        if f.broken:
            problems.append(("broken_link", "does not chain to the record before it (reordered or replaced)"))
        if f.unknown:
            problems.append(("unknown_kind", f"its kind {f.kind!r} is not one the chain covers (forged)"))
        elif f.removed:
            problems.append(("removed", f"the {f.kind} row it covers is no longer stored"))
        elif f.altered:
            problems.append(("altered", "the row's content no longer matches its hash (altered)"))
        name = f"chain {chain} record {seq} ({_what(f.kind, f.ref, event)})"
        found += [
            Finding(
                problem,
                chain,
                seq,
                f.kind,
                f.ref,
                event.id if event is not None else None,
                event.station if event is not None else None,
                event.station_seq if event is not None else None,
                f"{name}: {message}",
            )
            for problem, message in problems
        ]
    return found


def _unchained(conn: Connection) -> list[Finding]:
    found = []
    for audited in KINDS.values():
        if audited.legacy:
            continue
        for row in conn.execute(unchained_query(audited)):
            m = row._mapping
            ref = int(m[audited.key])
            is_event = audited.table is received_events
            what = f"event {m['id']} from station {m['station']} seq {m['station_seq']}" if is_event else ""
            found.append(
                Finding(
                    "unchained",
                    chain_of(conn, audited, m),
                    None,
                    audited.kind,
                    ref,
                    m["id"] if is_event else None,
                    m["station"] if is_event else None,
                    m["station_seq"] if is_event else None,
                    f"{what or f'{audited.kind} #{ref}'} is stored but not in the audit chain (inserted "
                    "behind its back, or stored before the chain covered it: `lotscan central audit seal` "
                    "chains those)",
                )
            )
    return found


def _lots(conn: Connection) -> list[Finding]:
    return [
        Finding(m.problem, m.chain or "", m.site_seq, LOT, m.lot_id, None, None, None, m.message)
        for m in lot_mismatches(conn)
    ]


def _links_found(conn: Connection) -> list[Finding]:
    return [
        Finding(
            m.problem, m.chain or "", m.site_seq, LINK, m.ref, m.event_id, m.station, m.station_seq, m.message
        )
        for m in link_mismatches(conn)
    ]


def _master_data_found(conn: Connection) -> list[Finding]:
    """Each operator, site, location, item, party, task and task line that is not what its last
    recorded decision says (audit_master)."""
    found: list[tuple[Recorded, list[Any]]] = [(OPERATORS, list(operator_mismatches(conn)))]
    found += [(kind, list(mismatches(conn, kind))) for kind in MASTER_DATA]
    return [
        Finding(m.problem, m.chain or "", m.site_seq, kind.noun, m.ref, None, None, None, m.message)
        for kind, found_of_kind in found
        for m in found_of_kind
    ]


EVERY_LOT = "(SELECT id AS lot_id FROM lots)"  # the lot table the mass balance reads: all of them


def _stock_found(conn: Connection) -> list[Finding]:
    """Each lot whose stock (summed over its locations) is not what its chained events and
    imported opening stock leave (tester W3: `update stock set qty = 0` verified intact); and, of
    the lots whose total holds, each location whose stock is not what the same replay left there
    (stock moved between locations with an UPDATE, total unchanged)."""
    # Imported here: mass_balance -> opening -> decisions -> audit -> this module.
    from lotscan.central.trace.mass_balance import TERMS, TOLERANCE, mass_balance_and_stock

    balances, replayed = mass_balance_and_stock(conn, EVERY_LOT)
    movements = [term for term in TERMS if term != "on_hand"]
    found = []
    for b in balances:
        if not b.difference:
            break  # differences come first
        terms = ", ".join(f"{term} {getattr(b, term):g}" for term in movements)
        found.append(
            _stock_finding(
                f"lot {b.lot} of {b.item}: {b.on_hand:g} {b.unit} on hand in the stock table, "
                f"{b.on_hand + b.difference:g} by the chained events and imported opening stock ({terms})"
            )
        )
    balanced = {(b.item, b.lot): b.unit for b in balances if not b.difference}
    stored = _stock_by_location(conn)
    for key in sorted(set(stored) | {key for key, qty in replayed.items() if abs(qty) >= TOLERANCE}):
        item, lot, location = key
        unit = balanced.get((item, lot))
        table, by_events = stored.get(key, 0.0), replayed.get(key, 0.0)
        if unit is not None and abs(table - by_events) >= TOLERANCE:
            found.append(
                _stock_finding(
                    f"lot {lot} of {item} at {location or '(no location)'}: {table:g} {unit} in the "
                    f"stock table, {by_events:g} by the chained events and imported opening stock "
                    "(the lot's total holds: stock moved between its locations)"
                )
            )
    return found


def _stock_finding(message: str) -> Finding:
    return Finding(STOCK_MISMATCH, "", None, "stock", None, None, None, None, message)


def _stock_by_location(conn: Connection) -> dict[tuple[str, str, str], float]:
    """The stock table per (item, lot, location code), as the replay keys it."""
    query = (
        select(Item.code, Lot.code, Location.code, Stock.qty)
        .select_from(Stock)
        .join(Lot, Lot.id == Stock.lot_id)
        .join(Item, Item.id == Lot.item_id)
        .join(Location, Location.id == Stock.location_id)
    )
    found: dict[tuple[str, str, str], float] = {}
    for item, lot, location, qty in conn.execute(query):
        found[(item, lot, location)] = found.get((item, lot, location), 0.0) + float(qty)
    return found


def _tails(conn: Connection) -> list[Finding]:
    heads = conn.execute(select(audit_heads.c.site, audit_heads.c.site_seq, audit_heads.c.hash)).all()
    found = []
    for chain, seq, digest in heads:
        last = conn.execute(
            select(audit_log.c.site_seq, audit_log.c.hash)
            .where(audit_log.c.site == chain)
            .order_by(audit_log.c.site_seq.desc())
            .limit(1)
        ).first()
        if last is None or int(last.site_seq) != int(seq) or last.hash != digest:
            have = "none" if last is None else str(last.site_seq)
            found.append(
                Finding(
                    "tail_removed",
                    chain,
                    int(seq),
                    None,
                    None,
                    None,
                    None,
                    None,
                    f"chain {chain}: its head says record {seq} is the newest, the chain ends at {have}: "
                    "the newest records were removed or replaced",
                )
            )
    return found
