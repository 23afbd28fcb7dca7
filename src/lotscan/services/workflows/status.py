"""Hold, release and quarantine: supervisors only, always with a reason."""

from __future__ import annotations

from lotscan.domain.events import LotStatusChanged
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.roles import is_supervisor
from lotscan.domain.status import DECIDED_AT_CENTRAL, LotStatus, release_refusal
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.context import STATUS_WORKFLOWS
from lotscan.services.recorder import Plan, PlannedEvent
from lotscan.store import queries as q


def evaluate(run: Run) -> Plan | None:
    target = STATUS_WORKFLOWS[run.ctx.workflow]
    operator = q.operator_by_badge(run.conn, run.ctx.operator or "")
    if operator is None or not is_supervisor(operator["role"]):
        run.add(
            ReasonCode.NOT_AUTHORISED,
            operator=run.ctx.operator or "This operator",
            action=f"set lots to {target}",
        )
        return None
    if not run.ctx.reason:
        run.add(ReasonCode.MISSING_CONTEXT, detail=f"Give a reason to set a lot to {target}.")
        return None
    if not checks.scan_is_readable(run):
        return None
    product = checks.resolve_product(run)
    lot = checks.require_known_lot(run, product) if product else None
    if product is None or lot is None:
        return None
    if lot.status in DECIDED_AT_CENTRAL:
        run.add(ReasonCode.DECIDED_AT_CENTRAL, lot=lot.code, status=lot.status.value.upper())
        return None
    if target == LotStatus.RELEASED and lot.status is not LotStatus.RELEASED:
        # Central refuses a release of another site's or central's hold (RELEASE_NOT_ALLOWED):
        # say so now, not after the lot was shown ACCEPTED and used until the next pull.
        held_by, site = q.lot_holder(run.conn, lot.id)
        why = release_refusal(held_by, site or run.settings.site)
        if why is not None:
            run.add(ReasonCode.RELEASE_NOT_ALLOWED, lot=lot.code, status=lot.status.value.upper(), why=why)
            return None
    if lot.status.value == target:
        run.add(ReasonCode.MISSING_CONTEXT, detail=f"Lot {lot.code} is already {target}; nothing to do.")
        return None
    payload = LotStatusChanged(
        item=product.item.code,
        gtin=product.item.gtin,
        lot=lot.code,
        from_status=lot.status,
        to_status=LotStatus(target),
        reason=run.ctx.reason,
    )
    return Plan(
        [PlannedEvent(payload)],
        f"Lot {lot.code} is now {target.upper()} (was {lot.status.value}): {run.ctx.reason}.",
        {"from": lot.status.value, "to": target},
    )
