"""A batch scanner's upload, judged line by line on the station's own path.

A batch scanner keeps what the operator scanned in the aisle, in order, and uploads it later
(`lotscan scan --file`). Each line goes through a `StationSession`, as a scan at the station
does, so the same reads mean the same (tester tz, Z13 and Z14; issue 14, Builds 1 and 4):

- a location line sets where the lots after it are taken from (in move: the source before
  the lot, the destination after it), so the stock is taken from the place the operator
  scanned, never from another one the records would choose;
- the GTIN barcode and the lot barcode of one split label, on adjacent lines in either order,
  are one reading, judged as one label;
- an order line chooses the task, a badge line signs that operator in.

What the command line gives stands for every line, as if said before each scan: --qty,
--override, --reason and --to (a move's destination after each lot); --task and --location
are where the upload starts. A batch file carries no scan times, so the split-label window
cannot be judged: a half label pairs with the next label line, however long the operator took.

What the station would only have said to the operator's face is said with the line:
a half label whose other half never came, a badge that needs a PIN (which a file cannot
carry), and lots after a refused location line (where they were taken from is not known),
all refused, nothing recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from lotscan.codes.scan import Scan, ScanKind, Source
from lotscan.codes.split_label import is_gtin_half
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.verdict import Level, Reason, Verdict
from lotscan.services.context import Workflow
from lotscan.services.session import Outcome, StationSession

SETTING_UP = (ScanKind.LOCATION, ScanKind.ORDER, ScanKind.OPERATOR)


@dataclass(frozen=True)
class LineVerdict:
    """What one line of the upload came to. `noted`: it set up the scans after it (a place, a
    task, a badge, the first half of a split label) and neither recorded nor refused anything."""

    line: int
    scan: str
    verdict: Verdict
    noted: bool = False


@dataclass(frozen=True)
class Standing:
    """The command line's options that hold for every line of the upload."""

    qty: float | None = None
    override: str | None = None
    override_by: str | None = None
    reason: str | None = None
    to_location: str | None = None
    confirmed_by: str | None = None  # --confirm: who takes a label that lost a GS separator as read
    as_scanned_by: str | None = None  # --as-scanned: who says such a label carries the lot as scanned


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    scan: Scan


class BatchUpload:
    """Feed the upload's lines in order to `judge`, then call `finish` once."""

    def __init__(
        self,
        session: StationSession,
        standing: Standing,
        source: Source = Source.KEYBOARD,
        read: Callable[[str], str] = str,
    ):
        """`read` turns a line into what the scanner sent (the command line's \\x1d for GS)."""
        self.session = session
        self.standing = standing
        self.source = source
        self.read = read
        session.clock = lambda: 0.0  # no scan times in a file: a half pairs with the next label line
        session.confirm_how = "run it again with --confirm"
        session.as_scanned_how = "run it again with --as-scanned"
        self._half: _Line | None = None  # a half label waiting for its other half
        self._place_refused: _Line | None = None  # a refused location line, until the next place

    def judge(self, number: int, text: str) -> list[LineVerdict]:
        """The verdicts this line settles: its own, and a half label's before it once that is known."""
        session = self.session
        self._stand()
        scan = session.service.interpret(self.read(text), source=self.source)
        line = _Line(number, text, scan)
        if self._place_refused is not None and self._takes_goods(scan):
            outcome = Outcome(_place_not_known(self._place_refused), scan)
        else:
            outcome = self._answered(session.submit_scan(scan))
        said = self._half_settled(number)
        verdict = outcome.verdict
        noted = outcome.notice and verdict.level is not Level.REJECTED
        if noted and outcome.scan is not None and session.half_label is outcome.scan:
            self._half = line  # said once its other half has come, or has not
        else:
            said.append(LineVerdict(number, text, verdict, noted))
        self._follow_place(line, verdict, noted)
        return said

    def finish(self) -> list[LineVerdict]:
        """A half label on the last line never had its other half."""
        half, self._half = self._half, None
        return [] if half is None else [_unpaired(half)]

    def _stand(self) -> None:
        """The options said before each scan: the session forgets them after every scan, as the
        station forgets a /qty."""
        session, standing = self.session, self.standing
        session.qty, session.reason = standing.qty, standing.reason
        session.override, session.override_by = standing.override, standing.override_by
        session.override_covers = None  # given before any refusal: as --override always was

    def _takes_goods(self, scan: Scan) -> bool:
        return scan.kind not in SETTING_UP and self.session.workflow is not Workflow.LOOKUP

    def _answered(self, outcome: Outcome) -> Outcome:
        """What the station would go on to ask the operator, answered by the command line."""
        session = self.session
        suspect = session.suspect  # a label that lost a GS separator, or read as one
        if suspect is not None:
            if self.standing.as_scanned_by is not None:  # the label's lot really is as scanned (Z10)
                outcome = session.as_scanned(self.standing.as_scanned_by)
            elif suspect.reading is None:  # refused anyway: nothing to confirm
                session.suspect = None
            elif self.standing.confirmed_by is not None:
                outcome = session.confirm(self.standing.confirmed_by)
            else:
                session.suspect = None
                question = outcome.verdict
                reasons = tuple(replace(r, level=Level.REJECTED) for r in question.reasons)
                outcome = Outcome(replace(question, level=Level.REJECTED, reasons=reasons), outcome.scan)
        if session.awaiting_pin_for is not None:
            outcome = Outcome(_pin_wanted(session.awaiting_pin_for), outcome.scan)
            session.awaiting_pin_for = None
            session.sign_out()  # what follows is nobody's until a badge that signs in
        to = self.standing.to_location
        waiting_move = session.pending_move is not None and not session.move_needs_source
        if (
            to
            and session.workflow is Workflow.MOVE
            and waiting_move
            and outcome.verdict.level is not Level.REJECTED
        ):
            outcome = session.at_place(to)  # the destination --to names, as if scanned next
        return outcome

    def _half_settled(self, number: int) -> list[LineVerdict]:
        """The waiting half label's verdict, once this line paired it or went on without it."""
        half = self._half
        if half is None or self.session.half_label is half.scan:
            return []
        self._half = None
        if self.session.paired_with is half.scan:
            paired = Verdict(Level.ACCEPTED, f"Read with line {number}, as one label.")
            return [LineVerdict(half.number, half.text, paired, noted=True)]
        return [_unpaired(half)]

    def _follow_place(self, line: _Line, verdict: Verdict, noted: bool) -> None:
        """A refused location line leaves the place of the lots after it unknown, until a
        location line is taken or an order line starts a task afresh."""
        if self.session.workflow is Workflow.LOOKUP or line.scan.kind not in SETTING_UP:
            return
        if line.scan.kind is ScanKind.LOCATION and verdict.level is Level.REJECTED:
            self._place_refused = line
        elif noted:
            self._place_refused = None


def _unpaired(half: _Line) -> LineVerdict:
    """A half label with no other half after it: nothing recorded, and said what it lacks."""
    if is_gtin_half(half.scan):
        code, what, other = ReasonCode.MISSING_LOT, "the GTIN barcode", "lot barcode"
    else:
        code, what, other = ReasonCode.MISSING_GTIN, "the lot barcode", "GTIN barcode"
    message = (
        f"This is {what} of a split label, and its {other} was not on the next line: nothing "
        f"recorded. Scan both barcodes of the label one right after the other, and upload again."
    )
    return LineVerdict(
        half.number, half.text, Verdict(Level.REJECTED, message, (Reason(code.value, message),))
    )


def _place_not_known(refused: _Line) -> Verdict:
    detail = (
        f"Where this was taken is not known: the location on line {refused.number} ({refused.text.strip()}) "
        "was refused. Nothing recorded; scan the right location label before the lots, and upload again."
    )
    return Verdict(Level.REJECTED, detail, (Reason(ReasonCode.MISSING_CONTEXT.value, detail),))


def _pin_wanted(badge: str) -> Verdict:
    detail = (
        f"Badge {badge} needs a PIN, which an upload cannot carry: nobody is signed in for the lines "
        f"after it. Give --operator {badge} with --pin (or $LOTSCAN_PIN) instead."
    )
    return Verdict(Level.REJECTED, detail, (Reason(ReasonCode.MISSING_CONTEXT.value, detail),))
