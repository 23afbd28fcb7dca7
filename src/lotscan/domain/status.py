"""Lot status and the one definition of 'expired'."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


# --------------------------------------------------------------------------- goods keep their status
# A split, merge or relabel moves goods from one lot into another. Goods under a hold, quarantine,
# recall or rejection stay under it: they go into a new lot (which inherits the status and its
# holder) or into a lot with the same status and holder. Moving them into a laxer lot would lift
# the status for them without the release only its holder may give (central: a recall). Released
# goods may go into a lot on hold or in quarantine (the safe direction); a recalled or rejected
# lot is decided at central and takes in no goods from a station at all.

# A recall or a rejection is lifted, or changed, only at central by an admin (docs/sync.md): a
# station that changed one would let recalled stock be used until its next pull, or while offline.
DECIDED_AT_CENTRAL = (LotStatus.RECALLED, LotStatus.REJECTED)


@dataclass(frozen=True)
class LotState:
    """A lot's status and who set it since its last release (`held_by`, see above)."""

    status: str
    held_by: str | None = None

    def describe(self) -> str:
        """'recalled', 'on hold (held by site PLANT1)', 'released'."""
        said = status_phrase(self.status)
        if self.status in (LotStatus.RELEASED, *DECIDED_AT_CENTRAL) or self.held_by is None:
            return said  # a recall or rejection is always central's
        sites = self.held_by.split(",")
        holder = "central" if self.held_by == CENTRAL else "site " + " and site ".join(sites)
        return f"{said} (held by {holder})"


_SAID = {LotStatus.HOLD.value: "on hold", LotStatus.QUARANTINE.value: "in quarantine"}


def status_phrase(status: str) -> str:
    """A status as a sentence says it: 'on hold', 'in quarantine', 'recalled'."""
    return _SAID.get(status, status)


# What lifting a status is called: "the recall for those goods".
STATUS_NOUN = {
    LotStatus.HOLD.value: "hold",
    LotStatus.QUARANTINE.value: "quarantine",
    LotStatus.RECALLED.value: "recall",
    LotStatus.REJECTED.value: "rejection",
}


def takes_in_no_goods(target: LotState) -> bool:
    """A recalled or rejected lot takes in no goods from a station (only central changes it)."""
    return target.status in DECIDED_AT_CENTRAL


def keeps_status(source: LotState, target: LotState) -> bool:
    """Goods of a lot in `source` state, moved into a lot in `target` state, stay as strictly
    held as they were: released goods go anywhere (but into a recalled or rejected lot, see
    takes_in_no_goods); other goods only into a lot of the same status and holder."""
    return source.status == LotStatus.RELEASED or source == target


def lifting_by(state: LotState, site: str | None) -> str:
    """Who may lift the status of goods in `state`, said to a station of `site`."""
    if state.status in DECIDED_AT_CENTRAL:
        return f"only central lifts a {STATUS_NOUN[state.status]}, an admin with a reason"
    why = release_refusal(state.held_by, site)
    if why is not None:
        return why
    return f"a supervisor of site {site} releases it" if state.held_by else "central releases it"
