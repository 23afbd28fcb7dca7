"""A lot label's content from the station cache, through the station's own lookup, and the one
rule for which lots get a label (tester W25; docs/labels.md "Which lots get a label").

A new label is how goods get back into circulation, so the lot's status decides, for the command
line and the station app alike:

- recalled or rejected: no label, no override (a recall is lifted only at central; rejected goods
  go back or are destroyed);
- on hold or in quarantine: printed, and the label says so first ("QUARANTINE - ..."): such goods
  need identifying while they wait (a lot produced into quarantine is labelled at the line, issue
  14: every produced lot can be labelled), and the mark keeps them out of circulation;
- expired: only when asked knowingly (`--force`; the station app's own label for a lot it has just
  received), and the label says so first ("EXPIRED 2026-11-14 - ...").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lotscan.codes.ai_table import GS
from lotscan.codes.scan import Source
from lotscan.domain.lot_numbers import lot_number_problem
from lotscan.domain.status import LotStatus
from lotscan.domain.verdict import Level
from lotscan.labels.content import LotLabel
from lotscan.labels.errors import AmbiguousLot, LabelError, LabelRefused, LotNotFound
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.station import StationService
from lotscan.store import queries as q


def lot_label(
    service: StationService,
    lot: str,
    *,
    gtin: str | None = None,
    quantity: Decimal | float | int | None = None,
    force: bool = False,
) -> LotLabel:
    """The label for ``lot`` (of the item with ``gtin`` when several items share the code).
    Raises LabelRefused for a recalled or rejected lot, and for an expired, held or quarantined
    one unless ``force`` (then the label carries the status mark)."""
    item_gtin = _gtin_of(service, lot, gtin)
    problem = lot_number_problem(lot)
    if problem is not None:  # tester tz, Z8: a lot an older import took; nobody scanned anything
        raise LabelError(
            f"lot {lot} cannot go on a GS1 label: {problem} (AI 10: 1 to 20 characters of set 82). "
            "Ask for the lot to be renamed in the master data."
        )
    scan = service.interpret(f"01{item_gtin}10{lot}{GS}", aim_id="]C1", source=Source.KEYBOARD)
    verdict = service.handle(scan, ScanContext(Workflow.LOOKUP))
    details = verdict.details
    if verdict.level is Level.REJECTED or details.get("type") != "lot":
        raise LabelError(f"lot {lot} cannot be looked up: {verdict.message}")
    expiry = details.get("expiry")
    mark = status_mark(details)
    refusal = label_refusal(details, force=force)
    if refusal is not None:
        raise LabelRefused(refusal)
    return LotLabel(
        gtin=details["gtin"],
        lot=details["lot"],
        expiry=date.fromisoformat(expiry) if expiry else None,
        quantity=None if quantity is None else Decimal(str(quantity)),
        unit=details.get("unit") or "EA",
        pack_size=None if details.get("pack_size") is None else Decimal(str(details["pack_size"])),
        pack_unit=details.get("pack_unit") or "",
        description=details.get("description") or "",
        item=details.get("item") or "",
        status_mark=mark or "",
    )


_MARKS = {LotStatus.HOLD: "ON HOLD", LotStatus.QUARANTINE: "QUARANTINE"}
_NEVER = {
    LotStatus.RECALLED: "a recall is lifted only at central, by an admin, with a reason",
    LotStatus.REJECTED: "rejected goods go back to the supplier or are destroyed, not relabelled",
}


def status_mark(details: dict[str, object]) -> str | None:
    """What a lookup's ``details`` say is wrong with the lot for a label: "RECALLED", "REJECTED",
    "ON HOLD", "QUARANTINE" or "EXPIRED 2026-11-14" (the lookup's own derivation); None when usable."""
    status = _status(details)
    if status in _NEVER:
        return status.value.upper()
    if status in _MARKS:
        return _MARKS[status]
    if details.get("expired"):
        return f"EXPIRED {details.get('expiry')}"
    return None


def label_refusal(details: dict[str, object], *, force: bool) -> str | None:
    """Why no label is made for the looked-up lot (``details``), in a sentence saying what to do;
    None when one may be."""
    mark, lot = status_mark(details), details.get("lot")
    if mark is None:
        return None
    status = _status(details)
    never = _NEVER.get(status)
    if never is not None:
        return f"lot {lot} is {mark}: no label is printed for it, --force or not ({never})"
    if force or status in _MARKS:
        return None
    return (
        f"lot {lot} is {mark}: a new label would put it back among usable goods. Give --force to "
        f"print it anyway; the label will say {mark} first"
    )


def _status(details: dict[str, object]) -> LotStatus:
    return LotStatus(str(details.get("status") or LotStatus.RELEASED.value))


def _gtin_of(service: StationService, lot: str, gtin: str | None) -> str:
    wanted = gtin.strip().zfill(14) if gtin else None
    with service.engine.connect() as conn:
        items = [q.item_by_id(conn, row.item_id) for row in q.lots_by_code(conn, lot)]
    found = sorted({i.gtin or f"item {i.code} (no GTIN)" for i in items if i is not None})
    if wanted is not None:
        found = [g for g in found if g == wanted]
    if not found:
        where = f" for GTIN {wanted}" if wanted else ""
        raise LotNotFound(
            f"lot {lot} is not in the station cache{where}: check the lot code (it is case-sensitive), "
            "or sync the station / import master data first"
        )
    if len(found) > 1:
        raise AmbiguousLot(lot, found)
    if not found[0].isdigit():
        raise LabelError(f"lot {lot} belongs to {found[0]}: a GS1 label needs the item's GTIN")
    return found[0]
