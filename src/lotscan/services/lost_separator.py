"""A label whose lot probably swallowed the next element because a GS separator was lost.

The station shows what the label probably says and asks the operator to confirm or to scan
again (issue 14, item 2). What is recorded after a confirmation is what happened (tester W5):
the reading as the scanner sent it (`raw`, no separators), the elements as the operator
confirmed them, and a SUSPICIOUS_LOT warning naming who confirmed what, so the event is a
WARNING a supervisor or central can find, never a clean ACCEPTED scan. A reading that would be
refused anyway (a wrong check digit, a lot on hold, no quantity) is refused at once: the
operator is never asked to confirm what cannot be recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lotscan.codes.scan import Finding, Scan
from lotscan.codes.suspicious import corrected_element_string
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.verdict import Level, Reason, Verdict
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.station import StationService

_SUSPICIOUS = ReasonCode.SUSPICIOUS_LOT.value


@dataclass(frozen=True)
class LostSeparator:
    """What the station answers a reading that probably lost a GS separator: the question, or
    the refusal the reading would get anyway (then ``reading`` is None: nothing to confirm)."""

    verdict: Verdict
    reading: Scan | None  # as the label probably says, with the raw the scanner sent
    scanned_lot: str  # the lot as the scanner read it, separator lost
    elements: str  # "(01) 19521234001031, (10) SG25003, (30) 10"

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


def lost_separator(
    service: StationService, scan: Scan, ctx: ScanContext, *, confirm: str
) -> LostSeparator | None:
    """The question to ask about a lot that probably swallowed the next element, a WARNING that
    records nothing (`confirm` says how to answer it), or the refusal the reading as the label
    probably says would get anyway. None when nothing is to be asked: no such lot, a lookup, or
    a policy that decides by itself (a REJECTED SUSPICIOUS_LOT is refused by the workflow, an
    ACCEPTED one passes)."""
    warning = next((w for w in scan.warnings if w.code == _SUSPICIOUS), None)
    level = service.settings.policy.level_of(ReasonCode.SUSPICIOUS_LOT)
    if warning is None or ctx.workflow is Workflow.LOOKUP or level is not Level.WARNING:
        return None
    corrected = corrected_element_string(scan.ais)
    if corrected is None:
        return None
    probably = service.interpret(corrected, source=scan.source, aim_id=scan.aim_id)
    # The raw stays what the scanner sent; the warning stays the scan's own until confirmed.
    reading = replace(probably, raw=scan.raw, warnings=(*probably.warnings, warning))
    elements = ", ".join(f"({ai}) {value}" for ai, value in probably.ais.items())
    scanned_lot = scan.lot or ""
    # A move's lot scan is judged before its destination is known, as the station does.
    before_destination = ctx.workflow is Workflow.MOVE and not ctx.to_location
    judged_as = ctx.with_(workflow=Workflow.LOOKUP) if before_destination else ctx
    judged = service.handle(reading, judged_as, dry_run=True)
    if judged.level is Level.REJECTED:
        return LostSeparator(judged, None, scanned_lot, elements)
    message = (
        f"Check the label: it probably says {elements}; a GS separator was lost. Nothing "
        f"recorded yet. If the printed label says so, {confirm}; if not, scan it again."
    )
    question = Verdict(Level.WARNING, message, (Reason(_SUSPICIOUS, warning.message, Level.WARNING),))
    return LostSeparator(question, reading, scanned_lot, elements)
