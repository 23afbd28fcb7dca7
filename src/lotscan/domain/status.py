"""Lot status and the one definition of 'expired'."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum


class LotStatus(StrEnum):
    RELEASED = "released"
    QUARANTINE = "quarantine"
    HOLD = "hold"
    RECALLED = "recalled"
    REJECTED = "rejected"


def is_expired(expiry: date | None, today: date) -> bool:
    """Expired when today is after the expiry date; a lot is still usable on its expiry day."""
    return expiry is not None and today > expiry


def days_left(expiry: date | None, today: date) -> int | None:
    return None if expiry is None else (expiry - today).days


# --------------------------------------------------------------------------- who may release
# A lot's `held_by` says who set the status it has since it was last released: one site's code
# (its stations' supervisors set it), several (a hold laid over another site's: "PLANT1,PLANT2"),
# or CENTRAL (an admin, a recall, an import). None: released, or not known (a cache from before
# central sent it). Central keeps it and sends it with the lot, so a station refuses up front the
# release central would refuse (RELEASE_NOT_ALLOWED, docs/sync.md): one rule, here, for both.

CENTRAL = "central"


def held_by_of(origins: Iterable[str | None]) -> str | None:
    """The holder of a lot from the origins of its statuses since the last release (None in
    `origins`: central decided that one). None when there is none."""
    found = set(origins)
    if not found:
        return None
    if None in found or CENTRAL in found:
        return CENTRAL
    return ",".join(sorted(str(site) for site in found))


def held_by_after(
    previous: str | None, held_by: str | None, to_status: str, origin: str | None
) -> str | None:
    """The holder once a lot goes from status `previous` (holder `held_by`) to `to_status`, set
    by site `origin` (None: central)."""
    if to_status == LotStatus.RELEASED:
        return None
    if previous in (None, LotStatus.RELEASED):
        return held_by_of([origin])
    if held_by is None and origin is not None:
        return None  # laid over a status of unknown origin: still unknown
    return held_by_of([*(held_by.split(",") if held_by else []), origin])


def release_refusal(held_by: str | None, site: str | None) -> str | None:
    """Why a station of `site` may not release a lot held by `held_by`, or None if it may (its
    own site's hold, or a holder not known: central judges)."""
    if held_by is None or (site is not None and held_by == site):
        return None
    if held_by == CENTRAL:
        return "held by central: only central can release it (an admin, with a reason)"
    sites = held_by.split(",")
    if len(sites) == 1:
        return f"held by site {sites[0]}: only {sites[0]}'s supervisor or central can release it"
    named = ", ".join(f"site {site}" for site in sites[:-1])
    return f"held by {named} and site {sites[-1]}: only central can release it"
