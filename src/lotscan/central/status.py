"""Lot status changes decided centrally (hold, quarantine, release, recall, reject).

Each one updates the lot, writes its history and an urgent change that online stations get
within seconds (long-poll); from then on their cache refuses the lot.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from lotscan.central import changelog
from lotscan.central.changelog import utcnow
from lotscan.central.errors import CentralError, NotFound
from lotscan.central.schema import lot_status_history
from lotscan.central.trace import decisions
from lotscan.central.trace.audited import STATUS
from lotscan.central.validation import hold_origin_sites, read_status_steps
from lotscan.domain.events import LotProduced, StockCounted, StockReceived
from lotscan.domain.status import LotStatus, held_by_after, held_by_of
from lotscan.store.schema import Item, Lot

ACTIONS = {
    "hold": LotStatus.HOLD,
    "release": LotStatus.RELEASED,
    "recall": LotStatus.RECALLED,
    "quarantine": LotStatus.QUARANTINE,
    "reject": LotStatus.REJECTED,
}
URGENT = (LotStatus.HOLD, LotStatus.RECALLED, LotStatus.QUARANTINE, LotStatus.REJECTED)


def change_status(
    conn: Connection, lot: str, to: LotStatus, reason: str, by: str, item: str | None = None
) -> list[dict[str, str]]:
    """Set the status of lot `lot` (of every item with that lot code unless `item` is given)."""
    if not reason.strip():
        raise CentralError("give a reason (--reason): it goes into the lot's status history")
    query = (
        select(Lot.id, Item.code, Lot.status, Lot.held_by)
        .join(Item, Item.id == Lot.item_id)
        .where(Lot.code == lot)
    )
    if item:
        query = query.where(Item.code == item)
    found = conn.execute(query).all()
    if not found:
        raise NotFound(f"lot {lot!r}{f' of item {item!r}' if item else ''} is not known")
    now = utcnow()
    changed = []
    history_ids: list[int] = []
    for lot_id, item_code, previous, held_by in found:
        holder = held_by_after(previous, held_by, to.value, None)
        conn.execute(update(Lot).where(Lot.id == lot_id).values(status=to.value, held_by=holder))
        history_id = conn.execute(
            insert(lot_status_history)
            .returning(lot_status_history.c.id)
            .values(
                item=item_code,
                lot=lot,
                from_status=previous,
                to_status=to.value,
                effective_at=now,
                reason=reason,
                by=by,
                source="central",
            )
        ).scalar_one()
        history_ids.append(int(history_id))
        changed.append({"item": item_code, "lot": lot, "from": previous, "to": to.value})
    entries = changelog.entries_for(conn, [("lot", c["item"], lot) for c in changed], urgent=to in URGENT)
    changelog.append(conn, entries)
    decisions.record(conn, STATUS, history_ids)  # the company chain, locked after the change log
    return changed


def note_holder(conn: Connection, item: str, lot: str, to: str, site: str) -> None:
    """lots.held_by once a station of `site` changes the lot to `to`; called before the change.
    From the status the lot has at central now, not the one it had at the event's time: a hold a
    station made offline before central held the lot too is laid over central's hold when it
    arrives, and central's stays (tester's W9: it replaced "central" with the site, so the
    station took the lot for its own to release and central refused every release)."""
    found = conn.execute(
        select(Lot.id, Lot.status, Lot.held_by)
        .join(Item, Item.id == Lot.item_id)
        .where(Item.code == item, Lot.code == lot)
    ).first()
    if found is not None:
        holder = held_by_after(found.status, found.held_by, to, site)
        conn.execute(update(Lot).where(Lot.id == found.id).values(held_by=holder))


def creates_held_lot(conn: Connection, payload: StockReceived | LotProduced | StockCounted) -> bool:
    """The event makes a lot central does not have yet, on hold or in quarantine (`lot_status`):
    its holder is the site whose station made it (note_creator)."""
    if payload.lot_status not in (LotStatus.HOLD, LotStatus.QUARANTINE):
        return False
    found = conn.execute(
        select(Lot.id)
        .join(Item, Item.id == Lot.item_id)
        .where(Item.code == payload.item, Lot.code == payload.lot)
    ).first()
    return found is None


def note_creator(conn: Connection, item: str, lot: str, site: str) -> None:
    """lots.held_by of a lot a station of `site` just made on hold or in quarantine: that site
    (tester's W9, second reproduction: a receipt into quarantine left it empty, so another
    site's station showed its release ACCEPTED and central refused it as held by the receiver)."""
    item_id = select(Item.id).where(Item.code == item).scalar_subquery()
    conn.execute(
        update(Lot).where(Lot.item_id == item_id, Lot.code == lot).values(held_by=held_by_of([site]))
    )


def backfill_holders(conn: Connection) -> int:
    """lots.held_by for lots on hold or quarantine whose holder is not known (set before
    migration 0012 kept it, tester's T15), from the history central keeps; each changed lot
    goes into the change log, so stations learn it at their next pull. Returns how many."""
    unknown = conn.execute(
        select(Lot.id, Item.code, Lot.code)
        .join(Item, Item.id == Lot.item_id)
        .where(Lot.status.in_((LotStatus.HOLD.value, LotStatus.QUARANTINE.value)), Lot.held_by.is_(None))
        .order_by(Lot.id)
    ).all()
    steps, first_sites = read_status_steps(conn, [(item, lot) for _, item, lot in unknown])
    keys = []
    for lot_id, item, lot in unknown:
        holder = held_by_of(hold_origin_sites(steps.get((item, lot), []), first_sites.get(lot)))
        if holder is not None:
            conn.execute(update(Lot).where(Lot.id == lot_id).values(held_by=holder))
            keys.append(("lot", item, lot))
    changelog.append(conn, changelog.entries_for(conn, keys))
    return len(keys)


def history(conn: Connection, lot: str) -> list[dict[str, object]]:
    rows = conn.execute(
        select(lot_status_history)
        .where(lot_status_history.c.lot == lot)
        .order_by(lot_status_history.c.effective_at)
    )
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r._mapping.items()} for r in rows
    ]
