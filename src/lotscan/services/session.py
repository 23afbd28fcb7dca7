"""A signed-in station session: routes every scanned or typed line to what it means.

Badges sign in, order codes pick the task (and the workflow that goes with it), location codes
set where you are (or, in move, where the lot goes), and product labels go to the current
workflow. Lines starting with "/" are commands (/help lists them). Used by the interactive
headless station and by the Textual UI, so both behave the same.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from lotscan.codes.scan import Scan, ScanKind, Source
from lotscan.codes.split_label import halves_match, is_gtin_half, is_lot_half, paired_element_string
from lotscan.domain.control_characters import control_character_problem
from lotscan.domain.events import MIN_QTY, reason_too_long
from lotscan.domain.harvest import BY_KEY, check_answer
from lotscan.domain.reasons import ReasonCode, code_name, sentence, with_article
from lotscan.domain.verdict import Level, Reason, Verdict
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.importer import MIN_PIN_LENGTH
from lotscan.services.lost_separator import LostSeparator, lost_separator
from lotscan.services.station import PIN_LOCKED, Operator, StationService
from lotscan.services.workflows.move import already_there
from lotscan.settings import StationSettings

TASK_WORKFLOWS = {
    "asn": Workflow.RECEIVE,
    "po": Workflow.RECEIVE,
    "work_order": Workflow.CONSUME,
    "pick_list": Workflow.PICK,
    "shipment": Workflow.SHIP,
}
WORKFLOW_TASKS = {
    Workflow.RECEIVE: ("asn", "po"),
    Workflow.CONSUME: ("work_order",),
    Workflow.PRODUCE: ("work_order",),
    Workflow.PICK: ("pick_list",),
    Workflow.SHIP: ("shipment",),
}
SUPERVISOR_WORKFLOWS = {Workflow.HOLD, Workflow.RELEASE, Workflow.QUARANTINE}

HELP = """Commands (type them, or use the UI keys):
  /mode NAME      receive, move, consume, produce, pick, ship, hold, release, quarantine, count, lookup
  /qty N          quantity for the next scan (default: from the label or the task)
  /override CODE  pass the next scan despite an overridable refusal (a signed-in supervisor;
                  for an operator, the supervisor scans their badge in the app: key o)
  /reason TEXT    reason for hold, release, quarantine or short pick
  /produce        say the output lot of the current work order; again to record it
  /short          close the current pick line short (needs /reason first)
  /confirm        take a suspicious label as the station read it (lost GS separator)
  /asscanned      the suspicious label's lot really is as scanned: record it so, flagged
  /signout        sign out
  /belowzero      shelves whose book stock went below zero, to count (key z)
Scan a badge (OP:...) to sign in, an order (ASN:/PO:/WO:/PL:/SHP:) to choose the task, a
location (LOC:... or a GLN) to say where you are, and product labels to do the work."""


@dataclass
class Outcome:
    verdict: Verdict
    scan: Scan | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # A command, badge, task, location or first half of a two-scan step: said in a neutral
    # style, not as a verdict on goods (a refusal stays a refusal).
    notice: bool = False
    secret: bool = False  # the input was (or looked like) a PIN: never shown back
    moved_to: str | None = None  # a move's destination: the last scans show the lot, then where it went


SCAN_BADGE_AGAIN = "Scan your badge again, or ask a supervisor."


def _looks_like_pin(text: str) -> bool:
    """A short run of digits: what a person retyping a PIN enters; no label is that."""
    typed = text.strip()
    return typed.isdigit() and len(typed) <= 6


def could_be_pin(text: str) -> bool:
    """Digits only and as long as a PIN may be (docs/station.md "PINs"): a PIN typed where no
    PIN was asked for (tester X3: a supervisor's 4321 stayed in clear in the last scans)."""
    typed = text.strip()
    return typed.isascii() and typed.isdigit() and len(typed) >= MIN_PIN_LENGTH


SHORTEST_GS1_KEY = 8  # digits of a GTIN-8
UNREADABLE = frozenset({ReasonCode.MALFORMED_GS1.value, ReasonCode.BAD_CHECK_DIGIT.value})
PIN_MASK = "••••"
PIN_NOT_SHOWN = "A number that could be a PIN is not shown. Type a PIN only when the station asks for it."


ESCAPE = "\x1b"  # the Esc key, as a line station reads it


def _not_a_pin(text: str, read: Scan, *, scanned: bool) -> str | None:
    """What a line read at PIN> is, said as "a location code (LOC:RM-A01)", when it is no PIN;
    None for a PIN. A PIN is digits typed: a scanner's read of anything else never is one. A
    command or one of our codes is no PIN, nor a barcode read whole from 8 digits on (the rule a
    PIN-like number typed elsewhere follows: under 8 digits no barcode is)."""
    typed = text.strip()
    if typed.startswith("/"):
        return f"a command ({typed.split()[0]})"
    if read.internal is not None:
        return f"{with_article(read.internal.type)} code ({typed})"
    if typed.isdigit() and not scanned:
        # Digits typed at PIN> are a PIN, however long: a PIN of 8 or more digits can end in a
        # valid check digit and read as a GTIN (tester tz2, A10: PIN 12345670 was refused as
        # a product label on every try, and shown on the screen).
        return None
    digits_short = typed.isdigit() and len(typed) < SHORTEST_GS1_KEY
    if read.kind is not ScanKind.UNKNOWN and not read.errors and not digits_short:
        if read.kind is ScanKind.PALLET:
            return f"a pallet label (SSCC {read.sscc})" if read.sscc else "a pallet label"
        if read.kind is ScanKind.EPC:
            return "an RFID tag"
        lot = f", lot {read.lot}" if read.lot else ""
        return f"a product label (GTIN {read.gtin}{lot})" if read.gtin else "a product label"
    if scanned and not typed.isdigit():  # digits may be a PIN typed fast (a served session's burst)
        return "a scanned barcode"
    return None


def _taken_for_pin(text: str, outcome: Outcome) -> bool:
    """A refused PIN-like number: under 8 digits no barcode is (GTIN-8 is the shortest), so any
    refusal; a longer one only when it was read as no barcode (not an unknown but valid GTIN)."""
    verdict = outcome.verdict
    if verdict.level is not Level.REJECTED or not could_be_pin(text):
        return False
    return len(text.strip()) < SHORTEST_GS1_KEY or any(r.code in UNREADABLE for r in verdict.reasons)


def _masked_pin(outcome: Outcome, typed: str) -> Outcome:
    """The refusal of a PIN-like number that no barcode is, without the number: on screen, in
    the last scans and in the log it is `PIN ••••` (an 8-digit PIN would otherwise be named in
    BAD_CHECK_DIGIT's "GTIN 12345678 has a wrong check digit")."""
    verdict = outcome.verdict
    reasons = tuple(replace(r, message=r.message.replace(typed, PIN_MASK)) for r in verdict.reasons)
    message = f"{verdict.message.replace(typed, PIN_MASK)} {PIN_NOT_SHOWN}"
    return Outcome(replace(verdict, message=message, reasons=reasons), secret=True)


def _saying(verdict: Verdict, text: str) -> Verdict:
    """The verdict with `text` as its sentence and its reasons' (one sentence on screen, under
    its reason code)."""
    return replace(verdict, message=text, reasons=tuple(replace(r, message=text) for r in verdict.reasons))


def _note(message: str, scan: Scan | None = None, details: dict[str, Any] | None = None) -> Outcome:
    return Outcome(Verdict(Level.ACCEPTED, message), scan, details or {}, notice=True)


@dataclass
class StationSession:
    service: StationService
    workflow: Workflow = Workflow.LOOKUP
    operator: Operator | None = None
    task: str | None = None
    location: str | None = None
    qty: float | None = None
    override: str | None = None
    override_by: str | None = None
    # The refusing codes of the refusal the override was approved after: it passes those only.
    override_covers: frozenset[str] | None = None
    # The refusing codes of the last scan's refusal, shown to whoever approves an override next.
    refused_codes: frozenset[str] = frozenset()
    reason: str | None = None
    origin: dict[str, str] = field(default_factory=dict)  # harvest facts for the next receipt
    awaiting_pin_for: str | None = None
    wrong_pins: int = 0
    pin_locked_out: bool = False  # the PIN tries ran out; a PIN typed next is not a scan
    pending_move: Scan | None = None
    # The lot to move is in several places and no source was scanned: the next location
    # scanned is where it is taken from (tester's T12), then the one after is where it goes.
    move_needs_source: bool = False
    move_sources: tuple[str, ...] = ()  # where the lot is: the source scanned must be one of them
    move_lot: str = ""  # the lot code the lot scan names (a pallet's SSCC names it only in the cache)
    half_label: Scan | None = None  # one barcode of a split label, waiting for the other
    half_label_at: float = 0.0
    paired_with: Scan | None = None  # the waiting half the last scan was paired with, if it was
    # A label that lost a GS separator, waiting for /confirm or /asscanned.
    suspect: LostSeparator | None = None
    # /produce asks first; a second /produce right after, with the same task, quantity and
    # place, records what the question said.
    produce_asked: tuple[str | None, float | None, str | None] | None = None
    clock: Callable[[], float] = time.monotonic
    # How a label that lost a GS separator is confirmed, said in the question: the station's
    # command, or the command line's option for a batch upload (services/batch.py).
    confirm_how: str = "type /confirm"
    as_scanned_how: str = "type /asscanned"
    dry_run: bool = False  # judge and route as usual, record nothing (a batch's --dry-run)

    def submit(
        self, text: str, *, source: Source = Source.KEYBOARD, aim_id: str | None = None, scanned: bool = False
    ) -> Outcome:
        """Handle one scanned or typed line. Never raises on bad input. `scanned`: the front end
        knows the line came from a scanner (a wedge burst, a device), not from typing."""
        if self.awaiting_pin_for is not None:
            read = self.service.interpret(text, source=source, aim_id=aim_id)
            if read.kind is ScanKind.OPERATOR and read.internal:
                # A badge scanned at PIN> (people re-scan to start over) restarts the sign-in;
                # it is never a PIN try (tester tz, Z15).
                return self._sign_in(read.internal.value, read)
            if ESCAPE in text:  # Esc (then Enter, in a line station) cancels, as the prompt says
                self.awaiting_pin_for = None
                return _note(f"No PIN asked any more; no try was spent. {self.prompt}")
            not_a_pin = _not_a_pin(text, read, scanned=scanned or aim_id is not None)
            if not_a_pin is not None:
                # A location, task, product label or command read at PIN> is not a PIN: said,
                # never a try (tester tz2, A3: three such scans locked a supervisor out).
                return self._refuse_as_no_pin(not_a_pin, read)
            return self._pin(text.strip())
        if self.pin_locked_out:
            self.pin_locked_out = False
            if _looks_like_pin(text):
                tries = self.service.settings.policy.pin_tries
                return Outcome(
                    Verdict(Level.REJECTED, f"Wrong PIN {tries} times. {SCAN_BADGE_AGAIN}"), secret=True
                )
        if text.startswith("/"):
            if text[1:].strip().lower() != "produce":
                self.produce_asked = None
            return self._command(text[1:].strip())
        scan = self.service.interpret(text, source=source, aim_id=aim_id)
        outcome = self.submit_scan(scan)
        if _taken_for_pin(text, outcome):
            return _masked_pin(outcome, text.strip())
        return outcome

    def submit_scan(self, scan: Scan, *, confirmed: bool = False) -> Outcome:
        """Route one reading; `confirmed`: the operator confirmed it (/confirm), not asked again."""
        self.produce_asked = None
        self.paired_with = None
        if scan.internal is not None and scan.errors:  # `OP:`, `WO:`, `LOC:` alone (tester tz, Z5)
            return _refuse(ReasonCode.MALFORMED_GS1, scan, detail=scan.errors[0].message)
        if scan.kind is ScanKind.OPERATOR and scan.internal:
            return self._sign_in(scan.internal.value, scan)
        if self.operator is None and self.workflow is not Workflow.LOOKUP:
            return _refuse(ReasonCode.MISSING_CONTEXT, scan, detail="Sign in first: scan your badge.")
        if scan.kind is ScanKind.ORDER and scan.internal and self.operator is not None:
            return self._choose_task(scan)
        if scan.kind is ScanKind.LOCATION and self.workflow is not Workflow.LOOKUP:
            return self._at_location(scan)
        paired = self._pair_split_label(scan)
        if isinstance(paired, Outcome):
            return paired
        scan = paired
        asked = None if confirmed else self._ask_about_suspicious(scan)
        if asked is not None:
            return asked
        if self.workflow is Workflow.MOVE:
            return self._remember_move(scan)
        return self._handle(scan, self._context())

    @property
    def prompt(self) -> str:
        if self.operator is None:
            return "Scan your badge to sign in."
        needs = WORKFLOW_TASKS.get(self.workflow)
        if needs and not self.task:
            return f"{self.workflow.value.title()}: scan the {' or '.join(needs).replace('_', ' ')} barcode."
        if self.workflow is Workflow.MOVE:
            source = f" from {self.location}" if self.location else ""
            if self.pending_move is not None:
                lot = self.pending_move.lot or "the lot"
                if self.move_needs_source:
                    return f"Move {lot}: scan the location you take it from."
                return f"Move {lot}{source}: scan the location to move it to."
            return f"Move{source}: scan the lot, then the new location."
        if self.workflow is Workflow.COUNT and not self.location:
            return "Count: scan the location you are counting."
        if self.workflow in SUPERVISOR_WORKFLOWS:
            # A lot scanned without a reason is refused (MISSING_CONTEXT); each lot needs its own.
            flow = self.workflow.value.title()
            if not self.reason:
                return f"{flow}: give the reason first (/reason TEXT), then scan the lot."
            return f"{flow} with reason '{self.reason}': scan the lot."
        if self.workflow is Workflow.SHIP and self.task:
            # The place every lot is taken from is named before the scan, as pick's (tester W22).
            where = self.location or self.service.ships_from(self.task)
            if where:
                return f"Ship on {self.task} from {where}: scan each lot."
        if self.workflow is Workflow.PRODUCE:
            # Any label scanned here would plan the output lot: the action is /produce.
            return f"Produce on {self.task}: type /produce to make the output lot."
        return f"{self.workflow.value.title()}: scan a label."

    def _pair_split_label(self, scan: Scan) -> Scan | Outcome:
        """A label's GTIN barcode and its lot barcode, scanned within the policy's few seconds
        in either order, become one reading; the first half alone records nothing."""
        now = self.clock()
        waiting, self.half_label = self.half_label, None
        window = self.service.settings.policy.split_label_window_s
        if waiting is not None and now - self.half_label_at <= window and halves_match(waiting, scan):
            self.paired_with = waiting
            return self.service.interpret(paired_element_string(waiting, scan), source=scan.source)
        if is_lot_half(scan):
            wanted = "the label's GTIN (product) barcode"
        elif is_gtin_half(scan) and self.workflow is Workflow.LOOKUP:
            # A lookup shows the product now, and pairs its lot barcode if that comes next
            # (tester's #15d: GTIN then lot was paired in every workflow but this one).
            self.half_label, self.half_label_at = scan, now
            return scan
        elif is_gtin_half(scan) and self._needs_lot(scan):
            wanted = "the label's lot barcode"
        else:
            return scan
        late = ""
        if waiting is not None and halves_match(waiting, scan):
            # The other half came, but after the window: said, not a silent new wait (tester
            # tz, Z9d: "Now scan ... (within 3 s)" still read as an open wait 5 s later).
            late = (
                f"Too late to pair with the barcode read {now - self.half_label_at:.0f} s ago "
                f"(halves pair within {window:g} s). "
            )
        self.half_label, self.half_label_at = scan, now
        read = ", ".join(f"({ai}) {value}" for ai, value in scan.ais.items())
        return _note(
            f"{late}Read {read}; nothing recorded yet. Now scan {wanted} (within {window:g} s).", scan
        )

    def _ask_about_suspicious(self, scan: Scan) -> Outcome | None:
        """A lot that probably swallowed the next element (lost GS separator): show what the
        label probably says and ask to confirm or rescan, or refuse at once what would be
        refused anyway (see `lost_separator`)."""
        self.suspect = None
        asked = lost_separator(
            self.service, scan, self._context(), confirm=self.confirm_how, as_scanned=self.as_scanned_how
        )
        if asked is None:
            return None
        self.suspect = asked  # refused anyway, only /asscanned can answer it
        if asked.reading is None:  # refused anyway: nothing to confirm
            self._after_refusal(asked.verdict)
            return Outcome(asked.verdict, scan, asked.verdict.details)
        return Outcome(asked.verdict, scan)

    def confirm(self, who: str | None = None) -> Outcome:
        """/confirm: record the label waiting for it as the station read it; `who` confirmed it
        (default: the operator signed in)."""
        asked, self.suspect = self.suspect, None
        if asked is None or asked.reading is None:  # nothing to act on: said plainly (U12)
            return _note("Nothing to confirm: no label is waiting for /confirm. Scan the label.")
        # Recorded as what happened (tester W5): the raw as scanned, the confirmation a warning.
        return self.submit_scan(asked.confirmed_by(who or self._who()), confirmed=True)

    def as_scanned(self, who: str | None = None) -> Outcome:
        """/asscanned: the label's lot really is what was scanned (tester tz, Z10: lot LOT3012 is
        not lot LOT and a count of 12): recorded as scanned, SUSPICIOUS_LOT saying who said so."""
        asked, self.suspect = self.suspect, None
        if asked is None:
            return _note("Nothing to take as scanned: no label is waiting for /asscanned. Scan the label.")
        return self.submit_scan(asked.as_scanned_by(who or self._who()), confirmed=True)

    def _who(self) -> str:
        return f"{self.operator.name} ({self.operator.badge})" if self.operator else "the operator"

    def _needs_lot(self, scan: Scan) -> bool:
        return scan.gtin is not None and self.service.is_lot_tracked(scan.gtin)

    def _context(self) -> ScanContext:
        ctx = ScanContext(
            self.workflow,
            operator=self.operator.badge if self.operator else None,
            task=self.task,
            location=self.location,
            qty=self.qty,
            override=self.override,
            override_by=self.override_by,
            override_covers=self.override_covers if self.override else None,
            reason=self.reason,
            origin=dict(self.origin) or None,
        )
        return ctx

    def _handle(self, scan: Scan, ctx: ScanContext) -> Outcome:
        verdict = self.service.handle(scan, ctx, dry_run=self.dry_run)
        if verdict.recorded or verdict.level is not Level.REJECTED:
            self.refused_codes = frozenset()
            self._forget_per_scan()
        else:
            self._after_refusal(verdict)
        return Outcome(verdict, scan, verdict.details)

    def _after_refusal(self, verdict: Verdict) -> None:
        refusing = (r.code for r in verdict.reasons if r.level is Level.REJECTED)
        self.refused_codes = frozenset(refusing) - {ReasonCode.BAD_OVERRIDE.value}
        if any(r.code == ReasonCode.BAD_OVERRIDE.value for r in verdict.reasons):
            # The approval was spent on this refusal: the next scan needs a new one.
            self.override = self.override_by = None

    def _sign_in(self, badge: str, scan: Scan | None) -> Outcome:
        self.awaiting_pin_for = None  # a badge scanned at PIN> is a new sign-in (Z15)
        verdict, operator = self.service.sign_in(badge)
        if operator is None and verdict.level is Level.WARNING:
            # The wrong PINs in a row are the cache's (a re-scan or Esc does not forget them),
            # so "N tries left" says what the lockout will count.
            self.awaiting_pin_for, self.wrong_pins = badge, self.service.wrong_pins_in_a_row(badge)
        if operator is not None:
            self._become(operator)
        return Outcome(verdict, scan, notice=verdict.level is not Level.REJECTED)

    def _refuse_as_no_pin(self, what: str, read: Scan) -> Outcome:
        """Refuse a read at PIN> that is no PIN, naming it; the PIN is still asked for."""
        tries = self.service.settings.policy.pin_tries - self.wrong_pins
        more = "1 try" if tries == 1 else f"{tries} tries"
        text = (
            f"That was {what}, not a PIN: no PIN try was spent ({more} left). Type the PIN, or Esc to cancel."
        )
        reason = Reason(ReasonCode.WRONG_SCAN_TYPE.value, text)
        return Outcome(Verdict(Level.REJECTED, text, (reason,)), read)

    def _pin(self, pin: str) -> Outcome:
        """Judge a PIN. A wrong one keeps the PIN prompt for another try, up to the policy's
        pin_tries; then the service locks the badge for pin_lockout_s (tester's #31)."""
        badge, self.awaiting_pin_for = self.awaiting_pin_for or "", None
        verdict, operator = self.service.sign_in(badge, pin)
        tries = self.service.settings.policy.pin_tries
        if operator is not None:
            self.wrong_pins = 0
            self._become(operator)
        elif any(r.code == PIN_LOCKED for r in verdict.reasons):
            self.wrong_pins = 0
            self.pin_locked_out = True  # the service's sentence says for how long
        elif verdict.level is Level.REJECTED:
            self.wrong_pins += 1
            left = tries - self.wrong_pins
            if left > 0:
                self.awaiting_pin_for = badge
                more = "1 try" if left == 1 else f"{left} tries"
                again = f"Wrong PIN. Type it again ({more} left), or Esc to cancel."
                verdict = _saying(verdict, again)
            else:
                self.wrong_pins = 0
                self.pin_locked_out = True
                verdict = _saying(verdict, f"Wrong PIN {tries} times. {SCAN_BADGE_AGAIN}")
        return Outcome(verdict, notice=verdict.level is not Level.REJECTED, secret=True)

    def _become(self, operator: Operator) -> None:
        self._forget_work()
        self.operator = operator
        if self.workflow in SUPERVISOR_WORKFLOWS and not operator.is_supervisor:
            self.workflow = Workflow.LOOKUP

    def _choose_task(self, scan: Scan) -> Outcome:
        assert scan.internal is not None
        kind = scan.internal.type
        workflow = TASK_WORKFLOWS.get(kind)
        if workflow is None:
            named = code_name(kind)  # "This work order code does nothing in ..."
            return _refuse(
                ReasonCode.WRONG_SCAN_TYPE, scan, kind=named, workflow=self.workflow.value, hint=""
            )
        open_codes = {t["code"] for t in self.service.open_tasks((kind,))}
        if scan.internal.value not in open_codes:
            return _refuse(ReasonCode.UNKNOWN_TASK, scan, task=scan.internal.value)
        if not (self.workflow is Workflow.PRODUCE and kind == "work_order"):
            if workflow is not self.workflow:
                self._forget_per_scan()  # an override approved for a consume never passes a pick
                self.location = None  # a pick's place is not where a receipt goes (tester's #1)
            self.workflow = workflow
        if scan.internal.value != self.task:
            # A quantity, reason or override given on one task is not an answer for the next
            # (tester tz, Z7: /qty 10 typed on WO-3001 consumed 10 KG into WO-3002).
            self._forget_per_scan()
            self.location = None
            # A label scanned for the last task is not confirmed into this one (tester's #27).
            self.pending_move = self.half_label = self.suspect = None
        self.task = scan.internal.value
        prompt = self.prompt
        chosen = f"{self.workflow.value.title()} on {self.task}"
        message = prompt if prompt.startswith(chosen) else f"{chosen}. {prompt}"
        details: dict[str, Any] = {}
        if self.workflow in (Workflow.PICK, Workflow.CONSUME):  # consume too (tester's T14)
            details["prompt"] = self.service.pick_prompt(self.task, self._context())
        return _note(message, scan, details)

    def _remember_move(self, scan: Scan) -> Outcome:
        """Check the lot now, so a bad label is refused before the location is scanned."""
        seen = self.service.handle(scan, self._context().with_(workflow=Workflow.LOOKUP), dry_run=True)
        if seen.level is Level.REJECTED:
            return Outcome(seen, scan)
        self.pending_move = scan
        places = [s for s in seen.details.get("stock", ()) if s["qty"] > 0]
        self.move_needs_source = not self.location and len(places) > 1
        self.move_sources = tuple(str(s["location"]) for s in places)
        self.move_lot = str(seen.details.get("lot") or scan.lot or "")
        if self.move_needs_source:
            where = ", ".join(f"{s['location']} {s['qty']:g}" for s in places[:4])
            lot = seen.details.get("lot", "")
            return _note(
                f"{seen.message} {lot} is in {len(places)} places ({where}): scan the location you "
                "take it from. Nothing moved yet.",
                scan,
            )
        return _note(f"{seen.message} Now scan the location to move it to. Nothing moved yet.", scan)

    def _move_source(self) -> str | None:
        """Where the lot waiting to be moved is taken from: the place scanned, else its only place."""
        if self.location:
            return self.location
        return self.move_sources[0] if len(self.move_sources) == 1 else None

    def _at_location(self, scan: Scan) -> Outcome:
        return self.at_place(scan.internal.value if scan.internal else scan.gln, scan)

    def at_place(self, code: str | None, scan: Scan | None = None) -> Outcome:
        """The operator is at place `code` (a location label scanned, or a batch's --to): where
        the next lots are taken from, or, in move after the lot, where it goes."""
        if not self.service.location_known(code or ""):  # tester U23: "Location set: NOPE", kept nothing
            return _refuse(ReasonCode.UNKNOWN_LOCATION, scan, location=code or "")
        if self.workflow is Workflow.MOVE and self.pending_move is not None and self.move_needs_source:
            # What the lot scan asked for: the place it is taken from; the next one is where it goes.
            lot = self.pending_move.lot or "the lot"
            if code not in self.move_sources:  # tester V7: refused only after the destination, before
                where = ", ".join(self.move_sources)
                return _refuse(ReasonCode.WRONG_LOCATION, scan, lot=lot, location=code, where=where)
            self.move_needs_source = False
            self.location = code
            return _note(
                f"Taking {lot} from {code}. Now scan the location to move it to. Nothing moved yet.", scan
            )
        if self.workflow is Workflow.MOVE and self.pending_move is not None:
            if code and code == self._move_source():  # tester W4: said so; the lot kept
                lot = self.move_lot or self.pending_move.lot or "The lot"
                return _refuse(ReasonCode.MISSING_CONTEXT, scan, detail=already_there(lot, code))
            lot_scan, self.pending_move = self.pending_move, None
            outcome = self._handle(lot_scan, self._context().with_(to_location=code))
            outcome.moved_to = code  # tester U13: the last scans showed the destination, not the lot
            return outcome
        # In move, a location scanned before the lot is where it is taken from.
        self.location = code
        return _note(f"Location set: {code}. {self.prompt}", scan)

    def _command(self, text: str) -> Outcome:
        name, _, arg = text.partition(" ")
        name, arg = name.lower(), arg.strip()
        if name in ("help", "?", ""):
            return _note(HELP)
        if name == "signout":
            self.sign_out()
            return _note("Signed out. Scan a badge to sign in.")
        if name == "mode":
            return self._mode(arg)
        if name == "qty":
            try:
                qty = float(arg)
            except ValueError:
                qty = math.nan
            if not math.isfinite(qty) or qty < 0:
                return _note(f"No quantity set: '{arg}' is not a quantity. Type /qty 12.")
            if 0 < qty < MIN_QTY:  # the event vocabulary's own rule, said now rather than at the scan
                return _note(
                    f"No quantity set (INVALID_VALUE): qty must be at least {MIN_QTY:g}, not {qty:g}."
                )
            self.qty = qty
            return _note(f"Quantity for the next scan: {self.qty:g}.")
        if name == "override":
            return self._override(arg)
        if name == "reason":
            too_long = reason_too_long(arg)
            if too_long is not None:  # said now, not as the next scan's INVALID_VALUE (tester W12)
                self.reason = None  # nor an older reason used in its place
                return _note(f"No reason set (INVALID_VALUE): {too_long}.")
            problem = control_character_problem(arg, "The reason")
            if problem is not None:  # central would refuse it: never recorded to become unsendable
                self.reason = None
                return _note(f"No reason set: {problem}. (/reason TEXT)")
            self.reason = arg or None
            if self.reason is None:  # tester U12: "Reason for the next scan: None."
                return _note("No reason for the next scan. (/reason TEXT sets one)")
            return _note(f"Reason for the next scan: {self.reason}.")
        if name == "harvest":
            return self._harvest(arg)
        if name == "produce":
            return self._produce()
        if name == "short":
            return self._short()
        if name == "confirm":
            return self.confirm()
        if name == "asscanned":
            return self.as_scanned()
        return _note(f"Unknown command /{name}: nothing done. Type /help for the list.")

    def _override(self, arg: str) -> Outcome:
        """`/override CODE`: a mistake in it is answered as a command, plainly, with what to
        type instead; no verdict word, since no scan was judged (tester U12)."""
        code, _, badge = arg.partition(" ")
        allowed = self.service.settings.policy.override_reasons
        if badge.strip():
            return _note(
                "No override set: a supervisor approves an override by scanning their badge "
                "(key o), not by typing it. Type /override CODE, then have the supervisor scan."
            )
        if code and code.upper() not in allowed:  # said now, not on the next scan (tester's #5)
            return _note(
                f"No override set ({ReasonCode.BAD_OVERRIDE.value}): '{code}' is not an override "
                f"reason. Type /override with one of {', '.join(allowed)}."
            )
        self.override, self.override_by = code.upper() or None, None
        if self.override is None:
            return _note(f"No override for the next scan. (/override CODE: {', '.join(allowed)})")
        self.override_covers = self.refused_codes or None
        return _note(f"Override for the next scan: {self.override}{self._covering()}.")

    def _produce(self) -> Outcome:
        """Say what would be made, with its warnings (inputs not consumed), and record it only
        when /produce comes again: a produce records a lot and a quantity nobody scanned."""
        # A place scanned to consume from is not where the output goes: in consume mode the
        # output goes to the work order's place; a place for it is scanned in produce mode.
        location = self.location if self.workflow is Workflow.PRODUCE else None
        ctx = self._context().with_(workflow=Workflow.PRODUCE, location=location)
        asked, self.produce_asked = self.produce_asked, None
        if asked == (ctx.task, ctx.qty, ctx.location):
            return self._handle(_blank_scan(), ctx)
        seen = self.service.handle(_blank_scan(), ctx, dry_run=True)
        if seen.level is Level.REJECTED or "lot" not in seen.details:
            return Outcome(seen)
        self.produce_asked = (ctx.task, ctx.qty, ctx.location)
        details = seen.details
        # The first warning's sentence is shown as the message, which the question replaces: it
        # goes into the question, so what is missing is said before p records it (tester tz,
        # Z9a: INPUTS_MISSING named the lines without inputs only after the second p).
        warned = f" {seen.reasons[0].message}" if seen.reasons else ""
        question = (
            f"Produce lot {details['lot']}: {details['made']} at {details['location']}, from "
            f"{len(details['inputs'])} input lot(s)?{warned} Nothing recorded yet: p again records it, "
            "q sets the quantity made first."
        )
        return Outcome(replace(seen, message=question), notice=not seen.reasons)

    def approve_override(self, code: str, supervisor: Operator) -> Outcome:
        """An override for the next scan, approved by a supervisor whose badge (and PIN) the
        caller has just checked with `service.sign_in`."""
        if not supervisor.is_supervisor:
            return _note(not_a_supervisor(supervisor.name))
        self.override, self.override_by = code.upper(), supervisor.badge
        self.override_covers = self.refused_codes or None
        return _note(
            f"Override for the next scan: {self.override}{self._covering()}, approved by {supervisor.name}."
        )

    def _covering(self) -> str:
        """What the override passes, as the approver was shown it (tester X5): " of QTY_EXCEEDS_TASK"."""
        return f" of {', '.join(sorted(self.override_covers))} only" if self.override_covers else ""

    def _harvest(self, arg: str) -> Outcome:
        """`/harvest FACT VALUE`: one harvest fact (domain.harvest) for the next receipt from a
        farm. The app sends it as the operator answers its questions; "-" answers "none"."""
        key, _, value = arg.partition(" ")
        key, value = key.strip().lower(), value.strip()
        if value == "-":
            value = ""  # "not cooled", as Enter alone at the station's question
        problem = check_answer(key, value, self._context().today, self.origin)
        if problem is not None:  # a typed value, answered as /qty's are (U12)
            return _note(f"Not taken: {problem}. (/harvest FACT VALUE)")
        self.origin[key] = value
        fact = BY_KEY[key]
        return _note(f"{fact.label}: {value or 'none'}, for the next receipt.")

    def _forget_per_scan(self) -> None:
        """A quantity, a reason, an override and harvest facts are for one scan: never the next one's."""
        self.qty = self.override = self.override_by = self.reason = None
        self.origin = {}

    def sign_out(self) -> None:
        self._forget_work()
        self.operator = None

    def _forget_work(self) -> None:
        """What one operator set up never carries over to the next."""
        self.task = self.location = self.qty = self.override = self.override_by = self.reason = None
        self.origin = {}
        self.pending_move = self.half_label = self.suspect = None

    def _mode(self, arg: str) -> Outcome:
        try:
            workflow = Workflow.parse(arg)
        except ValueError as exc:  # a typing slip in a command: said plainly, not a verdict (U12)
            return _note(f"Mode unchanged ({self.workflow.value}): {exc}.")
        if workflow in SUPERVISOR_WORKFLOWS and not (self.operator and self.operator.is_supervisor):
            who = f"{self.operator.name} is not a supervisor" if self.operator else "nobody is signed in"
            return _note(
                f"Mode unchanged ({self.workflow.value}): {workflow.value} is for a supervisor, and "
                f"{who}. A supervisor scans their badge to sign in, then /mode {workflow.value}."
            )
        keep_task = self.task and workflow in WORKFLOW_TASKS and self._task_fits(workflow)
        if workflow is not self.workflow:
            self._forget_per_scan()  # a hold's reason never becomes a release's
            self.location = None  # nor a pick's place a move's source (tester's #1)
        self.workflow = workflow
        if not keep_task:
            self.task = None
        self.pending_move = self.half_label = self.suspect = None
        self.move_needs_source = False
        return _note(f"Mode: {workflow.value}. {self.prompt}")

    def _task_fits(self, workflow: Workflow) -> bool:
        kinds = WORKFLOW_TASKS[workflow]
        return any(t["code"] == self.task for t in self.service.open_tasks(kinds))

    def short_question(self) -> str | None:
        """What a short pick would close, asked before the reason is typed (tester U11): "Close
        line 1 (Ginger nuts 250 g) of PL-4001 short by 30 EA?"; None outside a pick list."""
        prompt = self.service.pick_prompt(self.task) if self.workflow is Workflow.PICK and self.task else None
        if prompt is None:
            return None
        what = prompt.get("description") or prompt.get("item")
        short = f"{prompt['remaining']:g} {prompt.get('unit') or ''}".strip()
        return f"Close line {prompt['line_no']} ({what}) of {self.task} short by {short}?"

    def _short(self) -> Outcome:
        """`/short`: with no pick line to close, or no reason, answered as a command, plainly,
        with what to do first; no verdict word, since nothing was judged (tester U12)."""
        if self.workflow is not Workflow.PICK or not self.task:
            return _note(
                "Nothing closed short: /short closes a line of a pick list. Scan the pick list (PL:...) "
                "first."
            )
        prompt = self.service.pick_prompt(self.task)
        if prompt is None:
            return _note(
                f"Nothing closed short: every line of {self.task} is done or closed short. "
                "Scan the next pick list."
            )
        if not self.reason:
            return _note(
                f"Line {prompt['line_no']} not closed short: give the reason first "
                "(/reason TEXT, or key s asks for it), then /short."
            )
        verdict = self.service.short_pick(self.task, int(prompt["line_no"]), self._context())
        if verdict.recorded:
            self._forget_per_scan()
        return Outcome(verdict)


def not_a_supervisor(name: str) -> str:
    """What an override approved by someone who is not a supervisor is answered with."""
    return f"No override set: {name} is not a supervisor. Ask a supervisor to scan their badge."


def open_service(settings: StationSettings, *, create: bool = False) -> StationService:
    """The service on the cache the settings name; raises lotscan.store.db.CacheError if unusable."""
    from lotscan.store.db import open_cache

    return StationService(open_cache(settings.database, create=create), settings)


def open_session(settings: StationSettings, *, create: bool = False) -> StationSession:
    """A session on the cache the settings name; raises lotscan.store.db.CacheError if unusable."""
    return StationSession(open_service(settings, create=create))


def _refuse(code: ReasonCode, scan: Scan | None, **facts: object) -> Outcome:
    text = sentence(code, **facts)
    return Outcome(Verdict(Level.REJECTED, text, (Reason(code.value, text),)), scan)


def _blank_scan() -> Scan:
    return Scan(kind=ScanKind.UNKNOWN, raw="")
