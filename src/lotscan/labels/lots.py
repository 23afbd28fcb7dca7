"""A lot label's content from the station cache, through the station's own lookup."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lotscan.codes.ai_table import GS
from lotscan.codes.scan import Source
from lotscan.domain.verdict import Level
from lotscan.labels.content import LotLabel
from lotscan.labels.errors import AmbiguousLot, LabelError, LotNotFound
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.station import StationService
from lotscan.store import queries as q


def lot_label(
    service: StationService,
    lot: str,
    *,
    gtin: str | None = None,
    quantity: Decimal | float | int | None = None,
) -> LotLabel:
    """The label for ``lot`` (of the item with ``gtin`` when several items share the code)."""
    item_gtin = _gtin_of(service, lot, gtin)
    scan = service.interpret(f"01{item_gtin}10{lot}{GS}", aim_id="]C1", source=Source.KEYBOARD)
    verdict = service.handle(scan, ScanContext(Workflow.LOOKUP))
    details = verdict.details
    if verdict.level is Level.REJECTED or details.get("type") != "lot":
        raise LabelError(f"lot {lot} cannot be looked up: {verdict.message}")
    expiry = details.get("expiry")
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
    )


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
