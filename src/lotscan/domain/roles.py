"""Operator roles."""

SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})


def is_supervisor(role: str | None) -> bool:
    """Supervisors and admins may hold, release, quarantine and approve overrides."""
    return role in SUPERVISOR_ROLES
