"""Central's checks of every pushed event before it is applied: central trusts no station.

An event that fails a check is stored with outcome `rejected`, a stable reason code and a
sentence, and is never applied. The checks, in order:

- the station did not mark it unsendable (an event central refused as malformed, 422: its seq
  is recorded as set aside so the station's queue goes on);
- the event's time lies between 2000-01-01 and 2100-01-01;
- its type is in the vocabulary and its payload matches that type's schema (values finite and
  in range, dates in range, strings within their column, statuses from the vocabulary);
- its id was not stored before (for this or another station);
- the operator exists at central, is active, and holds the role the type needs; an override names a
  supervisor who approved it;
- the envelope says what the payload says: its lot and task, a workflow that records this type
  (a status workflow its own status), a verdict its reasons make (ACCEPTED without warnings, a
  refusal's reason only with an override);
- every location, task and pallet it names belongs to the station's site (a pallet without a
  location: the site of the station that built it);
- a short pick closes at most what is open on its line: what was ordered less what is already
  closed short (picks are not subtracted: one recorded offline before the short may arrive after it);
- a receipt's harvest and cooling dates (FSMA 204 `origin`) are not after the day it was received
  (one day of slack for the site's time zone);
- a status change from a station goes the safe way (hold, quarantine), or releases only what a
  supervisor of the station's own site put on hold or in quarantine, from the status central
  holds (a release decided on a stale status is STALE_STATUS). Recalls and rejections are
  decided, and lifted, only at central (`lotscan central lot release`, an admin token);
- a produced lot is not a supplier's lot (SUPPLIER_LOT), nor another item's, nor a lot central
  already has that this station did not produce (LOT_CODE_TAKEN); a work order's output with
  nothing consumed into the order is applied and flagged NO_INPUTS.

Everything the checks read is read once per batch (on PostgreSQL in one round trip, plus one
for the status history of lots the batch releases, and one for who produced a lot the batch
produces again); the checks themselves read nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple, TypeGuard

from pydantic import ValidationError
from sqlalchemy import Connection, func, select, text, tuple_
from sqlalchemy.orm import aliased

from lotscan.central import lot_moves
from lotscan.central.schema import lot_status_history, operators, received_events, stations
from lotscan.central.tokens import StationIdentity
from lotscan.central.trace.tables import pallet_contents
from lotscan.domain.events import (
    EARLIEST_DATE,
    LATEST_DATE,
    EventType,
    LotProduced,
    LotRelabelled,
    LotSplit,
    LotStatusChanged,
    Payload,
    PickShort,
    Role,
    StockConsumed,
    StockCounted,
    StockPicked,
    StockReceived,
    describe_errors,
    payload_class,
)
from lotscan.domain.lot_numbers import lot_number_problem
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.roles import is_supervisor
from lotscan.domain.status import DECIDED_AT_CENTRAL, LotState, LotStatus, held_by_of, release_refusal
from lotscan.domain.verdict import Level
from lotscan.protocol import APPLIED, FLAGGED, EventIn
from lotscan.services.context import STATUS_WORKFLOWS, Workflow
from lotscan.store.schema import Container, Item, Location, Lot, LotLink, Site, Task, TaskLine

EARLIEST = datetime(EARLIEST_DATE.year, EARLIEST_DATE.month, EARLIEST_DATE.day)
LATEST = datetime(LATEST_DATE.year, LATEST_DATE.month, LATEST_DATE.day)
SAFE_STATUSES = (LotStatus.HOLD, LotStatus.QUARANTINE)
RELEASABLE_AT_STATION = (LotStatus.HOLD, LotStatus.QUARANTINE)
WORKFLOWS = frozenset(w.value for w in Workflow)
RECORDED_VERDICTS = (Level.ACCEPTED.value, Level.WARNING.value)
_ACCEPTED, _WARNING, _REJECTED = Level.ACCEPTED.value, Level.WARNING.value, Level.REJECTED.value
_LEVELS = frozenset(lv.value for lv in Level)
MAX_REASON_CODE = 40
_EVENT_SOURCE = "event "  # lot_status_history.source of a station's status change: "event <id>"
_LOT_MOVE_TYPES = tuple(model.type.value for model in lot_moves.LOT_MOVES)  # split, merge, relabel
# The event types each workflow of a station records (services/workflows): a receipt pushed as a
# pick is not what any station wrote. Splits, merges, relabels and pallets come from no workflow.
WORKFLOW_TYPES: dict[str, tuple[EventType, ...]] = {
    Workflow.RECEIVE: (EventType.STOCK_RECEIVED, EventType.LABEL_REQUESTED),
    Workflow.MOVE: (EventType.STOCK_MOVED,),
    Workflow.CONSUME: (EventType.STOCK_CONSUMED,),
    Workflow.PRODUCE: (EventType.LOT_PRODUCED,),
    Workflow.PICK: (EventType.STOCK_PICKED, EventType.PICK_SHORT),
    Workflow.SHIP: (EventType.STOCK_SHIPPED,),
    Workflow.HOLD: (EventType.LOT_STATUS_CHANGED,),
    Workflow.RELEASE: (EventType.LOT_STATUS_CHANGED,),
    Workflow.QUARANTINE: (EventType.LOT_STATUS_CHANGED,),
    Workflow.COUNT: (EventType.STOCK_COUNTED,),
    Workflow.LOOKUP: (),
}
assert set(WORKFLOW_TYPES) == set(Workflow), "every workflow says what it records"
# The status a status workflow sets, by the workflow's text: no Workflow(...) lookup per event.
_STATUS_BY_WORKFLOW: dict[str, str] = {w.value: status for w, status in STATUS_WORKFLOWS.items()}
_UNREAD = object()  # a code not read with the batch


def _is_reason(reason: object) -> bool:
    """A reason as the station writes it (`Reason.to_json`): code, message and level."""
    return (
        isinstance(reason, dict)
        and set(reason) <= {"code", "message", "level"}
        and isinstance(reason.get("code"), str)
        and 0 < len(reason["code"]) <= MAX_REASON_CODE
        and isinstance(reason.get("message", ""), str)
        and len(reason.get("message", "")) <= 2000
        and reason.get("level", _WARNING) in _LEVELS
    )


class RefusalCode(StrEnum):
    DATE_OUT_OF_RANGE = "DATE_OUT_OF_RANGE"
    UNKNOWN_TYPE = "UNKNOWN_TYPE"
    BAD_PAYLOAD = "BAD_PAYLOAD"
    ID_REUSED = "ID_REUSED"
    UNKNOWN_OPERATOR = "UNKNOWN_OPERATOR"
    OPERATOR_INACTIVE = "OPERATOR_INACTIVE"
    NOT_AUTHORISED = "NOT_AUTHORISED"
    OVERRIDE_NOT_APPROVED = "OVERRIDE_NOT_APPROVED"
    SITE_MISMATCH = "SITE_MISMATCH"
    STATUS_NOT_ALLOWED = "STATUS_NOT_ALLOWED"
    RELEASE_NOT_ALLOWED = "RELEASE_NOT_ALLOWED"
    UNSENDABLE = "UNSENDABLE"
    BAD_ENVELOPE = "BAD_ENVELOPE"
    SEQ_REUSED = "SEQ_REUSED"  # a seq central holds with another event id (see docs/sync.md)
    STALE_STATUS = "STALE_STATUS"  # a release decided on a status central no longer has
    SUPPLIER_LOT = "SUPPLIER_LOT"  # a "produced" lot central knows was received from a supplier
    LOT_CODE_TAKEN = "LOT_CODE_TAKEN"  # a "produced" lot whose code is another item's or station's lot
    STATUS_NOT_KEPT = "STATUS_NOT_KEPT"  # a split, merge or relabel moving goods out of their lot's status


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def refusal_code(reason: str | None) -> str | None:
    """The code of a stored refusal ("CODE: sentence"), as its first answer gave it."""
    code = (reason or "").split(":", 1)[0]
    return code if code in RefusalCode.__members__ else None


class Refused(Exception):
    def __init__(self, code: RefusalCode, message: str):
        super().__init__(message)
        self.refusal = Refusal(code, message)


class Checked(NamedTuple):
    """An event that passed every check: its typed payload and its time as naive UTC. A named
    tuple, immutable as a frozen dataclass but made in a third of the time (one per event)."""

    payload: Payload
    occurred: datetime
    flags: tuple[dict[str, str], ...] = ()  # applied, and flagged for a supervisor (NO_INPUTS)


def naive_utc(moment: datetime) -> datetime:
    """UTC without tzinfo; OverflowError for a moment UTC cannot hold (year 1 at +14:00)."""
    if not moment.tzinfo:
        return moment
    offset = moment.utcoffset()
    if offset is None:  # a tzinfo that knows no offset: local time, as astimezone takes it
        utc = moment.astimezone(UTC)
        return datetime.combine(utc.date(), utc.time())
    # The wall time less its offset: not moment.replace(tzinfo=None), whose keyword parsing is 3x
    # the cost, nor astimezone(UTC), which asks the tzinfo (pydantic's, over the wire) for the
    # offset again: central converts the time of every pushed event (0.6 vs 1.05 us). Out of
    # UTC's range it raises OverflowError as astimezone does.
    return datetime.combine(moment.date(), moment.time()) - offset


# (code, site) of locations, tasks and containers (pallets, cases): an event may touch only its
# station's site's.
_LOCATION_SITE = select(Location.code, Site.code).join(Site, Site.id == Location.site_id)
_TASK_SITE = (
    select(Task.code, Site.code)
    .select_from(Task)
    .join(Location, Location.id == Task.location_id)
    .join(Site, Site.id == Location.site_id)
)
# A pallet without a location (built with none) belongs to the site of the station that built it.
_BUILT_AT = (
    select(received_events.c.site)
    .select_from(pallet_contents)
    .join(received_events, received_events.c.id == pallet_contents.c.built_event_id)
    .where(pallet_contents.c.sscc == Container.sscc)
    .order_by(pallet_contents.c.id.desc())
    .limit(1)
    .scalar_subquery()
)
_PLACE, _PLACE_SITE = aliased(Location), aliased(Site)
_CONTAINER_SITE = (
    select(Container.sscc, func.coalesce(_PLACE_SITE.code, _BUILT_AT))
    .select_from(Container)
    .outerjoin(_PLACE, _PLACE.id == Container.location_id)
    .outerjoin(_PLACE_SITE, _PLACE_SITE.id == _PLACE.site_id)
)


def _json_texts(texts: list[str]) -> str:
    """The JSON list of these texts, as json.dumps writes it but cheaper for texts with nothing
    to escape (printable ASCII without quote or backslash: event ids are UUIDs, codes mostly so):
    json's encoder looks at every character to escape it, which cost validation 2 % of its
    instructions for the ids of a push; a join copies them."""
    raw = "".join(texts)
    if raw.isascii() and raw.isprintable() and '"' not in raw and "\\" not in raw:
        return '["' + '","'.join(texts) + '"]' if texts else "[]"
    return json.dumps(texts)


def _codes(name: str) -> str:
    """The JSON list parameter `name` as a table k(code)."""
    return f"json_array_elements_text(CAST(:{name} AS json)) AS k(code)"


# PostgreSQL: a batch's reads in one round trip; each list is one JSON text parameter (a push of
# 500 events would otherwise compile and send a 500-value IN list). JSON, not a text[] parameter:
# psycopg writes an array's literal element by element in Python, which cost a push of 500 events
# some 3 ms for its ids alone; json.dumps writes the same list in C. The type and outcomes are
# constants in the text, not parameters: with only the lists as parameters, every plan has the
# same cost and PostgreSQL keeps the prepared statement's generic plan (psycopg prepares it at
# its 5th run on a connection) instead of planning the ten-branch query for each push (1.6 ms).
_BATCH_READ = text(
    f"SELECT 'o', o.badge, o.role, o.active, o.site FROM {_codes('badges')}"
    " JOIN operators o ON o.badge = k.code"
    f" UNION ALL SELECT 'i', r.id, r.station, true, NULL FROM {_codes('ids')}"
    " JOIN received_events r ON r.id = k.code"
    f" UNION ALL SELECT 'l', l.code, s.code, true, NULL FROM {_codes('places')}"
    " JOIN locations l ON l.code = k.code JOIN sites s ON s.id = l.site_id"
    f" UNION ALL SELECT 't', t.code, s.code, true, NULL FROM {_codes('tasks')}"
    " JOIN tasks t ON t.code = k.code JOIN locations l ON l.id = t.location_id"
    " JOIN sites s ON s.id = l.site_id"
    " UNION ALL SELECT 'c', c.sscc, COALESCE(s.code, (SELECT r.site FROM pallet_contents p"
    " JOIN received_events r ON r.id = p.built_event_id WHERE p.sscc = c.sscc ORDER BY p.id DESC LIMIT 1)),"
    f" true, NULL FROM {_codes('ssccs')}"
    " JOIN containers c ON c.sscc = k.code LEFT JOIN locations l ON l.id = c.location_id"
    " LEFT JOIN sites s ON s.id = l.site_id"
    f" UNION ALL SELECT 'g', i.code, i.gtin, true, i.unit FROM {_codes('items')}"
    " JOIN items i ON i.code = k.code"
    f" UNION ALL SELECT 'k', t.code, t.kind, true, i.code FROM {_codes('tasks')}"
    " JOIN tasks t ON t.code = k.code LEFT JOIN items i ON i.id = t.item_id"
    " UNION ALL SELECT 'n', t.code || '#' || tl.line_no, i.code, tl.qty_done > 0, NULL"
    f" FROM {_codes('tasks')} JOIN tasks t ON t.code = k.code"
    " JOIN task_lines tl ON tl.task_id = t.id JOIN items i ON i.id = tl.item_id"
    " UNION ALL SELECT 'q', l.code, i.code, l.supplier IS NOT NULL, l.status"
    f" FROM {_codes('lots')} JOIN lots l ON l.code = k.code"
    " JOIN items i ON i.id = l.item_id"
    " UNION ALL SELECT DISTINCT 'r', r.lot_code, NULL, true, NULL"
    f" FROM {_codes('produced')} JOIN received_events r ON r.lot_code = k.code"
    f" WHERE r.type = '{EventType.STOCK_RECEIVED.value}' AND r.outcome IN ('{APPLIED}', '{FLAGGED}')"
)
# The kinds of task an event may count against (a consumption on a pick list would bump its lines).
TASK_KINDS = {
    EventType.STOCK_RECEIVED: ("asn", "po"),
    EventType.STOCK_CONSUMED: ("work_order",),
    EventType.LOT_PRODUCED: ("work_order",),
    EventType.STOCK_PICKED: ("pick_list",),
    EventType.PICK_SHORT: ("pick_list",),
    EventType.STOCK_SHIPPED: ("shipment",),
}
_TASK_KINDS_BY_TYPE = {t.value: kinds for t, kinds in TASK_KINDS.items()}  # by the type's text
# Each list is joined as a table (its JSON elements), not matched with `= ANY(array)`: on a table
# the planner believes small (a fresh database), `= ANY` becomes a scan comparing every row with
# every id of the batch.


def _scope(payload: Payload, fields: dict[str, Any]) -> list[tuple[str, str]]:
    """What of a site the event names: ("location" | "task" | "pallet", code). `fields` is the
    payload's __dict__: its task_code() and container(), without two calls per event."""
    named = [("location", code) for code in payload.places()]
    task = fields.get("task")
    if task:
        named.append(("task", task))
    sscc = fields.get("sscc")
    if sscc:
        named.append(("pallet", sscc))
    return named


def _value(payload: Payload, name: str) -> Any:
    """A payload field's value, None when its type has no such field. Read from the instance
    dict: pydantic's fallback for a missing attribute raises and catches an exception, which
    cost the checks more than all the rest of them (tested on 10,000 events, bench sync)."""
    return payload.__dict__.get(name)


def _item_named(fields: dict[str, Any]) -> str | None:
    """The item of a payload (its __dict__) that carries its GTIN or unit (checked against
    central's item)."""
    item = fields.get("item")
    sends = fields.get("gtin") is not None or fields.get("unit") is not None
    return item if isinstance(item, str) and sends else None


# A payload's class is told by `type(payload) is X`, not isinstance: pydantic's model classes are
# ABCs, and each isinstance went through ABCMeta's subclass caches (some 1,000 instructions; a
# dozen per pushed event). The same answer: every payload the checks see was made by _parse
# from the vocabulary's own class for its type (payload_class), and no payload class is subclassed.
_CREATES_LOTS = (StockReceived, LotProduced, LotRelabelled, LotSplit)  # the types _new_lot_codes reads


def _is_lot_move(payload: Payload) -> TypeGuard[lot_moves.LotMove]:
    """A split, merge or relabel (lot_moves.LOT_MOVES), told by its class as above."""
    return type(payload) in lot_moves.LOT_MOVES


_SUPERVISOR = Role.SUPERVISOR
_SHORT_SLACK = 1e-6  # a short's quantity may exceed what is open by float rounding (the least Amount)


def _new_lot_codes(payload: Payload) -> list[tuple[str, str]]:
    """(field, code) of the lots an event may create: they must fit a GS1 label."""
    if type(payload) is StockReceived or type(payload) is LotProduced:  # see _CREATES_LOTS
        return [("lot", payload.lot)]
    if type(payload) is LotRelabelled:
        return [("new_lot", payload.new_lot)]
    if type(payload) is LotSplit:
        return [(f"outputs[{i}].lot", part.lot) for i, part in enumerate(payload.outputs)]
    return []


@dataclass
class Validator:
    """Checks one station's batch; reads what it needs once per batch (operators, stored ids)."""

    conn: Connection
    station: StationIdentity
    roles: dict[str, str | None] = field(default_factory=dict)
    inactive: set[str] = field(default_factory=set)  # badges deactivated at central
    elsewhere: dict[str, str] = field(default_factory=dict)  # badge -> the other site they work at
    stored_ids: dict[str, str] = field(default_factory=dict)
    seen_ids: set[str] = field(default_factory=set)
    earlier_names: set[str] = field(default_factory=set)  # this station's earlier enrolments
    location_sites: dict[str, str | None] = field(default_factory=dict)
    task_sites: dict[str, str | None] = field(default_factory=dict)
    container_sites: dict[str, str | None] = field(default_factory=dict)
    items: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # code -> (gtin, unit)
    task_kinds: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # (kind, output item)
    line_items: dict[str, str] = field(default_factory=dict)  # "task#line_no" -> item code
    consumed_tasks: set[str] = field(default_factory=set)  # tasks with something consumed into them
    # Lines a short pick of the batch closes: "task#line_no" -> (ordered, closed short, picked,
    # unit), as the batch's earlier shorts and picks leave them. Read only for a batch with shorts.
    short_lines: dict[str, tuple[float, float, float, str]] = field(default_factory=dict)
    # Lots named by status changes and productions, as central holds them (and this batch leaves them)
    lot_statuses: dict[tuple[str, str], str] = field(default_factory=dict)  # (item, lot) -> status
    lots_by_code: dict[str, dict[str, bool]] = field(default_factory=dict)  # code -> {item: from supplier}
    received_codes: set[str] = field(default_factory=set)  # lot codes stock was received into
    # The status steps of lots a release names, newest first: (from, to, site that set it; None: central)
    status_steps: dict[tuple[str, str], list[tuple[str | None, str, str | None]]] = field(
        default_factory=dict
    )
    first_sites: dict[str, str | None] = field(default_factory=dict)  # lot code -> site of its first event
    producers: dict[str, set[str]] = field(default_factory=dict)  # known lot -> stations that made it
    # Producers that are this station enrolled before (same station id and site), by name: True
    # once revoked (this enrolment took over its lots), False while it is still enrolled too.
    predecessors: dict[str, bool] = field(default_factory=dict)
    scopes: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # by station seq
    parsed: dict[int, Payload | Refused] = field(default_factory=dict)  # by station seq
    # The lots splits, merges and relabels of the batch move goods between: their states at
    # central, as the batch's events before change them (lot_moves.py). None: the batch has none.
    moved_lot_states: lot_moves.States | None = None

    @classmethod
    def for_batch(cls, conn: Connection, station: StationIdentity, events: list[EventIn]) -> Validator:
        validator = cls(conn, station)
        parsed, scopes = validator.parsed, validator.scopes
        # Badges of operators and approvers; only an event whose payload parsed gets to the
        # operator check, so only its approver is read.
        badges: set[str] = set()
        named: dict[str, set[str]] = {"location": set(), "task": set(), "pallet": set()}
        items: set[str] = set()
        lots: set[str] = set()
        produced: set[str] = set()
        releases: set[tuple[str, str]] = set()
        moved: set[tuple[str, str]] = set()
        shorts: set[str] = set()  # tasks short picks of the batch close lines of
        for event in events:
            operator, seq = event.operator, event.seq  # read once (see _envelope)
            if operator:
                badges.add(operator)
            try:
                found = validator._parse(event)
            except Refused as refused:
                parsed[seq] = refused
                continue
            parsed[seq] = found
            fields = found.__dict__  # as _value
            if fields["override_by"]:
                badges.add(fields["override_by"])
            scope = scopes[seq] = _scope(found, fields)
            for what, code in scope:
                named[what].add(code)
            item = _item_named(fields)
            if item is not None:
                items.add(item)
            if type(found) is LotProduced:  # see _CREATES_LOTS
                produced.add(found.lot)
            elif type(found) is LotStatusChanged:
                lots.add(found.lot)
                if found.to_status is LotStatus.RELEASED:
                    releases.add((found.item, found.lot))
            elif _is_lot_move(found):
                moved |= lot_moves.lots_moved(found)
            elif type(found) is PickShort:
                shorts.add(found.task)
        validator._read_batch(
            sorted(badges),
            sorted({e.id for e in events}),
            sorted(named["location"]),
            sorted(named["task"]),
            sorted(named["pallet"]),
            sorted(items),
            sorted(lots | produced),
            sorted(produced),
        )
        if releases:
            validator._read_status_steps(sorted(releases))
        if shorts:  # rare: a line closed short
            validator._read_short_lines(sorted(shorts))
        if moved:  # rare: splits, merges and relabels come from no station workflow
            validator.moved_lot_states = lot_moves.read_states(conn, sorted(moved))
        known_outputs = sorted(code for code in produced if code in validator.lots_by_code)
        if known_outputs:  # rare: a production into a lot central already has
            validator._read_producers(known_outputs)
        holders = set(validator.stored_ids.values()) - {station.name}
        if holders:  # earlier enrolments of this station (same station id) hold its own events
            s = stations
            own = select(s.c.local_id).where(s.c.name == station.name).scalar_subquery()
            validator.earlier_names = set(
                conn.execute(
                    select(s.c.name).where(
                        s.c.name.in_(sorted(holders)), s.c.local_id == own, s.c.site == station.site
                    )
                ).scalars()
            )
        return validator

    def _read_batch(
        self,
        badges: list[str],
        ids: list[str],
        places: list[str],
        tasks: list[str],
        ssccs: list[str],
        items: list[str],
        lots: list[str],
        produced: list[str],
    ) -> None:
        """Everything the checks read, for the whole batch: operators, stored ids, the sites of
        the locations, tasks and pallets named, items, tasks and their lines, the lots named by
        status changes and productions. On PostgreSQL one round trip, each list one array."""
        conn = self.conn
        sites = [
            (codes, *self._sites_of(what))
            for codes, what in ((places, "location"), (tasks, "task"), (ssccs, "pallet"))
        ]
        if conn.dialect.name == "postgresql":
            by_kind = {"l": self.location_sites, "t": self.task_sites, "c": self.container_sites}
            named = {"badges": badges, "ids": ids, "places": places, "tasks": tasks, "ssccs": ssccs}
            named |= {"items": items, "lots": lots, "produced": produced}
            lists = {name: _json_texts(codes) for name, codes in named.items()}
            for kind, key, value, flag, home in conn.execute(_BATCH_READ, lists):
                if kind == "o":
                    self._operator_row(key, value, flag, home)
                elif kind == "i":
                    self.stored_ids[key] = value
                elif kind == "g":
                    self.items[key] = (value, home)
                elif kind == "k":
                    self.task_kinds[key] = (value, home)
                elif kind == "n":
                    self._line_row(key, value, flag)
                elif kind == "q":
                    self._lot_row(key, value, flag, home)
                elif kind == "r":
                    self.received_codes.add(key)
                else:
                    by_kind[kind][key] = value
        else:
            o, r = operators, received_events
            if badges:
                for badge, role, active, home in conn.execute(
                    select(o.c.badge, o.c.role, o.c.active, o.c.site).where(o.c.badge.in_(badges))
                ):
                    self._operator_row(badge, role, active, home)
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                self.stored_ids.update(
                    dict(conn.execute(select(r.c.id, r.c.station).where(r.c.id.in_(chunk))).all())
                )
            for codes, known, query in sites:
                if codes:
                    known.update(dict(conn.execute(query.where(query.selected_columns[0].in_(codes))).all()))
            if items:
                for code, gtin, unit in conn.execute(
                    select(Item.code, Item.gtin, Item.unit).where(Item.code.in_(items))
                ):
                    self.items[code] = (gtin, unit)
            if tasks:
                for code, kind, output in conn.execute(
                    select(Task.code, Task.kind, Item.code)
                    .outerjoin(Item, Item.id == Task.item_id)
                    .where(Task.code.in_(tasks))
                ):
                    self.task_kinds[code] = (kind, output)
                for code, line_no, item, done in conn.execute(
                    select(Task.code, TaskLine.line_no, Item.code, TaskLine.qty_done > 0)
                    .join(TaskLine, TaskLine.task_id == Task.id)
                    .join(Item, Item.id == TaskLine.item_id)
                    .where(Task.code.in_(tasks))
                ):
                    self._line_row(f"{code}#{line_no}", item, bool(done))
            if lots:
                for code, item, from_supplier, status in conn.execute(
                    select(Lot.code, Item.code, Lot.supplier.is_not(None), Lot.status)
                    .join(Item, Item.id == Lot.item_id)
                    .where(Lot.code.in_(lots))
                ):
                    self._lot_row(code, item, bool(from_supplier), status)
            if produced:
                r = received_events
                self.received_codes.update(
                    conn.execute(
                        select(r.c.lot_code)
                        .distinct()
                        .where(
                            r.c.lot_code.in_(produced),
                            r.c.type == EventType.STOCK_RECEIVED,
                            r.c.outcome.in_((APPLIED, FLAGGED)),
                        )
                    ).scalars()
                )
        for codes, known, _ in sites:
            for code in codes:
                known.setdefault(code, None)

    def _line_row(self, key: str, item: str, done: bool) -> None:
        self.line_items[key] = item
        if done:
            self.consumed_tasks.add(key.rsplit("#", 1)[0])

    def _read_short_lines(self, tasks: list[str]) -> None:
        """What was ordered and what is closed short on every line of these tasks."""
        for code, line_no, expected, short, done, unit in self.conn.execute(
            select(
                Task.code,
                TaskLine.line_no,
                TaskLine.qty_expected,
                TaskLine.qty_short,
                TaskLine.qty_done,
                Item.unit,
            )
            .join(TaskLine, TaskLine.task_id == Task.id)
            .join(Item, Item.id == TaskLine.item_id)
            .where(Task.code.in_(tasks))
        ):
            self.short_lines[f"{code}#{line_no}"] = (
                float(expected),
                float(short or 0.0),
                float(done or 0.0),
                unit,
            )

    def _lot_row(self, code: str, item: str, from_supplier: bool, status: str) -> None:
        self.lots_by_code.setdefault(code, {})[item] = from_supplier
        self.lot_statuses[(item, code)] = status

    def _read_status_steps(self, releases: list[tuple[str, str]]) -> None:
        steps, first = read_status_steps(self.conn, releases)
        self.status_steps.update(steps)
        self.first_sites.update(first)

    def _read_producers(self, codes: list[str]) -> None:
        """The stations whose productions of these lot codes central applied."""
        r = received_events
        for code, station_name in self.conn.execute(
            select(r.c.lot_code, r.c.station)
            .distinct()
            .where(
                r.c.lot_code.in_(codes),
                r.c.type == EventType.LOT_PRODUCED,
                r.c.outcome.in_((APPLIED, FLAGGED)),
            )
        ):
            self.producers.setdefault(code, set()).add(station_name)
        makers = sorted(set().union(*self.producers.values()) - {self.station.name})
        if makers:
            s = stations
            own = select(s.c.local_id).where(s.c.name == self.station.name).scalar_subquery()
            found = self.conn.execute(
                select(s.c.name, s.c.revoked_at).where(
                    s.c.name.in_(makers), s.c.local_id == own, s.c.site == self.station.site
                )
            )
            self.predecessors = {name: revoked is not None for name, revoked in found}

    def _operator_row(self, badge: str, role: str | None, active: bool, home: str | None) -> None:
        self.roles[badge] = role
        if not active:
            self.inactive.add(badge)
        if home is not None and home != self.station.site:
            self.elsewhere[badge] = home

    def payload_of(self, event: EventIn) -> Payload | None:
        """The event's typed payload, None when it does not match its type (read once per batch)."""
        found = self.parsed.get(event.seq)
        return None if found is None or isinstance(found, Refused) else found  # see _CREATES_LOTS

    def check(self, event: EventIn) -> Checked:
        """The checked event, or Refused naming the first rule it breaks."""
        if event.unsendable is not None:
            raise Refused(
                RefusalCode.UNSENDABLE,
                f"the station could not send this event ({event.unsendable}); it keeps it as failed",
            )
        occurred = self._time(event)
        payload = self._payload(event)
        # The payload's fields, read once for the checks below (as _value; every attribute read
        # of a pydantic model, __dict__ too, goes through its __getattr__ hook).
        fields = payload.__dict__
        task = fields.get("task")  # task_code(), without the call
        self._envelope(event, payload, task, fields.get("lot"))
        self._values(payload, fields)
        if task is not None:
            self._task(event, payload, task)
        self._id(event)
        self._operator(event, payload, fields)
        self._site(event, payload)
        flags: tuple[dict[str, str], ...] = ()
        if type(payload) is LotStatusChanged:  # see _CREATES_LOTS
            self._status_change(payload)
        elif type(payload) is LotProduced:
            flags = self._produced(payload)
        elif type(payload) is StockReceived and payload.origin is not None:
            self._origin_dates(payload, occurred)
        elif _is_lot_move(payload):
            self._lot_move(payload)
        elif type(payload) is PickShort:
            flags = self._short(payload)
        self._passed(payload)
        return Checked(payload, occurred, flags)

    def _passed(self, payload: Payload) -> None:
        """What an event that passed does to what later events of the batch are checked against."""
        if type(payload) is LotStatusChanged:  # see _CREATES_LOTS
            ref = (payload.item, payload.lot)
            before = self.lot_statuses.get(ref)
            if before is not None:  # a lot central holds (one created in this batch is not read)
                self.lot_statuses[ref] = payload.to_status
                steps = self.status_steps.setdefault(ref, [])
                steps.insert(0, (before, payload.to_status, self.station.site))
        if type(payload) is StockReceived or type(payload) is LotProduced or type(payload) is StockCounted:
            self._created(payload)
        if type(payload) is StockReceived:
            self.received_codes.add(payload.lot)
        elif type(payload) is StockConsumed and payload.task is not None:
            self.consumed_tasks.add(payload.task)
        elif type(payload) is PickShort:
            key = f"{payload.task}#{payload.line_no}"
            line = self.short_lines.get(key)
            if line is not None:
                self.short_lines[key] = (line[0], line[1] + payload.short_qty, line[2], line[3])
        elif type(payload) is StockPicked and self.short_lines and payload.task is not None:
            key = f"{payload.task}#{payload.line_no}"
            line = self.short_lines.get(key)
            if line is not None:
                self.short_lines[key] = (line[0], line[1], line[2] + payload.qty, line[3])
        if self.moved_lot_states is not None:
            self._passed_for_moves(payload, self.moved_lot_states)

    def _passed_for_moves(self, payload: Payload, states: lot_moves.States) -> None:
        """What an event that passed does to the states of the lots the batch moves goods of."""
        if _is_lot_move(payload):  # see _CREATES_LOTS
            for ref, state in lot_moves.after_move(payload, states).items():
                self._derived(ref, state)
        elif type(payload) is LotStatusChanged:
            ref = (payload.item, payload.lot)
            lot_moves.after_status_change(states, ref, payload.to_status, self.station.site)
        elif type(payload) is StockReceived or type(payload) is LotProduced or type(payload) is StockCounted:
            lot_moves.after_creation(states, (payload.item, payload.lot), payload.lot_status)

    def _created(self, payload: StockReceived | LotProduced | StockCounted) -> None:
        """A lot central does not hold, created by an event of this batch, has the status that
        event gives it, set by this station's site: a later release in the batch is checked
        against it (STALE_STATUS, who may lift it) like a release of a lot central holds."""
        ref = (payload.item, payload.lot)
        known = self.lots_by_code.get(payload.lot, {})
        if ref in self.lot_statuses or payload.item in known:
            return  # central holds it (read with the batch) or an earlier event created it
        self.lot_statuses[ref] = payload.lot_status or LotStatus.RELEASED
        self.status_steps[ref] = []
        self.first_sites.setdefault(payload.lot, self.station.site)

    # ----------------------------------------------------------------------- the rules

    def _time(self, event: EventIn) -> datetime:
        try:
            occurred = naive_utc(event.occurred_at)
        except (OverflowError, ValueError):
            occurred = None
        if occurred is None or not EARLIEST <= occurred < LATEST:
            raise Refused(
                RefusalCode.DATE_OUT_OF_RANGE,
                f"occurred_at {event.occurred_at.isoformat()} is not between {EARLIEST_DATE} and "
                f"{LATEST_DATE}; set the station's clock",
            )
        return occurred

    def _payload(self, event: EventIn) -> Payload:
        found = self.parsed.get(event.seq)
        if isinstance(found, Refused):
            raise found
        return found if found is not None else self._parse(event)

    def _parse(self, event: EventIn) -> Payload:
        try:
            model = payload_class(event.type)
        except ValueError as exc:
            raise Refused(RefusalCode.UNKNOWN_TYPE, str(exc)) from None
        try:
            # model_validate's own work, without its keyword handling around it (every event)
            payload: Payload = model.__pydantic_validator__.validate_python(event.payload)
            return payload
        except ValidationError as exc:
            raise Refused(
                RefusalCode.BAD_PAYLOAD, f"the {event.type} payload is not valid: {describe_errors(exc)}"
            ) from None

    def _envelope(self, event: EventIn, payload: Payload, named_task: str | None, named_lot: Any) -> None:
        """The envelope says what the payload says: the trace, FSMA and audit look events up by
        `lot_code` and `task_code`, so a station that names another lot would hide the event."""
        # Each envelope field read once: an EventIn is a pydantic model, whose every attribute
        # read goes through its __getattr__ hook.
        lot_code, task_code = event.lot_code, event.task_code
        workflow, reasons = event.workflow, event.reasons
        if lot_code is not None and lot_code != named_lot:
            raise Refused(
                RefusalCode.BAD_ENVELOPE,
                f"lot_code {lot_code!r} is not the lot the payload names ({named_lot!r}); "
                "leave it out or send the payload's lot",
            )
        if task_code is not None and task_code != named_task:
            raise Refused(
                RefusalCode.BAD_ENVELOPE,
                f"task_code {task_code!r} is not the task the payload names ({named_task!r}); "
                "leave it out or send the payload's task",
            )
        if workflow is not None and workflow not in WORKFLOWS:
            raise Refused(
                RefusalCode.BAD_ENVELOPE,
                f"workflow {workflow!r} is not one of: {', '.join(sorted(WORKFLOWS))}",
            )
        if event.verdict not in RECORDED_VERDICTS:
            raise Refused(
                RefusalCode.BAD_ENVELOPE,
                f"verdict {event.verdict!r}: a station records only {' or '.join(RECORDED_VERDICTS)} "
                "scans (a refused scan records nothing)",
            )
        for reason in reasons:
            if not _is_reason(reason):
                raise Refused(
                    RefusalCode.BAD_ENVELOPE,
                    f"reason {str(reason)[:80]!r} is not a reason: an object with a text `code` "
                    f"(<= {MAX_REASON_CODE} chars), a text `message` and a `level` of "
                    f"{', '.join(lv.value for lv in Level)}",
                )
        if workflow is not None:
            self._workflow(event, workflow, payload)
        if reasons:  # without reasons, any recorded verdict is what they make it
            self._verdict(event, payload)

    def _workflow(self, event: EventIn, workflow: str, payload: Payload) -> None:
        """The workflow named is one that records this type (and a status workflow's own status)."""
        records = WORKFLOW_TYPES[workflow]
        if event.type not in records:
            what = " or ".join(records) if records else "nothing"
            raise Refused(
                RefusalCode.BAD_ENVELOPE,
                f"workflow {workflow!r} records {what}, not {event.type}; send the workflow "
                "the event was scanned in",
            )
        if type(payload) is not LotStatusChanged:  # see _CREATES_LOTS
            return
        target = _STATUS_BY_WORKFLOW.get(workflow)
        if payload.to_status != target:
            raise Refused(
                RefusalCode.BAD_ENVELOPE,
                f"workflow {workflow!r} sets lots to {target}, not {payload.to_status}",
            )

    def _verdict(self, event: EventIn, payload: Payload) -> None:
        """The verdict is what its reasons make it (services/judge.py): ACCEPTED only without a
        warning or a refusal, and a refusal's reason only on a scan a supervisor overrode."""
        levels = {str(r.get("level", _WARNING)): str(r["code"]) for r in event.reasons}
        if event.verdict == _ACCEPTED and set(levels) - {_ACCEPTED}:
            codes = ", ".join(c for lv, c in levels.items() if lv != _ACCEPTED)
            raise Refused(
                RefusalCode.BAD_ENVELOPE,
                f"verdict ACCEPTED with {codes}: a scan any rule warned about or refused is "
                "recorded as WARNING",
            )
        if _REJECTED in levels and payload.override is None:
            raise Refused(
                RefusalCode.BAD_ENVELOPE,
                f"reason {levels[_REJECTED]} refused the scan and the payload carries no "
                "override: a station records a refused scan only with a supervisor's override",
            )

    def _values(self, payload: Payload, fields: dict[str, Any]) -> None:
        """What the schema cannot see: lot codes a GS1 label can carry, a status a station may
        give a new lot, and the item's own GTIN and unit (read with the batch)."""
        if type(payload) in _CREATES_LOTS:
            for name, code in _new_lot_codes(payload):
                problem = lot_number_problem(code)
                if problem is not None:
                    raise Refused(
                        RefusalCode.BAD_PAYLOAD,
                        f"{payload.type} {name} is not a GS1 lot number (AI 10): {problem}; "
                        "no label or EPCIS export could carry it",
                    )
        # A quantity below MIN_QTY is refused by the payload's own type (domain/events), the same
        # rule the station applies before it records a scan.
        outputs, inputs = fields.get("outputs"), fields.get("inputs")
        parts = (outputs or []) + (inputs or []) if outputs or inputs else ()
        if parts and type(payload) is LotProduced and (payload.item, payload.lot) in payload.input_refs():
            raise Refused(
                RefusalCode.BAD_PAYLOAD,
                f"lot.produced lot {payload.lot} is one of its own inputs: a lot is not made from itself",
            )
        new_status = fields.get("lot_status")
        if new_status in DECIDED_AT_CENTRAL:
            raise Refused(
                RefusalCode.STATUS_NOT_ALLOWED,
                f"{payload.type} lot_status {new_status}: a station gives a lot released, hold or "
                "quarantine; recalls and rejections are decided at central",
            )
        sent_gtin, sent_unit = fields.get("gtin"), fields.get("unit")
        if sent_gtin is None and sent_unit is None:
            return
        item = fields.get("item")
        known = self.items.get(item) if isinstance(item, str) else None
        if known is None:
            return  # an unknown item fails when applied
        gtin, unit = known
        if sent_gtin is not None and gtin is not None and sent_gtin.zfill(14) != gtin.zfill(14):
            raise Refused(
                RefusalCode.BAD_PAYLOAD,
                f"{payload.type} gtin {sent_gtin} is not the GTIN of item {item} ({gtin})",
            )
        if sent_unit is not None and sent_unit != unit:
            raise Refused(
                RefusalCode.BAD_PAYLOAD,
                f"{payload.type} unit {sent_unit!r} is not the unit of item {item} ({unit!r}); "
                "quantities are sent in the item's unit",
            )

    def _task(self, event: EventIn, payload: Payload, code: str) -> None:
        """The task fits the event: its kind, its line, the line's item, a work order's output."""
        if code not in self.task_kinds:
            return  # none, or not read with the batch (an unknown task is not counted against)
        kind, output = self.task_kinds[code]
        kinds = _TASK_KINDS_BY_TYPE.get(event.type)
        if kinds is not None and kind not in kinds:
            raise Refused(
                RefusalCode.BAD_PAYLOAD,
                f"task {code} is a {kind.replace('_', ' ')}; a {event.type} counts only against "
                f"{' or '.join(k.replace('_', ' ') for k in kinds)} tasks",
            )
        item = _value(payload, "item")
        if type(payload) is LotProduced and output is not None and item != output:
            raise Refused(
                RefusalCode.BAD_PAYLOAD,
                f"work order {code} makes {output}, not {item}: a lot is produced only as its "
                "work order's output",
            )
        line = payload.task_line()
        if line is None:
            return
        line_item = self.line_items.get(f"{code}#{line[1]}")
        if line_item is None:
            raise Refused(RefusalCode.BAD_PAYLOAD, f"task {code} has no line {line[1]}")
        if item is not None and item != line_item:
            raise Refused(
                RefusalCode.BAD_PAYLOAD,
                f"line {line[1]} of task {code} is for {line_item}, not {item}",
            )

    def _short(self, payload: PickShort) -> tuple[dict[str, str], ...]:
        """A short closes at most what is open on the line: ordered less already closed short.
        Picks are not subtracted for the refusal: a pick recorded offline before the short (at
        this station or another) may arrive after it, and qty_done and qty_short add up in any
        order (tester W8: a station token's short of 1,000,000 on a 20 EA line was applied).
        A short of more than central's picks leave open is applied and flagged for a supervisor
        (tester W8 re-walk: a short of 20 on a 20 EA line with 5 picked read 5 + 20 of 20)."""
        key = f"{payload.task}#{payload.line_no}"
        line = self.short_lines.get(key)
        if line is None:
            return ()  # a task central does not know (_task refuses a line it has not)
        ordered, closed, picked, unit = line
        open_qty = max(ordered - closed, 0.0)
        if payload.short_qty > open_qty + _SHORT_SLACK:
            raise Refused(
                RefusalCode.BAD_PAYLOAD,
                f"short_qty {payload.short_qty:g} {unit} is more than is open on {payload.task} line "
                f"{payload.line_no}: {ordered:g} {unit} ordered, {closed:g} {unit} already closed short, "
                f"so at most {open_qty:g} {unit} can be closed short",
            )
        left = max(ordered - closed - picked, 0.0)
        if payload.short_qty <= left + _SHORT_SLACK:
            return ()
        message = (
            f"{payload.task} line {payload.line_no} closed short by {payload.short_qty:g} {unit}, though "
            f"{picked:g} of its {ordered:g} {unit} are picked at central and only {left:g} {unit} were open: "
            "the line now counts more than was ordered. Check the pick list and the shelf."
        )
        return ({"code": ReasonCode.QTY_EXCEEDS_TASK.value, "message": message},)

    def _id(self, event: EventIn) -> None:
        event_id = event.id  # read once (see _envelope)
        holder = self.stored_ids.get(event_id)
        if holder is not None or event_id in self.seen_ids:
            whose = "another station" if holder not in (None, self.station.name) else "this station"
            if holder in self.earlier_names:
                whose = f"{holder}, an earlier enrolment of this station: it was applied then"
            raise Refused(
                RefusalCode.ID_REUSED,
                f"event id {event_id} is already stored for {whose}; an event id is used once",
            )
        self.seen_ids.add(event_id)

    def _operator(self, event: EventIn, payload: Payload, fields: dict[str, Any]) -> None:
        badge = event.operator
        if not badge or badge not in self.roles:
            raise Refused(
                RefusalCode.UNKNOWN_OPERATOR,
                f"operator {badge or '(none)'} is not an active operator at central",
            )
        if badge in self.inactive:
            raise Refused(
                RefusalCode.OPERATOR_INACTIVE,
                f"operator {badge} was deactivated at central; their events are not applied "
                "(an admin: lotscan central operator activate)",
            )
        override, override_by = fields["override"], fields["override_by"]
        for who in dict.fromkeys([badge, override_by or badge]) if self.elsewhere else ():
            if who in self.elsewhere:
                raise Refused(
                    RefusalCode.SITE_MISMATCH,
                    f"operator {who} works at site {self.elsewhere[who]}, not at this station's site "
                    f"{self.station.site}",
                )
        if payload.role is _SUPERVISOR and not is_supervisor(self.roles[badge]):
            raise Refused(
                RefusalCode.NOT_AUTHORISED,
                f"{event.type} needs a supervisor; operator {badge} is {self.roles[badge] or 'an operator'}",
            )
        if override is not None:
            approver = override_by or badge
            known = approver in self.roles and approver not in self.inactive
            if not known or not is_supervisor(self.roles[approver]):
                raise Refused(
                    RefusalCode.OVERRIDE_NOT_APPROVED,
                    f"override {override!r} needs a supervisor's approval; "
                    f"{approver} is not an active supervisor at central",
                )

    def _site(self, event: EventIn, payload: Payload) -> None:
        mine = self.station.site
        scope = self.scopes.get(event.seq)
        for what, code in scope if scope is not None else _scope(payload, payload.__dict__):
            known = self.location_sites if what == "location" else self._sites_of(what)[0]
            site = known.get(code, _UNREAD)
            if site is _UNREAD:  # not read with the batch (check called on its own)
                query = self._sites_of(what)[1]
                site = known[code] = self.conn.execute(
                    query.where(query.selected_columns[0] == code)
                ).scalar()
            if site is not None and site != mine:
                raise Refused(
                    RefusalCode.SITE_MISMATCH,
                    f"{what} {code} belongs to site {site}, not to this station's site {mine}",
                )

    def _sites_of(self, what: str) -> tuple[dict[str, str | None], Any]:
        if what == "location":
            return self.location_sites, _LOCATION_SITE
        if what == "task":
            return self.task_sites, _TASK_SITE
        return self.container_sites, _CONTAINER_SITE

    def _origin_dates(self, payload: StockReceived, occurred: datetime) -> None:
        latest = (occurred + timedelta(days=1)).date().isoformat()
        origin = payload.origin
        for name in ("harvest_date", "cooling_date"):
            value = getattr(origin, name)
            if value is not None and value > latest:
                raise Refused(
                    RefusalCode.BAD_PAYLOAD,
                    f"{payload.type} origin.{name} {value} is after the receipt ({occurred.date()}): "
                    "a commodity is harvested and cooled before it is received; correct the date",
                )

    def _status_change(self, payload: LotStatusChanged) -> None:
        target = payload.to_status
        current = self.lot_statuses.get((payload.item, payload.lot))  # read with the batch
        if current in DECIDED_AT_CENTRAL and target in SAFE_STATUSES:
            # Not even the "safe" way: a hold over a recall would be the first step of lifting it.
            raise Refused(
                RefusalCode.STATUS_NOT_ALLOWED,
                f"lot {payload.lot} of {payload.item} is {current}; only central changes a {current} lot "
                "(an admin, with a reason)",
            )
        if target in SAFE_STATUSES:
            return  # the safe way goes on from any status, a stale one too
        if target is not LotStatus.RELEASED:
            raise Refused(
                RefusalCode.STATUS_NOT_ALLOWED,
                f"a station may set lots to hold or quarantine, not {target}; recalls and rejections "
                "are decided at central",
            )
        if current is None:
            return  # nothing to lift (an unknown lot fails when applied)
        if current != LotStatus.RELEASED and current not in RELEASABLE_AT_STATION:
            raise Refused(
                RefusalCode.RELEASE_NOT_ALLOWED,
                f"lot {payload.lot} of {payload.item} is {current}; only central lifts a {current} "
                "(an admin, with a reason)",
            )
        seen = payload.from_status
        if seen is not None and seen != current:
            raise Refused(
                RefusalCode.STALE_STATUS,
                f"lot {payload.lot} of {payload.item} is {current} at central, not {seen} as the station "
                "saw it when it was released; a release decided on a status the lot no longer has is "
                "not applied: look at the lot again after the next sync",
            )
        if current == LotStatus.RELEASED:
            return  # nothing to lift
        # The rule a station applies up front to the holder central sends it (lots.held_by).
        holder = held_by_of(self._hold_origin_sites(payload.item, payload.lot))
        why = release_refusal(holder, self.station.site)
        if why is not None:
            raise Refused(
                RefusalCode.RELEASE_NOT_ALLOWED,
                f"lot {payload.lot} of {payload.item} is {current}, {why}; a station releases only what "
                f"a supervisor of its own site ({self.station.site}) put there",
            )

    def _derived(self, ref: tuple[str, str], state: LotState) -> None:
        """A lot a split, merge or relabel of the batch made, with the state it inherited: a
        later release in the batch is judged on it (who may lift it, STALE_STATUS), not passed
        as a lot central does not hold."""
        if ref not in self.lot_statuses:
            self.lot_statuses[ref] = state.status
            self.status_steps[ref] = []
            self.first_sites.setdefault(ref[1], state.held_by)

    def _lot_move(self, payload: lot_moves.LotMove) -> None:
        """A split, merge or relabel keeps goods under their lot's status (lot_moves.py)."""
        assert self.moved_lot_states is not None  # read with the batch
        why = lot_moves.refusal(payload, self.moved_lot_states, self.station.site)
        if why is not None:
            code = RefusalCode.STATUS_NOT_ALLOWED if why.into_decided else RefusalCode.STATUS_NOT_KEPT
            raise Refused(code, why.message)

    def _hold_origin_sites(self, item: str, lot: str) -> list[str | None]:
        return hold_origin_sites(self.status_steps.get((item, lot), []), self.first_sites.get(lot))

    def _produced(self, payload: LotProduced) -> tuple[dict[str, str], ...]:
        """A produced lot is the station's own new lot (or one it produced before), not a lot a
        supplier delivered or another item's; a work order's output without inputs consumed into
        the order is applied and flagged NO_INPUTS, as the station warned the operator."""
        lot, item = payload.lot, payload.item
        known = self.lots_by_code.get(lot, {})
        others = sorted(set(known) - {item})
        if others:
            raise Refused(
                RefusalCode.LOT_CODE_TAKEN,
                f"lot {lot} is a lot of {', '.join(others)} at central, not of {item}: a lot produced "
                f"gets a code of its own (the trace and FSMA 204 look lots up by code)",
            )
        if known.get(item) or lot in self.received_codes:
            raise Refused(
                RefusalCode.SUPPLIER_LOT,
                f"lot {lot} of {item} was received from a supplier; a supplier's lot is not a "
                "production output: produce into a new lot",
            )
        makers = self.producers.get(lot, set())
        own = {self.station.name} | {name for name, revoked in self.predecessors.items() if revoked}
        if item in known and not makers & own:
            made_by = f"produced by {', '.join(sorted(makers))}" if makers else "in central's master data"
            twins = sorted(makers & set(self.predecessors))
            if twins:  # this station id enrolled before, and that enrolment still holds a token
                raise Refused(
                    RefusalCode.LOT_CODE_TAKEN,
                    f"lot {lot} of {item} was produced by {', '.join(twins)}, an earlier enrolment of this "
                    "station id that is still enrolled: two stations cannot make one lot. If this station "
                    f"replaces it, revoke it (lotscan central station revoke {twins[0]}) and push again",
                )
            raise Refused(
                RefusalCode.LOT_CODE_TAKEN,
                f"lot {lot} of {item} already exists at central ({made_by}), and this station did not "
                "produce it: a lot produced here gets a code of its own, with this station's lot part",
            )
        task = payload.task
        if task is None or self.task_kinds.get(task, ("",))[0] != "work_order":
            return ()
        if task not in self.consumed_tasks:
            message = (
                f"nothing was consumed into {task} at central: lot {lot} has no inputs to trace. "
                "Consume its inputs first, unless none are traced."
            )
        elif not payload.inputs:
            message = (
                f"lot {lot} names no input lots, though lots were consumed into {task} at central: "
                "the lot made has no parents to trace. Tell a supervisor, unless none are traced."
            )
        else:
            return ()
        return ({"code": ReasonCode.NO_INPUTS.value, "message": message},)


StatusSteps = dict[tuple[str, str], list[tuple[str | None, str, str | None]]]


def read_status_steps(
    conn: Connection, lots: list[tuple[str, str]]
) -> tuple[StatusSteps, dict[str, str | None]]:
    """For lots (item, lot code): each status they had, newest first, with the site that set it
    (None: central decided), and the site of each lot's first stored event (the receipt or
    production that created it, maybe into quarantine). Two queries."""
    h, r = lot_status_history, received_events
    counted = r.c.outcome.in_((APPLIED, FLAGGED))
    by_event = (
        select(r.c.site)
        .where(r.c.id == func.substr(h.c.source, len(_EVENT_SOURCE) + 1), counted)
        .limit(1)
        .scalar_subquery()
    )
    steps: StatusSteps = {}
    for item, lot, from_status, to_status, source, site in conn.execute(
        select(h.c.item, h.c.lot, h.c.from_status, h.c.to_status, h.c.source, by_event)
        .where(tuple_(h.c.item, h.c.lot).in_(lots))
        .order_by(h.c.item, h.c.lot, h.c.effective_at.desc(), h.c.id.desc())
    ):
        from_event = source is not None and str(source).startswith(_EVENT_SOURCE)
        steps.setdefault((item, lot), []).append((from_status, to_status, site if from_event else None))
    codes = sorted({lot for _, lot in lots})
    # The event that made the lot: a receipt, production or count (a split's, merge's or
    # relabel's `lot_code` is its source's, and a later consumption may be another site's).
    creating = r.c.type.in_((EventType.STOCK_RECEIVED, EventType.LOT_PRODUCED, EventType.STOCK_COUNTED))
    first = (
        select(r.c.lot_code, func.min(r.c.server_seq).label("first"))
        .where(r.c.lot_code.in_(codes), counted, creating)
        .group_by(r.c.lot_code)
        .subquery()
    )
    found = conn.execute(
        select(r.c.lot_code, r.c.site, r.c.server_seq).join(first, r.c.server_seq == first.c.first)
    )
    first_sites: dict[str, str | None] = {}
    first_seqs: dict[str, int] = {}
    for lot, site, seq in found:
        first_sites[lot], first_seqs[lot] = site, int(seq)
    # A lot a split, merge or relabel made was not created by the first event naming its code
    # (those events name the source lot): another site's event naming it (a label request, a hold
    # of its own) made that site its creator, and its supervisor released goods central or a
    # third site held. Its holder is the one it inherited, as central keeps it.
    moved = _made_by_a_move(conn, lots)
    made_otherwise = [
        ref
        for ref in lots
        if ref[1] not in first_sites or moved.get(ref, first_seqs[ref[1]]) < first_seqs[ref[1]]
    ]
    if made_otherwise:
        first_sites.update(_derived_holders(conn, made_otherwise))
    return steps, first_sites


def _made_by_a_move(conn: Connection, lots: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Of these lots, those a split, merge or relabel put goods into, with the server seq of the
    first such event (applied)."""
    r, link = received_events, LotLink.__table__
    query = (
        select(Item.code, Lot.code, func.min(r.c.server_seq))
        .select_from(Lot)
        .join(Item, Item.id == Lot.item_id)
        .join(link, link.c.child_lot_id == Lot.id)
        .join(r, r.c.id == link.c.event_id)
        .where(
            tuple_(Item.code, Lot.code).in_(lots),
            r.c.type.in_(_LOT_MOVE_TYPES),
            r.c.outcome.in_((APPLIED, FLAGGED)),
        )
        .group_by(Item.code, Lot.code)
    )
    return {(item, lot): int(seq) for item, lot, seq in conn.execute(query)}


def _derived_holders(conn: Connection, lots: list[tuple[str, str]]) -> dict[str, str | None]:
    """For lots no stored event created (an import, or a split, merge or relabel of another lot,
    whose events name the source lot): the holder central keeps for them (lots.held_by). A lot
    derived from a held one inherits its holder, and the origins since then add to it, so a
    release is judged as the station judges it from the same held_by (tester's W2: a relabelled
    copy of a lot held by PLANT1 and PLANT2 was refused as "held by central"). None: central."""
    found = conn.execute(
        select(Lot.code, Lot.held_by)
        .join(Item, Item.id == Lot.item_id)
        .where(tuple_(Item.code, Lot.code).in_(lots))
    )
    return {code: held_by for code, held_by in found}


def hold_origin_sites(
    steps: list[tuple[str | None, str, str | None]], first_site: str | None
) -> list[str | None]:
    """Who set each status the lot had since it was last released (None: central decided), from
    its status steps newest first and the site of its first event.

    Every one of them must be the station's own site for it to release the lot: a hold laid
    over another site's hold, or over central's, does not make the lot the station's to release.
    """
    origins: list[str | None] = []
    for from_status, to_status, site in steps:
        if to_status == LotStatus.RELEASED:
            return origins
        origins.append(site)
        if from_status == LotStatus.RELEASED:
            return origins
    # The status the lot was created with (a receipt or production into quarantine), or the
    # holder a lot derived from another inherited ("PLANT1,PLANT2", "central").
    origins.extend(first_site.split(",") if first_site else [None])
    return origins


__all__ = [
    "Checked",
    "EventType",
    "Refusal",
    "RefusalCode",
    "Refused",
    "Validator",
    "naive_utc",
    "refusal_code",
]
