"""The station's service facade: everything the CLI and the UI ask of the cache goes here."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, select

from lotscan.codes.scan import RawScan, Scan, Source
from lotscan.domain.events import PickShort, describe_errors
from lotscan.domain.reasons import ReasonCode, sentence
from lotscan.domain.roles import is_supervisor
from lotscan.domain.verdict import Level, Reason, Verdict
from lotscan.services import pins
from lotscan.services.checks import Run, line_closed, lot_is_as_scanned, scan_is_readable
from lotscan.services.context import STATUS_WORKFLOWS, ScanContext, Workflow
from lotscan.services.judge import Findings, judge
from lotscan.services.recorder import Plan, PlannedEvent, record
from lotscan.services.workflows import (
    consume,
    count,
    lookup,
    move,
    pick,
    produce,
    receive,
    ship,
    status,
)
from lotscan.settings import StationSettings
from lotscan.store import queries as q
from lotscan.store import reference
from lotscan.store.db import begin_write
from lotscan.store.pin_tries import PinState, count_wrong_pin, forget_wrong_pins, pin_state
from lotscan.store.schema import ENROLLED_NAME_KEY, LOT_PART_KEY, SyncState

log = logging.getLogger(__name__)

EVALUATORS: dict[Workflow, Callable[[Run], Plan | None]] = {
    Workflow.RECEIVE: receive.evaluate,
    Workflow.MOVE: move.evaluate,
    Workflow.CONSUME: consume.evaluate,
    Workflow.PRODUCE: produce.evaluate,
    Workflow.PICK: pick.evaluate,
    Workflow.SHIP: ship.evaluate,
    Workflow.HOLD: status.evaluate,
    Workflow.RELEASE: status.evaluate,
    Workflow.QUARANTINE: status.evaluate,
    Workflow.COUNT: count.evaluate,
    Workflow.LOOKUP: lookup.evaluate,
}


@dataclass(frozen=True)
class PlannedOutput:
    """A work order's output as planned: the order, what it makes, in which unit, how much."""

    task: str
    item: str
    unit: str
    planned_qty: float | None


@dataclass(frozen=True)
class Operator:
    badge: str
    name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return is_supervisor(self.role)


def _evaluate(run: Run) -> Plan | None:
    """The workflow's plan; a value no event may carry (a date before 2000, a quantity refused
    already) ends the plan with a reason instead of a half-built event."""
    if run.scan.internal is not None and run.scan.errors:
        # `LOC:`, `WO:` with nothing after the prefix names no place, task or badge: refused as the
        # unreadable code it is, in every workflow (tester tz, Z5: a lookup said only "Nothing to
        # do with this scan", with no reason code; a task was "(empty) does not exist").
        scan_is_readable(run)
        return None
    try:
        return EVALUATORS[run.ctx.workflow](run)
    except ValidationError as exc:
        refused = (ReasonCode.BAD_QUANTITY, ReasonCode.PACK_SIZE_UNKNOWN, ReasonCode.UNIT_MISMATCH)
        if not any(run.findings.has(code) for code in refused):
            run.add(ReasonCode.INVALID_VALUE, detail=describe_errors(exc))
        return None


class StationService:
    def __init__(self, engine: Engine, settings: StationSettings):
        self.engine = engine
        self.configured = settings  # as the config file gave them, before any enrolment
        with engine.connect() as conn:
            self._enrolled = _enrolment(conn)
        self.settings = _as_enrolled(settings, self._enrolled)
        self._interpret_options: Any = None
        self._local = threading.local()
        # Wrong PINs in a row and lockouts, by badge, for every session of this station
        # (tester's #31), kept in the cache (store.pin_tries): a restart does not lift a lockout,
        # and wrong --pin tries of separate `lotscan scan` runs count together. Wall-clock
        # seconds, as a lockout outlives this process.
        self.clock: Callable[[], float] = time.time

    def _scan_connection(self) -> Connection:
        """This thread's connection for judging scans, kept open between scans: checking one
        out of the pool and resetting it costs more than the reads of a whole judgement. Each
        scan still runs in its own transaction on it."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self.engine.connect()
            self._local.conn = conn
        return conn

    def interpret(
        self,
        data: bytes | str,
        *,
        aim_id: str | None = None,
        source: Source = Source.KEYBOARD,
        device_id: str | None = None,
    ) -> Scan:
        from lotscan.codes.interpret import InterpretOptions, interpret

        if self._interpret_options is None:
            self._interpret_options = InterpretOptions(
                gs_substitutes=self.settings.gs_substitutes,
                internal_prefixes=self.settings.internal_prefixes,
            )
        raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        return interpret(
            RawScan(raw, aim_id=aim_id, source=source, device_id=device_id),
            self._interpret_options,
        )

    def handle(self, scan: Scan, ctx: ScanContext, *, dry_run: bool = False) -> Verdict:
        """Judge a scan and, unless rejected or dry_run, record it with its effect atomically.

        Never raises for bad input: an unexpected failure is logged, rolled back and reported
        as REJECTED with nothing recorded.
        """
        try:
            conn = self._scan_connection()
            with conn.begin():
                if not dry_run and ctx.workflow is not Workflow.LOOKUP:
                    begin_write(conn)
                with reference.scan_window(conn):
                    return self._judge(conn, scan, ctx, dry_run)
        except Exception:
            log.exception("scan %r in %s failed", scan.raw, ctx.workflow)
            return Verdict(
                Level.REJECTED,
                "Something went wrong inside the station; this scan was NOT recorded. "
                "Scan again; if it repeats, call a supervisor.",
                (Reason("INTERNAL_ERROR", "internal error; see the station log"),),
            )

    def follow_enrolment(self, conn: Connection | None = None) -> bool:
        """Take up the name and lot part central gave at an enrolment that landed while this
        service runs (`lotscan enroll` on an open station, tester T5): True if they changed.
        Inside a scan window the enrolment is read once and kept until the cache changes."""
        if conn is None:
            with self.engine.connect() as own:
                return self.follow_enrolment(own)
        enrolled = reference.lookup(conn, _ENROLMENT, None, lambda: _enrolment(conn))
        if enrolled == self._enrolled:
            return False
        self._enrolled = enrolled
        self.settings = _as_enrolled(self.configured, enrolled)
        return True

    def _judge(self, conn: Connection, scan: Scan, ctx: ScanContext, dry_run: bool) -> Verdict:
        """The verdict on one scan, and its events recorded when allowed (in the caller's
        transaction)."""
        self.follow_enrolment(conn)
        refusal = self._operator_refusal(conn, ctx)
        if refusal is not None:
            return refusal
        run = Run(conn, self.settings, ctx, scan)
        plan = _evaluate(run)
        verdict, allowed = judge(
            run.findings,
            self.settings.policy,
            ctx.override,
            plan.message if plan else "",
            covers=ctx.override_covers,
            recording=bool(plan and plan.events and not dry_run),
        )
        if plan is None and allowed:
            return _nothing_done(verdict)
        if plan is not None and (allowed or ctx.workflow is Workflow.LOOKUP):
            # A refused scan's plan is what would have been: never shown as done.
            verdict = replace(verdict, details=plan.details)
        elif plan is not None and "ask_harvest" in plan.details:
            # Not a plan shown as done: the facts the station must ask before it records
            # (a receipt from a farm, workflows/receive.py).
            verdict = replace(verdict, details={"ask_harvest": plan.details["ask_harvest"]})
        if not allowed or plan is None or dry_run or not plan.events:
            return verdict
        ids = record(conn, self.settings.station_id, run.ctx, scan.raw, verdict, plan)
        return replace(verdict, event_ids=tuple(ids))

    def _operator_refusal(self, conn: Any, ctx: ScanContext) -> Verdict | None:
        if ctx.workflow is Workflow.LOOKUP:
            return None
        if not ctx.operator:
            return _reject(
                ReasonCode.MISSING_CONTEXT,
                detail="Sign in first: scan your badge (or give --operator).",
            )
        operator = q.operator_by_badge(conn, ctx.operator)
        if operator is None:
            return _reject(ReasonCode.UNKNOWN_OPERATOR, operator=ctx.operator)
        if not operator["active"]:  # deactivated at central since they signed in
            return _reject(ReasonCode.OPERATOR_INACTIVE, operator=ctx.operator)
        if ctx.override:
            approver = ctx.override_by or ctx.operator
            found = operator if approver == ctx.operator else q.operator_by_badge(conn, approver)
            if found is None or not found["active"] or not is_supervisor(found["role"]):
                return _reject(ReasonCode.NOT_AUTHORISED, operator=approver, action="approve an override")
        return None

    def sign_in(self, badge: str, pin: str | None = None) -> tuple[Verdict, Operator | None]:
        with self.engine.connect() as conn:
            found = q.operator_by_badge(conn, badge)
        if found is None:
            return _reject(ReasonCode.UNKNOWN_OPERATOR, operator=badge), None
        if not found["active"]:
            return _reject(ReasonCode.OPERATOR_INACTIVE, operator=badge), None
        if self.settings.policy.require_pin or found["pin_hash"]:
            with self.engine.connect() as conn:
                state = pin_state(conn, badge)
            locked = self._pin_locked(state, found["name"])
            if locked is not None:
                return locked, None
            if pin is None:
                return Verdict(Level.WARNING, f"Hello {found['name']}: enter your PIN."), None
            if not pins.check_pin(pin, found["pin_hash"]):
                return self._wrong_pin(badge, found["name"]), None
            if state.wrong:
                with self.engine.begin() as conn:
                    begin_write(conn)
                    forget_wrong_pins(conn, badge)
        operator = Operator(found["badge"], found["name"], found["role"])
        return Verdict(Level.ACCEPTED, f"Signed in: {operator.name} ({operator.role})."), operator

    def wrong_pins_in_a_row(self, badge: str) -> int:
        """Wrong PINs typed for `badge` since its last right PIN or lockout, on any session."""
        with self.engine.connect() as conn:
            return pin_state(conn, badge).wrong

    def _pin_locked(self, state: PinState, name: str) -> Verdict | None:
        left = state.locked_until - self.clock()
        if left <= 0:
            return None
        minutes, seconds = divmod(int(left + 0.999), 60)
        wait = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
        text = (
            f"{name}'s badge is locked for {wait} after {self.settings.policy.pin_tries} wrong PINs. "
            "Ask another supervisor, or wait."
        )
        return Verdict(Level.REJECTED, text, (Reason(PIN_LOCKED, text),))

    def _wrong_pin(self, badge: str, name: str) -> Verdict:
        policy = self.settings.policy
        with self.engine.begin() as conn:
            begin_write(conn)  # another process counting the same badge waits for this commit
            state = count_wrong_pin(
                conn, badge, tries=policy.pin_tries, lockout_s=policy.pin_lockout_s, now=self.clock()
            )
        locked = self._pin_locked(state, name)
        if locked is not None:
            return replace(locked, message=f"Wrong PIN {state.wrong} times: {locked.message}")
        text = "Wrong PIN. Try again or ask a supervisor."
        return Verdict(Level.REJECTED, text, (Reason(WRONG_PIN, text),))

    def short_pick(self, task_code: str, line_no: int, ctx: ScanContext) -> Verdict:
        """Close a pick line short: what was picked stays, the rest is recorded as missing."""
        with self.engine.begin() as conn:
            begin_write(conn)
            refusal = self._operator_refusal(conn, ctx)
            if refusal is not None:
                return refusal
            task = q.task_by_code(conn, task_code)
            lines = [ln for ln in q.task_lines(conn, task.id) if ln.line_no == line_no] if task else []
            if not task or not lines:
                return _reject(ReasonCode.UNKNOWN_TASK, task=f"{task_code} line {line_no}")
            line = lines[0]
            item = q.item_by_id(conn, line.item_id)
            if line.remaining <= 0:  # done, or closed short already: a second short closes nothing
                unit = item.unit if item else ""
                return _reject(
                    ReasonCode.QTY_EXCEEDS_TASK, need=f"{task_code} line {line_no} {line_closed(line, unit)}."
                )
            if not ctx.reason:
                return _reject(ReasonCode.MISSING_CONTEXT, detail="Give a reason for the short pick.")
            plan = Plan(
                [
                    PlannedEvent(
                        PickShort(
                            task=task_code,
                            line_no=line_no,
                            short_qty=max(line.remaining, 0.0),
                            reason=ctx.reason,
                        )
                    )
                ],
                sentence(
                    ReasonCode.SHORT_PICK,
                    line=line_no,
                    task=task_code,
                    item=(item.description or item.code) if item else "?",
                    short=f"{max(line.remaining, 0.0):g} {item.unit if item else ''}".strip(),
                    reason=ctx.reason,
                ),
            )
            short = Reason(ReasonCode.SHORT_PICK.value, plan.message, Level.WARNING)  # its code shown (U11)
            verdict = Verdict(Level.WARNING, plan.message, (short,))
            ids = record(conn, self.settings.station_id, ctx, None, verdict, plan)
            return replace(verdict, event_ids=tuple(ids))

    def pick_prompt(self, task_code: str, ctx: ScanContext | None = None) -> dict[str, Any] | None:
        ctx = (ctx or ScanContext(Workflow.PICK)).with_(task=task_code)
        with self.engine.connect() as conn:
            return pick.next_prompt(Run(conn, self.settings, ctx, _empty_scan()))

    def ships_from(self, task_code: str) -> str | None:
        """Where a shipment's lots are taken from unless another place is scanned: its staging
        location, named in the prompt before the scan (tester W22), or None."""
        with self.engine.connect() as conn:
            task = q.task_by_code(conn, task_code)
            if task is None or task.kind != "shipment":
                return None
            named = ship.ships_from(Run(conn, self.settings, ScanContext(Workflow.SHIP), _empty_scan()), task)
        return named.location.code if named else None

    def lot_status(self, gtin: str, lot_code: str) -> str | None:
        """A lot's status now ("released", "recalled", ...), or None when the cache has no such lot."""
        with self.engine.connect() as conn:
            item = q.item_by_gtin(conn, gtin)
            lot = q.lot_by_code(conn, item.id, lot_code) if item else None
        return lot.status if lot else None

    def planned_output(self, task_code: str) -> PlannedOutput | None:
        """What a work order plans to make (the quantity /produce suggests), or None when the
        code names no work order with an output item."""
        with self.engine.connect() as conn:
            task = q.task_by_code(conn, task_code)
            if task is None or task.kind != "work_order" or task.item_id is None:
                return None
            item = q.item_by_id(conn, task.item_id)
        if item is None:
            return None
        return PlannedOutput(task.code, item.description or item.code, item.unit, task.planned_qty)

    def lot_is_as_scanned(self, scan: Scan) -> bool:
        """The scan's lot, which looks as if it swallowed the next element, is a lot the item
        has here while the guess is not (see `checks.lot_is_as_scanned`): nothing to ask."""
        if not scan.gtin or not scan.lot:
            return False
        with self.engine.connect() as conn:
            item = q.item_by_gtin(conn, scan.gtin)
            return item is not None and lot_is_as_scanned(conn, item, scan)

    def is_lot_tracked(self, gtin: str) -> bool:
        with self.engine.connect() as conn:
            item = q.item_by_gtin(conn, gtin)
        return bool(item and item.lot_tracked)

    def location_known(self, code: str) -> bool:
        """A location of this cache by its code or GLN (what a LOC: or AI 414 label carries)."""
        if not code:
            return False
        with self.engine.connect() as conn:
            return q.location_by_code(conn, code) is not None or q.location_by_gln(conn, code) is not None

    def open_tasks(self, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
        from lotscan.store.schema import Task

        with self.engine.connect() as conn:
            rows = conn.execute(
                select(Task.id, Task.code, Task.kind, Task.partner, Task.status)
                .where(Task.kind.in_(kinds), Task.status == "open")
                .order_by(Task.code)
            ).all()
            # Open at central; "done" when every line is done or closed short (offered no more,
            # though scanning it still opens it).
            return [
                {
                    "code": r.code,
                    "kind": r.kind,
                    "partner": r.partner,
                    "status": q.task_status(r.kind, r.status, q.task_lines(conn, r.id)),
                }
                for r in rows
            ]

    def summary(self) -> dict[str, Any]:
        """Numbers for a status bar: events waiting to sync, the cache's age and central's URL."""
        with self.engine.connect() as conn:
            pending = q.pending_count(conn)
            synced = conn.execute(select(SyncState.value).where(SyncState.key == "last_pull_at")).scalar()
            enrolled_url = conn.execute(select(SyncState.value).where(SyncState.key == "server_url")).scalar()
        age = None
        if synced:
            age = (datetime.now(UTC) - datetime.fromisoformat(synced)).total_seconds()
        return {
            "pending": pending,
            "cache_age_s": age,
            "station": self.settings.station_id,
            # the sync worker talks to the URL stored at enrolment first, so the status line names it
            "server_url": enrolled_url or self.settings.server_url,
        }


PIN_LOCKED = "PIN_LOCKED"  # the reason code of a sign-in refused while a badge is locked
WRONG_PIN = "WRONG_PIN"  # the reason code of a wrong PIN, shown with it (tester tz Z15)


_ENROLMENT = "enrolment"  # the kind of the kept row (store.reference) of the station's enrolment


def _enrolment(conn: Connection) -> tuple[str | None, str | None]:
    """(the name central gave this station, its lot part), None before enrolment."""
    rows = conn.execute(
        select(SyncState.key, SyncState.value).where(SyncState.key.in_((ENROLLED_NAME_KEY, LOT_PART_KEY)))
    ).all()
    found = {row.key: row.value for row in rows}
    return found.get(ENROLLED_NAME_KEY), found.get(LOT_PART_KEY)


def _as_enrolled(settings: StationSettings, enrolment: tuple[str | None, str | None]) -> StationSettings:
    enrolled, lot_part = enrolment
    if enrolled and enrolled != settings.station_id:
        # One name everywhere: the one central gave at enrolment (screen, events, lot numbers).
        settings = replace(settings, station_id=enrolled)
    if lot_part:
        # Lot numbers carry central's short part for this station, so they fit GS1's 20
        # characters whatever the site's name (issue 14, #19).
        settings = replace(settings, lot_station=lot_part)
    return settings


def _reject(code: ReasonCode, **facts: object) -> Verdict:
    text = sentence(code, **facts)
    return Verdict(Level.REJECTED, text, (Reason(code.value, text),))


def _nothing_done(verdict: Verdict) -> Verdict:
    return Verdict(Level.REJECTED, "Nothing to do with this scan.", verdict.reasons)


def _empty_scan() -> Scan:
    from lotscan.codes.scan import ScanKind

    return Scan(kind=ScanKind.UNKNOWN, raw="")


__all__ = ["STATUS_WORKFLOWS", "Findings", "Operator", "StationService"]
