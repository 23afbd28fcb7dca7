"""Operators at central: deactivating one (who left, or whose badge was lost) and activating
them again. Central refuses pushed events that name a deactivated operator (validation); each
change is a decision in the company audit chain, with the operator's state after it
(trace/audit_operators.py)."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from lotscan.central import changelog
from lotscan.central.errors import CentralError, NotFound
from lotscan.central.schema import operators
from lotscan.central.trace.audit_operators import ACTIVATED, DEACTIVATED, record_states


def set_active(conn: Connection, badge: str, active: bool, *, by: str, reason: str) -> None:
    """Activate or deactivate the operator with this badge, recorded as a decision with the reason."""
    if not reason.strip():
        raise CentralError("say why (--reason): it goes into the audit chain")
    changed = conn.execute(update(operators).where(operators.c.badge == badge).values(active=active)).rowcount
    if not changed:
        raise NotFound(f"operator {badge!r} is not known at central: import them first")
    record_states(conn, ACTIVATED if active else DEACTIVATED, [badge], by=by, reason=reason.strip())
    # Urgent: stations learn it at once (long-poll) and refuse the badge's sign-in and scans.
    changelog.append(conn, changelog.entries_for(conn, [("operator", badge)], urgent=True))


def operator_sites(conn: Connection, badges: list[str]) -> dict[str, str | None]:
    """The home site of each of these operators central holds (None: every site)."""
    o = operators
    return {str(b): s for b, s in conn.execute(select(o.c.badge, o.c.site).where(o.c.badge.in_(badges)))}


def import_active_flags(conn: Connection, flags: dict[str, bool], *, source: str) -> None:
    """The `active` column of imported operator rows (badge -> yes/no); each change is a decision."""
    rows = conn.execute(
        select(operators.c.badge, operators.c.active).where(operators.c.badge.in_(list(flags)))
    )
    current = {str(badge): bool(active) for badge, active in rows}
    for badge, active in flags.items():
        if badge in current and current[badge] != active:
            set_active(conn, badge, active, by="central import", reason=f"imported from {source}")
