"""A label whose lot probably swallowed the next element because a GS separator was lost.

The station shows what the label probably says and asks the operator to confirm or to scan
again (issue 14, item 2). What is recorded after a confirmation is what happened (tester W5):
the reading as the scanner sent it (`raw`, no separators), the elements as the operator
confirmed them, and a SUSPICIOUS_LOT warning naming who confirmed what, so the event is a
WARNING a supervisor or central can find, never a clean ACCEPTED scan. A reading that would be
refused anyway (a wrong check digit, a lot on hold, no quantity) is refused at once: the
operator is never asked to confirm what cannot be recorded.

The guess can be wrong: a supplier's lot may really end in "30" and digits (tester tz, Z10,
lot LOT3012 last in the symbol, where no separator is needed). So there is a third answer
besides confirming the guess and scanning again: the label says the lot as scanned. That records
the reading as the scanner sent it, still flagged SUSPICIOUS_LOT with who said so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lotscan.codes.gs1 import Element
from lotscan.codes.scan import Finding, Scan
from lotscan.codes.suspicious import corrected_element_string, swallowed_split
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.verdict import Level, Reason, Verdict
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.station import StationService

_SUSPICIOUS = ReasonCode.SUSPICIOUS_LOT.value
_QTY_NEEDED = ReasonCode.QTY_NEEDED.value


@dataclass(frozen=True)
class LostSeparator:
    """What the station answers a reading that probably lost a GS separator: the question, or
    the refusal the reading would get anyway (then ``reading`` is None: nothing to confirm)."""

    verdict: Verdict
    reading: Scan | None  # as the label probably says, with the raw the scanner sent
    scanned_lot: str  # the lot as the scanner read it, separator lost
    elements: str  # "(01) 19521234001031, (10) SG25003, (30) 10"
    scanned: Scan  # the reading as the scanner sent it, for "the label says it as scanned"
    as_scanned: str  # what that reading says of the suspect field: "lot LOT3012"

    def confirmed_by(self, who: str) -> Scan:
        """The reading to record once ``who`` confirmed the label says so: its warning, recorded
        with the event, says that it was read without a separator and who confirmed what."""
        if self.reading is None:
            raise ValueError("a reading refused anyway is not confirmed")
        said = (
            f"Read without a GS separator (lot {self.scanned_lot} as scanned); {who} confirmed "
            f"the label says {self.elements}."
        )
        return replace(self.reading, warnings=(Finding(_SUSPICIOUS, said),))

    def as_scanned_by(self, who: str) -> Scan:
        """The reading as the scanner sent it, to record once ``who`` said the label carries it
        so (its lot really ends in what looked like another element): still a WARNING, whose
        SUSPICIOUS_LOT says that the guess was turned down and by whom."""
        said = (
            f"Read as {self.as_scanned}, which looked like {self.elements} with a GS separator "
            f"lost; {who} confirmed the label says {self.as_scanned}."
        )
        kept = tuple(w for w in self.scanned.warnings if w.code != _SUSPICIOUS)
        return replace(self.scanned, warnings=(*kept, Finding(_SUSPICIOUS, said)))


def lost_separator(
    service: StationService, scan: Scan, ctx: ScanContext, *, confirm: str, as_scanned: str
) -> LostSeparator | None:
    """The question to ask about a lot that probably swallowed the next element, a WARNING that
    records nothing (`confirm` says how to take the guess, `as_scanned` how to say the label
    carries the lot as scanned), or the refusal the reading as the label probably says would
    get anyway (then only `as_scanned` is offered). None when nothing is to be asked: no such
    lot, a lookup, or a policy that decides by itself (a REJECTED SUSPICIOUS_LOT is refused by
    the workflow, an ACCEPTED one passes)."""
    warning = next((w for w in scan.warnings if w.code == _SUSPICIOUS), None)
    level = service.settings.policy.level_of(ReasonCode.SUSPICIOUS_LOT)
    if warning is None or ctx.workflow is Workflow.LOOKUP or level is not Level.WARNING:
        return None
    if service.lot_is_as_scanned(scan):  # a lot the item has here, the guess one it has not
        return None
    corrected = corrected_element_string(scan.ais)
    if corrected is None:
        return None
    probably = service.interpret(corrected, source=scan.source, aim_id=scan.aim_id)
    # The raw stays what the scanner sent; the warning stays the scan's own until confirmed.
    reading = replace(probably, raw=scan.raw, warnings=(*probably.warnings, warning))
    elements = ", ".join(f"({ai}) {value}" for ai, value in probably.ais.items())
    scanned_lot = scan.lot or ""
    suspects = [
        "lot " + value if ai == "10" else f"({ai}) {value}"
        for ai, value in scan.ais.items()
        if swallowed_split(Element(ai, value, 0, 0, len(value)), scan.ais.keys() - {ai})
    ]
    said_as_scanned = ", ".join(suspects)
    # A move's lot scan is judged before its destination is known, as the station does.
    before_destination = ctx.workflow is Workflow.MOVE and not ctx.to_location
    judged_as = ctx.with_(workflow=Workflow.LOOKUP) if before_destination else ctx
    judged = service.handle(reading, judged_as, dry_run=True)
    if judged.level is Level.REJECTED and not _built_on_the_guessed_quantity(
        service, scan, reading, judged_as
    ):
        # The lot as scanned is offered only when it would pass, given a quantity if it has none
        # (a wrong item is wrong either way).
        as_is = service.handle(scan, judged_as, dry_run=True)
        if {r.code for r in as_is.reasons if r.level is Level.REJECTED} <= {_QTY_NEEDED}:
            offer = f" If the printed label says {said_as_scanned}, {as_scanned}."
            judged = replace(judged, message=judged.message + offer)
        return LostSeparator(judged, None, scanned_lot, elements, scan, said_as_scanned)
    message = (
        f"Check the label: it probably says {elements}; a GS separator was lost. Nothing "
        f"recorded yet. If the printed label says so, {confirm}; if it says {said_as_scanned}, "
        f"{as_scanned}; if not, scan it again."
    )
    question = Verdict(Level.WARNING, message, (Reason(_SUSPICIOUS, warning.message, Level.WARNING),))
    return LostSeparator(question, reading, scanned_lot, elements, scan, said_as_scanned)


def _built_on_the_guessed_quantity(
    service: StationService, scan: Scan, reading: Scan, ctx: ScanContext
) -> bool:
    """The refusal of the guessed reading comes from the quantity the guess itself supplied (a
    `(30) 2` split out of the lot, nobody has confirmed yet) and no other: without it, the
    reading would want only a quantity. Then the label is checked first (SUSPICIOUS_LOT asks),
    not answered with advice computed from the guess (tester tz2, A1: a consume was told
    LOCATION_NEEDED for 50 KG, `(30) 2` sacks the operator never confirmed)."""
    if ctx.qty is not None or scan.quantity is not None or reading.quantity is None:
        return False
    guessed = {ai for ai in reading.ais.keys() - scan.ais.keys() if ai.startswith("3")}
    unguessed = replace(
        reading, quantity=None, ais={ai: v for ai, v in reading.ais.items() if ai not in guessed}
    )
    without = service.handle(unguessed, ctx, dry_run=True)
    return {r.code for r in without.reasons if r.level is Level.REJECTED} <= {_QTY_NEEDED}
