"""Receiving a station's events: each has its effect exactly once, in station-seq order.

A seq central already holds is acknowledged with its stored outcome and not applied again; a
batch that would leave a hole is refused (409) with the seq central expects. Business outcomes
(applied, flagged, rejected, failed) are answers, not errors: a poison event is stored as
`failed` and the station's queue moves on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Float,
    Integer,
    String,
    column,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.exc import DataError, IntegrityError

from lotscan.central import changelog, tokens
from lotscan.central.changelog import utcnow
from lotscan.central.db import Tail
from lotscan.central.errors import BadBatch, Gap, Unauthorized
from lotscan.central.schema import lot_status_history, received_events, reconciliation_items, stations
from lotscan.central.status import creates_held_lot, note_creator, note_holder
from lotscan.central.tokens import StationIdentity
from lotscan.central.trace import hooks as trace_hooks
from lotscan.central.validation import Checked, RefusalCode, Refused, Validator, naive_utc, refusal_code
from lotscan.domain.events import (
    EventType,
    Key,
    LotProduced,
    LotStatusChanged,
    Payload,
    Row,
    StockCounted,
    StockMoved,
    StockReceived,
    event_keys,
)
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.status import LotStatus, status_phrase
from lotscan.protocol import (
    APPLIED,
    FAILED,
    FLAGGED,
    REJECTED,
    EventIn,
    EventResult,
    PushRequest,
    PushResponse,
)
from lotscan.services.checks import STATUS_REASONS
from lotscan.store.effects import BatchedEffects, EffectError, apply_event, batched
from lotscan.store.rows.readers import stock_row_data
from lotscan.store.schema import Item, Location, Lot, Site, Stock, Task, TaskLine

CONSUMING = (EventType.STOCK_CONSUMED, EventType.STOCK_PICKED, EventType.STOCK_SHIPPED)
# Stock added to an existing lot: received into it, or produced into it.
ADDING = (EventType.STOCK_RECEIVED, EventType.LOT_PRODUCED)
CREATING_LOTS = (StockReceived, LotProduced, StockCounted)  # may make their lot, with its status
BLOCKED_STATUSES = ("hold", "recalled", "quarantine", "rejected")
MAX_SKEW = timedelta(minutes=5)
FUTURE_TOLERANCE = timedelta(minutes=5)
POISON = (EffectError, KeyError, TypeError, ValueError, IntegrityError, DataError)


class _PoisonInBatch(Exception):
    pass


_OPTIMISTIC = "push_optimistic"  # the savepoint a batch is first applied under, all at once


@dataclass
class _Outcome:
    outcome: str
    reason: str | None = None
    code: str | None = None
    flags: list[dict[str, str]] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)


@dataclass
class _Batch:
    station: StationIdentity
    skew: timedelta
    station_time: datetime
    validator: Validator | None = None
    lot_statuses: dict[tuple[str, str], _LotStatus] = field(default_factory=dict)


@dataclass
class _LotStatus:
    """A lot's status history (oldest first) and current status, read once per batch."""

    history: list[tuple[str | None, str, datetime]]
    current: str

    def at(self, moment: datetime) -> str | None:
        before = [h for h in self.history if h[2] <= moment]
        if before:
            return before[-1][1]
        if self.history:  # before its first decision: what that decision changed, or (an import
            return self.history[0][0] or self.history[0][1]  # that created the lot) what it set
        return self.current


_MISSING = _LotStatus([], "")  # a lot the batch names that central did not hold when it was read

Stored = tuple[list[dict[str, Any]], list[int]]


def push_for_token(
    conn: Connection,
    token: str,
    request: PushRequest,
    *,
    chain_later: list[Stored] | None = None,
    tail: Tail | None = None,
) -> tuple[StationIdentity, PushResponse]:
    """`push` for the station whose token this is, checked inside the push's own transaction.

    PostgreSQL: the token check, the station row's lock and its push bookkeeping (last seq, last
    push, clock skew) are one statement, the push's first; a gap or a bad batch rolls it back
    with everything else. SQLite: the token is checked by the statement that locks the row."""
    now = utcnow()
    if conn.dialect.name != "postgresql":
        station, last_seq = tokens.lock_station(conn, token)
        return station, push(
            conn, station, request, chain_later=chain_later, locked=(last_seq, now, False), tail=tail
        )
    skew = naive_utc(request.station_time) - now
    row = conn.execute(
        _LOCK_AND_NOTE,
        {
            "token_hash": tokens.digest(token),
            "top": request.events[-1].seq if request.events else None,
            "now": now,
            "skew": skew.total_seconds(),
        },
    ).first()
    if row is None:
        tokens.station_for_token(conn, token)  # raises, saying which of the refusals it is
        raise Unauthorized("unknown station token")  # pragma: no cover - not reached
    station = StationIdentity(row.name, row.site)
    return station, push(
        conn, station, request, chain_later=chain_later, locked=(int(row.last_seq or 0), now, True), tail=tail
    )


# The station's row: locked by its token, and its push noted (the batch's last seq if it is
# newer, the time, the clock skew); returns the last seq before this push.
_LOCK_AND_NOTE = text(
    "UPDATE stations SET last_seq = GREATEST(stations.last_seq, CAST(:top AS bigint)),"
    " last_push_at = :now, last_seen_at = :now, clock_skew_s = :skew"
    " FROM (SELECT id, last_seq FROM stations WHERE token_hash = :token_hash AND revoked_at IS NULL"
    "  FOR UPDATE) AS before"
    " WHERE stations.id = before.id RETURNING stations.name, stations.site, before.last_seq"
)


def push(
    conn: Connection,
    station: StationIdentity,
    request: PushRequest,
    *,
    chain_later: list[Stored] | None = None,
    locked: tuple[int, datetime, bool] | None = None,
    tail: Tail | None = None,
) -> PushResponse:
    """Apply a batch inside the caller's (write) transaction.

    The traceability hooks (audit chain, pallet contents) run in the same transaction, unless
    `chain_later` is given: then the stored rows are put there for the caller to chain right
    after the commit (see central serve --audit). `locked`: the caller has locked the station's
    row already (`push_for_token`): its last seq before this push, the push's time, and whether
    the row's push bookkeeping is written already. `tail`: the statements that take the locks
    every push waits for (audit chain head, change counter) are put there instead of run, for
    the caller to send with its COMMIT (`Tail.commit`, one round trip on PostgreSQL).
    """
    now = locked[1] if locked else utcnow()
    station_time = naive_utc(request.station_time)
    skew = station_time - now
    if locked is not None:
        last_seq = locked[0]
    else:
        last_seq = int(
            conn.execute(
                select(stations.c.last_seq).where(stations.c.name == station.name).with_for_update()
            ).scalar()
            or 0
        )
    events = request.events
    for i, event in enumerate(events[1:], start=1):
        if event.seq != events[0].seq + i:
            raise BadBatch(
                f"events must be in consecutive seq order: seq {event.seq} follows {events[i - 1].seq}"
            )
    seen = [e for e in events if e.seq <= last_seq]
    fresh = [e for e in events if e.seq > last_seq]
    if fresh and fresh[0].seq != last_seq + 1:
        raise Gap(
            f"central holds this station's events up to seq {last_seq}; "
            f"the batch starts at {fresh[0].seq}. Send from seq {last_seq + 1}.",
            expected_seq=last_seq + 1,
        )
    results = _acknowledge_seen(conn, station, seen)
    batch = _Batch(station, skew, station_time)
    stored: _Stored | None = None
    if fresh:
        stored = _apply_fresh(conn, batch, fresh, now)
        results += stored.results
        last_seq = fresh[-1].seq
    if not (locked and locked[2]):
        conn.execute(
            update(stations)
            .where(stations.c.name == station.name)
            .values(last_seq=last_seq, last_push_at=now, last_seen_at=now, clock_skew_s=skew.total_seconds())
        )
    if stored is not None:
        # Last, because both take a lock every push of the site (audit head) or of central
        # (change counter) waits for: held only from here to the commit (with `tail`: only for
        # the database's own time, the statements sent with the COMMIT).
        if chain_later is None:  # audit chain, pallets
            trace_hooks.events_stored(conn, stored.rows, stored.server_seqs, tail=tail)
        else:
            trace_hooks.pallets_stored(conn, stored.rows)  # a pallet's site: not left to after the commit
            chain_later.append((stored.rows, stored.server_seqs))
        changelog.append(conn, stored.changes, tail=tail)
    return PushResponse(
        results=results, last_seq=last_seq, server_time=now, clock_skew_s=skew.total_seconds()
    )


def _acknowledge_seen(conn: Connection, station: StationIdentity, seen: list[EventIn]) -> list[EventResult]:
    if not seen:
        return []
    stored = {
        int(r.station_seq): r
        for r in conn.execute(
            select(
                received_events.c.station_seq,
                received_events.c.id,
                received_events.c.server_seq,
                received_events.c.outcome,
                received_events.c.outcome_reason,
            ).where(
                received_events.c.station == station.name,
                received_events.c.station_seq.between(seen[0].seq, seen[-1].seq),
            )
        )
    }
    results = []
    for event in seen:
        row = stored.get(event.seq)
        if row is None or row.id != event.id:
            held = row.id if row is not None else "nothing"
            results.append(
                EventResult(
                    id=event.id,
                    seq=event.seq,
                    server_seq=None,
                    outcome=REJECTED,
                    reason=f"{RefusalCode.SEQ_REUSED}: central holds {held} at seq {event.seq}; this event "
                    "was not stored. The station's outbox was reset, or another client used its token: "
                    "an admin revokes the station and enrols it again (docs/sync.md).",
                    code=RefusalCode.SEQ_REUSED.value,
                    duplicate=True,
                )
            )
            continue
        results.append(
            EventResult(
                id=event.id,
                seq=event.seq,
                server_seq=int(row.server_seq),
                outcome=row.outcome,
                reason=row.outcome_reason,
                code=_stored_code(row.outcome, row.outcome_reason),
                duplicate=True,
            )
        )
    return results


@dataclass
class _Stored:
    results: list[EventResult]
    rows: list[dict[str, Any]]
    server_seqs: list[int]
    changes: list[changelog.Entry]


def _apply_fresh(conn: Connection, batch: _Batch, events: list[EventIn], now: datetime) -> _Stored:
    batch.validator = Validator.for_batch(conn, batch.station, events)
    prepared = BatchedEffects()
    # Read before the stock rows are locked, so other pushes wait for them one round trip less.
    batch.lot_statuses = _lot_statuses(conn, events, batch.validator)
    # Before the savepoint: rolling back to it would release the row locks taken after it.
    locked = _lock_rows_in_order(conn, events, batch.validator, prepared)
    # Optimistic: the whole batch without per-event savepoints, ids looked up once and stock
    # written set-based at its end; only if one event turns out to be poison is the batch redone
    # with a savepoint around each event, one event's effects at a time.
    # A plain savepoint, never released: the commit ends it, and a RELEASE would cost every
    # push a round trip while it holds its stock rows' locks.
    conn.exec_driver_sql(f"SAVEPOINT {_OPTIMISTIC}")
    try:
        with batched(conn, prepared) as effects:
            outcomes = [_apply_one(conn, batch, e, isolate=False) for e in events]
            try:
                effects.flush(conn)
            except POISON as exc:
                raise _PoisonInBatch from exc
        # The stock rows locked up front, as the batch left them: their changes are not read
        # back (the batch holds their locks; only it changed them, and only their qty).
        known = {
            key: ({**row, "qty": prepared.stock[(lot_id, location_id)][1]}, site)
            for key, (lot_id, location_id, row, site) in locked.items()
        }
    except _PoisonInBatch:
        known = {}  # redone event by event, outside the batch's bookkeeping: read back
        conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {_OPTIMISTIC}")
        batch.validator = Validator.for_batch(conn, batch.station, events)
        batch.lot_statuses = _lot_statuses(conn, events, batch.validator)
        outcomes = [_apply_one(conn, batch, e, isolate=True) for e in events]
    rows = [_stored_row(batch, e, o, now) for e, o in zip(events, outcomes, strict=True)]
    server_seqs = _store_events(conn, rows)
    recon = [
        {
            "event_id": e.id,
            "server_seq": seq,
            "station": batch.station.name,
            "site": batch.station.site,
            "lot_code": e.lot_code or _lot_code(batch, e),
            "code": flag["code"],
            "message": flag["message"],
            "opened_at": now,
        }
        for e, o, seq in zip(events, outcomes, server_seqs, strict=True)
        for flag in o.flags
    ]
    if recon:
        conn.execute(insert(reconciliation_items), recon)
    keys = [k for o in outcomes for k in o.keys]
    results = [
        EventResult(id=e.id, seq=e.seq, server_seq=seq, outcome=o.outcome, reason=o.reason, code=o.code)
        for e, o, seq in zip(events, outcomes, server_seqs, strict=True)
    ]
    return _Stored(results, rows, server_seqs, changelog.entries_for(conn, keys, known=known))


def _array_type(kind: Any) -> str:
    """The PostgreSQL array a column's values travel in: text for strings, so storing one into
    its VARCHAR(n) column still fails on an overlong value instead of cutting it."""
    if isinstance(kind, (BigInteger, Integer)):
        return "bigint[]"
    if isinstance(kind, DateTime):
        return "timestamp[]"
    if isinstance(kind, Float):
        return "float8[]"
    return "text[]"


_EVENT_COLUMNS = [c.name for c in received_events.columns if c.name != "server_seq"]
# PostgreSQL: take the seqs in order and insert the batch in one statement, each column one
# array (not thousands of parameters); seq i goes to the batch's i-th event.
_INSERT_EVENTS = text(
    "WITH taken AS (SELECT nextval(pg_get_serial_sequence('received_events', 'server_seq')) AS s"
    " FROM generate_series(1, :n)),"
    " seqs AS (SELECT s, row_number() OVER (ORDER BY s) AS ord FROM taken)"
    f" INSERT INTO received_events (server_seq, {', '.join(_EVENT_COLUMNS)})"
    f" SELECT seqs.s, {', '.join('r.' + n for n in _EVENT_COLUMNS)} FROM unnest("
    + ", ".join(
        f"CAST(:{c.name} AS {_array_type(c.type)})" for c in received_events.columns if c.name != "server_seq"
    )
    + f") WITH ORDINALITY AS r({', '.join(_EVENT_COLUMNS)}, ord) JOIN seqs ON seqs.ord = r.ord"
    " RETURNING server_seq, station_seq"
)


def _store_events(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the received events; returns the server seq each one got, in order."""
    if conn.dialect.name == "postgresql":
        columns = {name: [r[name] for r in rows] for name in _EVENT_COLUMNS}
        given: dict[int, int] = {
            int(seq): int(server) for server, seq in conn.execute(_INSERT_EVENTS, {"n": len(rows), **columns})
        }
        return [given[int(r["station_seq"])] for r in rows]
    return [
        int(r[0])
        for r in conn.execute(
            insert(received_events).returning(received_events.c.server_seq, sort_by_parameter_order=True),
            rows,
        )
    ]


def _lot_code(batch: _Batch, e: EventIn) -> str | None:
    payload = batch.validator.payload_of(e) if batch.validator else None
    ref = payload.lot_ref() if payload else None
    return ref[1] if ref else None


def _task_code(batch: _Batch, e: EventIn) -> str | None:
    payload = batch.validator.payload_of(e) if batch.validator else None
    return payload.task_code() if payload else None


def _stored_row(batch: _Batch, e: EventIn, o: _Outcome, now: datetime) -> dict[str, Any]:
    return {
        "id": e.id,
        "station": batch.station.name,
        "station_seq": e.seq,
        "site": batch.station.site,
        "operator": e.operator,
        "occurred_at": _stored_time(e.occurred_at),
        "received_at": now,
        "clock_skew_s": batch.skew.total_seconds(),
        "type": e.type,
        "workflow": e.workflow,
        "task_code": e.task_code or _task_code(batch, e),
        "lot_code": e.lot_code or _lot_code(batch, e),
        "raw": e.raw,
        "payload": json.dumps(e.payload, sort_keys=True, default=str),
        "verdict": e.verdict,
        "reasons": json.dumps(e.reasons, default=str),
        "outcome": o.outcome,
        "outcome_reason": o.reason,
    }


def _stored_time(moment: datetime) -> datetime:
    try:
        return naive_utc(moment)
    except OverflowError:  # refused (DATE_OUT_OF_RANGE); kept as the station wrote it
        return moment.replace(tzinfo=None)


def _apply_one(conn: Connection, batch: _Batch, e: EventIn, *, isolate: bool) -> _Outcome:
    assert batch.validator is not None
    try:
        checked = batch.validator.check(e)
    except Refused as refused:
        refusal = refused.refusal
        # Listed with the flagged items, where the station's supervisor and central's admin see it.
        flag = {"code": refusal.code.value, "message": refusal.message}
        return _Outcome(REJECTED, str(refusal), refusal.code.value, [flag])
    if not isolate:
        try:
            return _effect(conn, batch, e, checked)
        except POISON as exc:
            raise _PoisonInBatch from exc
    savepoint = conn.begin_nested()
    try:
        outcome = _effect(conn, batch, e, checked)
        savepoint.commit()
        return outcome
    except POISON as exc:
        savepoint.rollback()
        return _Outcome(FAILED, f"POISON: {type(exc).__name__}: {_short(exc)}")


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else repr(exc)
    return text[:300]


def _effect(conn: Connection, batch: _Batch, e: EventIn, checked: Checked) -> _Outcome:
    payload = checked.payload
    occurred = checked.occurred
    corrected = occurred - batch.skew
    flags = _clock_flags(batch, occurred) + list(checked.flags)
    ref = payload.lot_ref()
    is_status = isinstance(payload, LotStatusChanged)
    previous = None
    is_move = isinstance(payload, StockMoved)
    if ref is not None and (e.type in CONSUMING or e.type in ADDING or is_status or is_move):
        item, lot = ref
        previous = _status_at(conn, batch, str(item), str(lot), corrected)
        if e.type in CONSUMING and previous in BLOCKED_STATUSES:
            flags.append(_blocked(lot, item, previous, corrected, f"when {e.type} was recorded"))
        if e.type in ADDING and previous in BLOCKED_STATUSES:
            flags.append(_blocked(lot, item, previous, corrected, f"when {e.type} added stock to it"))
        if isinstance(payload, StockMoved) and previous in BLOCKED_STATUSES:
            flags += _out_of_hold(conn, payload, previous)
    for item, lot in payload.input_refs():
        used = _status_at(conn, batch, item, lot, corrected)
        if used in BLOCKED_STATUSES:
            made = f" lot {ref[1]}" if ref else ""
            flags.append(_blocked(lot, item, used, corrected, f"when {e.type} used it as an input of{made}"))
    if isinstance(payload, LotStatusChanged):  # from the status the lot has before this event
        note_holder(conn, payload.item, payload.lot, payload.to_status.value, batch.station.site)
    created_held = isinstance(payload, CREATING_LOTS) and creates_held_lot(conn, payload)
    flags += apply_event(conn, e.type, payload, occurred, e.id)
    if created_held:
        assert ref is not None  # a receipt, production or count names its lot
        note_creator(conn, ref[0], ref[1], batch.station.site)
    _forget_missing(batch, e.type, payload)
    if isinstance(payload, LotStatusChanged):
        target = payload.to_status.value
        known = batch.lot_statuses.get((payload.item, payload.lot))
        if known is not None and known is not _MISSING:
            known.history.append((previous, target, corrected))
            known.history.sort(key=lambda h: h[2])
            known.current = target
        conn.execute(
            insert(lot_status_history).values(
                item=payload.item,
                lot=payload.lot,
                from_status=previous,
                to_status=target,
                effective_at=corrected,
                reason=payload.reason,
                by=e.operator,
                source=f"event {e.id}",
            )
        )
    reason = "; ".join(f"{f['code']}: {f['message']}" for f in flags) or None
    code = flags[0]["code"] if flags else None  # a flagged event's first reason, as `reason` starts
    return _Outcome(FLAGGED if flags else APPLIED, reason, code, flags, event_keys(e.type, e.payload, e.id))


def _stored_code(outcome: str, reason: str | None) -> str | None:
    """The code a stored outcome was answered with: a refusal's, or a flagged event's first
    reason's (`reason` is "CODE: sentence; CODE: sentence")."""
    if outcome == REJECTED:
        return refusal_code(reason)
    if outcome == FLAGGED and reason:
        return reason.split(":", 1)[0]
    return None


def _forget_missing(batch: _Batch, type_: str, payload: Payload) -> None:
    """Lots the event may have created are read when next asked, not taken as missing."""
    statuses = batch.lot_statuses
    ref = payload.lot_ref()
    if ref is not None and statuses.get(ref) is _MISSING:
        del statuses[ref]
    if Row.LOT in payload.touches and type_ not in ADDING:  # split, merge, relabel: other lots too
        batch.lot_statuses = {k: v for k, v in statuses.items() if v is not _MISSING}


def _out_of_hold(conn: Connection, moved: StockMoved, status: str) -> list[dict[str, str]]:
    """A blocked lot moved to a place that is not a hold area, where it could be used: applied
    (it did move) and flagged with the station's code for the same scan (tester W18)."""
    into_hold = conn.execute(select(Location.is_hold).where(Location.code == moved.to_location)).scalar()
    if into_hold:
        return []
    return [
        {
            "code": ReasonCode.LOT_OUT_OF_HOLD.value,
            "message": f"lot {moved.lot} of {moved.item} is {status_phrase(status)} and was moved to "
            f"{moved.to_location}, which is not a hold area",
        }
    ]


def _blocked(lot: str, item: str, status: str, at: datetime, when: str) -> dict[str, str]:
    """A recalled (held, quarantined, rejected) lot was used or added to: applied, since it
    happened on the floor, and flagged, so the recall coordinator sees where it went. The code
    names the status, as the station's refusal of the same scan does (LOT_RECALLED, ...; tester's
    W2: a recall was flagged LOT_ON_HOLD)."""
    return {
        "code": STATUS_REASONS[LotStatus(status)].value,
        "message": f"lot {lot} of {item} was {status_phrase(status)} at {at:%Y-%m-%d %H:%M} UTC {when}",
    }


def _clock_flags(batch: _Batch, occurred: datetime) -> list[dict[str, str]]:
    flags = []
    if abs(batch.skew) > MAX_SKEW:
        flags.append(
            {
                "code": "CLOCK_SKEW",
                "message": f"station clock is {batch.skew.total_seconds():+.0f} s off central's; "
                "event times from this station are suspect: set its clock (NTP)",
            }
        )
    if occurred > batch.station_time + FUTURE_TOLERANCE:
        flags.append(
            {
                "code": "EVENT_FROM_FUTURE",
                "message": f"occurred_at {occurred:%Y-%m-%d %H:%M:%S} is after the station's own clock "
                f"({batch.station_time:%Y-%m-%d %H:%M:%S}) at push time",
            }
        )
    return flags


def _status_at(conn: Connection, batch: _Batch, item: str, lot: str, moment: datetime) -> str | None:
    known = batch.lot_statuses.get((item, lot))
    if known is _MISSING:
        return None
    if known is None:  # created inside this batch: read it now
        known = _lot_statuses_of(conn, {(item, lot)}).get((item, lot))
        if known is None:
            return None
        batch.lot_statuses[(item, lot)] = known
    return known.at(moment)


def _lot_statuses(
    conn: Connection, events: list[EventIn], validator: Validator
) -> dict[tuple[str, str], _LotStatus]:
    wanted = set()
    for e in events:
        payload = validator.payload_of(e)
        if payload is None:
            continue
        ref = payload.lot_ref()
        if ref is not None and (
            e.type in CONSUMING or e.type in ADDING or e.type == EventType.LOT_STATUS_CHANGED
        ):
            wanted.add(ref)
        wanted.update(payload.input_refs())
    found = _lot_statuses_of(conn, wanted) if wanted else {}
    # Lots not at central yet (a receipt's new lot): known to be missing, not read again per event.
    return {ref: found.get(ref, _MISSING) for ref in wanted}


def _keys_table(
    conn: Connection, names: tuple[str, ...], keys: list[tuple[Any, ...]], *, ints: tuple[str, ...] = ()
) -> Any:
    """PostgreSQL: the key tuples as a table to join against, from one unnest of arrays (a few
    parameters instead of thousands)."""
    arrays = ", ".join(f"CAST(:{n} AS {'bigint' if n in ints else 'text'}[])" for n in names)
    query = text(f"SELECT * FROM unnest({arrays}) AS k({', '.join(names)})").bindparams(
        **{n: [k[i] for k in keys] for i, n in enumerate(names)}
    )
    return query.columns(*(column(n, BigInteger if n in ints else String) for n in names)).subquery("k")


def _lot_statuses_of(conn: Connection, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], _LotStatus]:
    """One query for all lots of a batch: current status plus any status history."""
    found: dict[tuple[str, str], _LotStatus] = {}
    pairs = sorted(wanted)
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        h = lot_status_history
        query = select(Item.code, Lot.code, Lot.status, h.c.from_status, h.c.to_status, h.c.effective_at)
        if conn.dialect.name == "postgresql":
            k = _keys_table(conn, ("item", "lot"), chunk)
            query = query.select_from(k).join(Item, Item.code == k.c.item)
            query = query.join(Lot, (Lot.item_id == Item.id) & (Lot.code == k.c.lot))
        else:
            query = query.join(Lot, Lot.item_id == Item.id).where(tuple_(Item.code, Lot.code).in_(chunk))
        rows = conn.execute(
            query.outerjoin(h, (h.c.item == Item.code) & (h.c.lot == Lot.code)).order_by(
                Item.code, Lot.code, h.c.effective_at, h.c.id
            )
        )
        for item, lot, current, before, after, at in rows:
            entry = found.setdefault((item, lot), _LotStatus([], current))
            if after is not None:
                entry.history.append((before, after, at))
    return found


_LockedStock = dict[Key, tuple[int, int, dict[str, Any], str]]


def _lock_rows_in_order(
    conn: Connection, events: list[EventIn], validator: Validator, effects: BatchedEffects
) -> _LockedStock:
    """Lock the stock and task-line rows a batch will change, in id order, before changing any;
    the stock rows read go into the batch's effects, so applying it reads none of them again.
    Returns the locked stock rows by change-log key: lot id, location id, the row as the change
    log records it (store.rows) before the batch, and its site.

    Two batches that touch the same rows in different orders would otherwise deadlock on
    PostgreSQL; taking the locks in one global order up front cannot.
    """
    locked: _LockedStock = {}
    if conn.dialect.name != "postgresql":
        return locked  # SQLite: one writer at a time already
    stock_keys: set[tuple[str, str, str]] = set()
    line_keys: set[tuple[str, int]] = set()
    for e in events:
        payload = validator.payload_of(e)
        if payload is None:
            continue  # refused before it touches anything
        ref = payload.lot_ref()
        if ref is not None:
            for place in payload.stock_places():
                stock_keys.add((*ref, place))
        line = payload.task_line()
        if line is not None:
            line_keys.add(line)
    if stock_keys:
        k = _keys_table(conn, ("item", "lot", "location"), sorted(stock_keys))
        rows = conn.execute(
            select(
                Item.code,
                Item.id,
                Lot.code,
                Lot.id,
                Location.code,
                Location.id,
                Stock.id,
                Stock.qty,
                Stock.received_at,
                Site.code,
            )
            .select_from(k)
            .join(Item, Item.code == k.c.item)
            .join(Lot, (Lot.item_id == Item.id) & (Lot.code == k.c.lot))
            .join(Location, Location.code == k.c.location)
            .join(Stock, (Stock.lot_id == Lot.id) & (Stock.location_id == Location.id))
            .outerjoin(Site, Site.id == Location.site_id)
            .order_by(Stock.id)
            .with_for_update(of=Stock)
        ).all()
        for item, item_id, lot, lot_id, location, location_id, stock_id, qty, received_at, site in rows:
            effects.know_stock(
                (item, item_id), (lot, lot_id), (location, location_id), (stock_id, float(qty))
            )
            if site is not None:  # (read_rows reads a stock row only through its location's site)
                row = stock_row_data(item, lot, location, float(qty), received_at)
                locked[("stock", item, lot, location)] = (lot_id, location_id, row, site)
    if line_keys:
        k = _keys_table(conn, ("task", "line_no"), sorted(line_keys), ints=("line_no",))
        conn.execute(
            select(TaskLine.id)
            .select_from(k)
            .join(Task, Task.code == k.c.task)
            .join(TaskLine, (TaskLine.task_id == Task.id) & (TaskLine.line_no == k.c.line_no))
            .order_by(TaskLine.id)
            .with_for_update(of=TaskLine)
        ).all()
    return locked
