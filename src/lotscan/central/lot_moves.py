"""Central's check that a split, merge or relabel keeps goods under their lot's status.

These events move goods from one lot into another. Without this check a station token could
move recalled goods into a released lot (tester's W1: `lot.relabelled` of a recalled lot into an
existing released code, applied), lifting the recall for those units without the admin who alone
may lift it; the same for goods on hold or in quarantine, whose release is their holder's. The
rule itself lives in `domain/status.py` (keeps_status, takes_in_no_goods); here: which lots an
event moves goods between, their states at central (read once per batch, only for a batch that
has such events), and what the events of the batch before do to them.

A target lot central does not have yet is made by the event and inherits the source's state
(store/effects.py), so goods may always go into a new lot, except by a merge of lots in different
states: the new lot would take the state of one of them (the earliest expiry's).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, tuple_

from lotscan.domain.events import LotMerged, LotRelabelled, LotSplit, Payload
from lotscan.domain.status import (
    STATUS_NOUN,
    LotState,
    LotStatus,
    held_by_after,
    keeps_status,
    lifting_by,
    takes_in_no_goods,
)
from lotscan.store.schema import Item, Lot

LOT_MOVES = (LotSplit, LotMerged, LotRelabelled)
LotMove = LotSplit | LotMerged | LotRelabelled
States = dict[tuple[str, str], LotState]  # (item, lot code) -> state, for lots central has


@dataclass(frozen=True)
class MoveRefusal:
    """Why the event may not be applied; `into_decided`: it changes a recalled or rejected lot
    (STATUS_NOT_ALLOWED), else it moves goods out of their status (STATUS_NOT_KEPT)."""

    into_decided: bool
    message: str


def moves(payload: LotMove) -> list[tuple[str, str, float | None]]:
    """(source lot, target lot, quantity) of each move of goods the event makes."""
    if isinstance(payload, LotSplit):
        return [(payload.lot, part.lot, part.qty) for part in payload.outputs]
    if isinstance(payload, LotMerged):
        return [(part.lot, payload.lot, part.qty) for part in payload.inputs]
    return [(payload.lot, payload.new_lot, payload.qty)]


def lots_moved(payload: LotMove) -> set[tuple[str, str]]:
    """(item, lot code) of every lot the event takes goods from or puts them into."""
    return {(payload.item, lot) for source, target, _ in moves(payload) for lot in (source, target)}


def read_states(conn: Connection, refs: list[tuple[str, str]]) -> States:
    """The status and holder central has for each of these lots (missing: not at central)."""
    states: States = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        for item, lot, status, held_by in conn.execute(
            select(Item.code, Lot.code, Lot.status, Lot.held_by)
            .join(Item, Item.id == Lot.item_id)
            .where(tuple_(Item.code, Lot.code).in_(chunk))
        ):
            states[(item, lot)] = LotState(str(status), held_by)
    return states


def refusal(payload: LotMove, states: States, site: str) -> MoveRefusal | None:
    """Why this split, merge or relabel may not be applied, given the states of its lots."""
    item = payload.item
    merged_into_new = isinstance(payload, LotMerged) and (item, payload.lot) not in states
    if merged_into_new:
        inputs = {lot: states[(item, lot)] for lot, _, _ in moves(payload) if (item, lot) in states}
        if len(set(inputs.values())) > 1:
            said = ", ".join(f"{lot} {state.describe()}" for lot, state in inputs.items())
            return MoveRefusal(
                False,
                f"{payload.type} merges lots of {item} in different states ({said}) into the new lot "
                f"{payload.lot}, which would take the state of only one of them: goods keep their lot's "
                "status. Merge lots of one status, or into an existing lot of their status",
            )
    for source_lot, target_lot, qty in moves(payload):
        source = states.get((item, source_lot))
        target = states.get((item, target_lot))
        if source is None or target is None:
            continue  # an unknown source fails when applied; a new target inherits the source's state
        amount = f"{qty:g} of " if qty is not None else ""
        if takes_in_no_goods(target):
            return MoveRefusal(
                True,
                f"{payload.type} moves {amount}lot {source_lot} of {item} into lot {target_lot}, which is "
                f"{target.status}: only central changes a {target.status} lot (an admin, with a reason)",
            )
        if not keeps_status(source, target):
            noun = STATUS_NOUN.get(source.status, source.status)
            return MoveRefusal(
                False,
                f"{payload.type} moves {amount}lot {source_lot} of {item}, which is {source.describe()}, "
                f"into lot {target_lot}, which is {target.describe()}: that would lift the {noun} for "
                f"those goods. Goods keep their lot's status: move them into a new lot code (it stays "
                f"{source.status}), or have the {noun} lifted first ({lifting_by(source, site)})",
            )
    return None


def after_move(payload: LotMove, states: States) -> States:
    """The lots an applied split, merge or relabel made have its source's state (a merge's: its
    inputs', all one state, as checked above). Returns those it made."""
    item, made = payload.item, {}
    for source_lot, target_lot, _ in moves(payload):
        source, target = states.get((item, source_lot)), (item, target_lot)
        if source is not None and target not in states:
            states[target] = made[target] = source
    return made


def after_status_change(states: States, ref: tuple[str, str], to: str, site: str) -> None:
    """A status change of a lot the batch moves goods of, applied by a station of `site`."""
    before = states.get(ref)
    if before is not None:
        states[ref] = LotState(str(to), held_by_after(before.status, before.held_by, to, site))


def after_creation(states: States, ref: tuple[str, str], status: LotStatus | None) -> None:
    """A lot a receipt, production or count of the batch made (if central did not have it):
    the status the event gave it, its holder not known (as central stores it)."""
    states.setdefault(ref, LotState(str(status or LotStatus.RELEASED)))


def is_lot_move(payload: Payload) -> bool:
    return isinstance(payload, LOT_MOVES)
