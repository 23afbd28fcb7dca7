"""What the keys do, and the values typed in for them: quantity, reason, PIN, supervisor badge.

A mixin of `StationApp` (which provides the session, the queue and the widgets); it reads the
cache only through the reader thread, never in a key handler.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import work

from lotscan.codes.internal import strip_internal_prefix
from lotscan.domain.events import reason_too_long
from lotscan.domain.harvest import BY_KEY, check_answer
from lotscan.domain.policy import NEVER_OVERRIDDEN
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.verdict import Level, Verdict
from lotscan.services.below_zero import BelowZero, stock_below_zero
from lotscan.services.context import Workflow
from lotscan.services.session import SUPERVISOR_WORKFLOWS, WORKFLOW_TASKS, not_a_supervisor
from lotscan.services.station import Operator
from lotscan.station import demo_hints
from lotscan.station.feed import QueuedScan
from lotscan.station.fields import Field
from lotscan.station.keys import MODE_KEYS, blocking_codes
from lotscan.station.screens.below_zero import below_zero_text, below_zero_title
from lotscan.station.screens.menus import CHOICE_KEYS, Choice, ChoiceMenu, HelpScreen
from lotscan.station.screens.refused import refused_text
from lotscan.sync.local import SetAside, set_aside_events

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from textual.app import App

    _AppBase = App[None]
else:
    _AppBase = object


class StationActions(_AppBase):
    """Mixed into StationApp, whose attributes and methods these use."""

    session: Any
    settings: Any
    fields: Any
    wedge: Any
    reader_thread: Any
    capture: Any
    queue: Any
    command: Any
    _show_state: Any
    show_verdict: Any
    last_scan_verdict: Any

    # -- fields: quantity, reason, PIN, supervisor badge, typed code --------------------------

    def _start_field(self, field: Field, then: str | None = None) -> None:
        self.fields.start(field, then)
        self.capture.clear()
        self._show_state()

    def _end_field(self) -> None:
        if self.session.awaiting_pin_for is not None:
            self.session.awaiting_pin_for = None  # Escape at the PIN: back to "scan your badge"
        self.fields.end()
        self.capture.clear()
        self._show_state()

    def _field_value(self, field: Field, value: str) -> None:
        then, rest = self.fields.then, self.fields.rest
        self.fields.end()
        value = value.strip()
        if field is Field.PIN:
            self.queue(QueuedScan(value, secret=True))
        elif field is Field.QTY:
            self.command(f"/qty {value}")
        elif field is Field.REASON:
            self.command(f"/reason {value}")
            if then == "short" and reason_too_long(value) is None:  # else the refusal stays said (W12)
                self.command("/short")
        elif field is Field.TYPE:
            self.queue(QueuedScan(value))
        elif field is Field.HARVEST:
            self._harvest_answer(then or "", value, rest)
            return
        elif field is Field.SUPERVISOR_BADGE:
            self._check_supervisor(self._badge_number(value), None)
            return
        elif field is Field.SUPERVISOR_PIN:
            self._check_supervisor(then or "", value)
            return
        self._show_state()

    def _ask_harvest(self, keys: list[str]) -> None:
        """Ask the harvest facts of goods from a farm one after the other (domain.harvest)."""
        if not keys:
            return
        fact = BY_KEY[keys[0]]
        self.fields.start(
            Field.HARVEST, keys[0], label=fact.label, prompt=f"{fact.prompt} (Esc = cancel)", rest=keys[1:]
        )
        self.capture.clear()
        self._show_state()

    def _harvest_answer(self, key: str, value: str, rest: list[str]) -> None:
        problem = check_answer(key, value, date.today(), self.session.origin)
        if problem is not None:  # a typed value, answered as a quantity's is (U12), and asked again
            self._say(f"Not taken: {problem}.")
            self._ask_harvest([key, *rest])
            return
        self.command(f"/harvest {key} {value or '-'}")
        if rest:
            self._ask_harvest(rest)
        else:
            self._show_state()

    def _badge_number(self, value: str) -> str:
        """A scanned badge carries the operator prefix (OP:1001); a typed one may not."""
        return strip_internal_prefix(value, self.settings.internal_prefixes, {"operator"})

    @work(group="supervisor")
    async def _check_supervisor(self, badge: str, pin: str | None) -> None:
        try:
            verdict, operator = await self.reader_thread.call(self.session.service.sign_in, badge, pin)
        except Exception:
            log.exception("checking the supervisor badge failed")
            self.show_verdict(Verdict(Level.REJECTED, "Could not check the badge. Try again."))
            return
        if operator is None and verdict.level is Level.WARNING:
            self._start_field(Field.SUPERVISOR_PIN, then=badge)
            return
        self._show_state()
        if operator is None:  # an unknown badge, a wrong PIN: the sign-in's own words
            said = verdict.message.rstrip(".")
            self._say(f"No override set: {said}. Ask a supervisor to scan their badge.")
            return
        if not operator.is_supervisor:
            self._say(not_a_supervisor(operator.name))
            return
        self._choose_override(operator)

    def _say(self, text: str) -> None:
        """A key's answer when it cannot do what it is for (an override not approved): said
        plainly, as the commands are, with no verdict word, since no scan was judged (U12)."""
        self.show_verdict(Verdict(Level.ACCEPTED, text), notice=True)

    # -- actions (function key or letter) -----------------------------------------------------

    def action_station_help(self) -> None:
        settings = self.settings
        self.push_screen(HelpScreen(demo_hints.help_text(settings), codes=demo_hints.help_codes(settings)))

    def action_station_type(self) -> None:
        self._start_field(Field.TYPE)

    def action_station_modes(self) -> None:
        supervisor = bool(self.session.operator and self.session.operator.is_supervisor)
        choices = [
            Choice(key, flow.value, label, disabled=flow in SUPERVISOR_WORKFLOWS and not supervisor)
            for key, flow, label in MODE_KEYS
        ]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            self.command(f"/mode {value}")
            if Workflow(value) in SUPERVISOR_WORKFLOWS and supervisor:
                self._start_field(Field.REASON)

        self.push_screen(ChoiceMenu("Mode  (* supervisor)", choices), chosen)

    @work(group="tasks", exclusive=True)
    async def action_station_tasks(self) -> None:
        kinds = WORKFLOW_TASKS.get(self.session.workflow)
        if not kinds or self.session.operator is None:
            self._say(self._no_tasks_message())  # a key with nothing to offer: said plainly
            return
        try:
            tasks = await self.reader_thread.call(self.session.service.open_tasks, kinds)
        except Exception:
            log.exception("reading the open tasks failed")
            self.show_verdict(
                Verdict(Level.REJECTED, "Could not read the open tasks. Scan the task's barcode.")
            )
            return
        keys = CHOICE_KEYS
        tasks = [t for t in tasks if t["status"] == "open"]  # a done list is not offered (tester tz Z9g)
        choices = [
            Choice(keys[i], f"{t['kind']}:{t['code']}", f"{t['code']}  {t.get('partner') or ''}".rstrip())
            for i, t in enumerate(tasks[: len(keys)])
        ]

        def chosen(value: str | None) -> None:
            if value is not None:
                kind, code = value.split(":", 1)
                self.queue(QueuedScan(self.wedge.task_code(kind, code)))

        self.push_screen(ChoiceMenu(f"Open {' / '.join(kinds)}".replace("_", " "), choices), chosen)

    def _no_tasks_message(self) -> str:
        if self.session.operator is None:
            return "Sign in first: scan your badge."
        return f"{self.session.workflow.value.title()} needs no task. Press m to change mode."

    def action_station_qty(self) -> None:
        self._start_field(Field.QTY)

    def action_station_reason(self) -> None:
        self._start_field(Field.REASON)

    def action_station_override(self) -> None:
        operator = self.session.operator
        blocking = blocking_codes(self.last_scan_verdict)
        if operator is None:
            self._say("No override set: sign in first (scan your badge).")
        elif blocking:
            self._say(f"No override passes {', '.join(blocking)}: {what_to_do_instead(blocking)}.")
        elif operator.is_supervisor:
            self._choose_override(operator)
        else:
            self._start_field(Field.SUPERVISOR_BADGE)

    def _choose_override(self, supervisor: Operator) -> None:
        reasons = self.settings.policy.override_reasons
        keys = "123456789"
        choices = [
            Choice(keys[i], code, code.replace("_", " ").lower()) for i, code in enumerate(reasons[:9])
        ]

        def chosen(value: str | None) -> None:
            if value is not None:
                approved = self.session.approve_override(value, supervisor)
                self.show_verdict(approved.verdict, notice=approved.notice)

        # What is approved, named (tester X5): the refusal's codes, which the override passes and no other.
        passes = ", ".join(sorted(self.session.refused_codes)) or "the next scan"
        title = f"Override reason for {passes} (approved by {supervisor.name})"
        self.push_screen(ChoiceMenu(title, choices), chosen)

    def action_station_produce(self) -> None:
        self.command("/produce")

    def action_station_short(self) -> None:
        question = self.session.short_question()
        if question is None:
            self.command("/short")  # says why there is nothing to close
            return
        # Always asked, naming the line and the amount (tester U11): the reason is the answer.
        # A reason already given (key r, /reason) is in the field: Enter keeps it (tester tz Z9b).
        given = self.session.reason
        ask = "Enter keeps the reason, or change it." if given else "Type the reason, Enter."
        self.fields.start(Field.REASON, "short", prompt=f"{question} {ask} (Esc = cancel)")
        self.capture.clear()
        if given:
            self.capture.prefill(given)
        self._show_state()

    def action_station_signout(self) -> None:
        self.command("/signout")

    @work(group="refused", exclusive=True)
    async def action_station_refused(self) -> None:
        """The events central refused, with its reason code and sentence: for the supervisor."""
        engine = self.session.service.engine

        def read() -> list[SetAside]:
            with engine.connect() as conn:
                return set_aside_events(conn)

        try:
            refused = await self.reader_thread.call(read)
        except Exception:
            log.exception("reading the refused events failed")
            self.show_verdict(Verdict(Level.REJECTED, "Could not read the refused events. Try again."))
            return
        self.push_screen(HelpScreen(refused_text(refused), title=f"Refused by central ({len(refused)})"))

    @work(group="below-zero", exclusive=True)
    async def action_station_below_zero(self) -> None:
        """The shelves whose book stock went below zero, to count: for the supervisor whom a
        STOCK_BELOW_ZERO warning told the operator to tell."""
        engine = self.session.service.engine

        def read() -> list[BelowZero]:
            with engine.connect() as conn:
                return stock_below_zero(conn)

        try:
            shortfalls = await self.reader_thread.call(read)
        except Exception:
            log.exception("reading the stock below zero failed")
            self.show_verdict(Verdict(Level.REJECTED, "Could not read the stock below zero. Try again."))
            return
        self.push_screen(HelpScreen(below_zero_text(shortfalls), title=below_zero_title(shortfalls)))


def what_to_do_instead(blocking: list[str]) -> str:
    """After a refusal no override passes: the place's advice when the place is what is wrong
    (tester Y5: "scan another lot" after WRONG_LOCATION, where the lot was right), else another lot."""
    for code in blocking:
        reason = ReasonCode.__members__.get(code)
        advice = NEVER_OVERRIDDEN.get(reason) if reason is not None else None
        if advice is not None:
            return advice
    return "scan another lot"
