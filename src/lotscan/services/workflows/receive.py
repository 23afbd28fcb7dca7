"""Receive: case or pallet labels against an ASN or PO; unknown lots are created.

Goods from a farm (the ASN's or PO's partner is a party of kind `farm`) are raw agricultural
commodities: the receipt records the farm's harvest and cooling facts (FSMA 204, 21 CFR 1.1325,
1.1330(a)) in the payload's `origin`. The farm comes from the order; what the operator has not
typed yet (domain.harvest) is asked for before anything is recorded."""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationError

from lotscan.codes.scan import ScanKind
from lotscan.domain.events import LabelRequested, StockReceived, describe_errors
from lotscan.domain.events.payloads import Origin
from lotscan.domain.harvest import BY_KEY, FACTS
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.status import LotStatus
from lotscan.domain.units import PackCount, number
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent
from lotscan.store import queries as q


def evaluate(run: Run) -> Plan | None:
    task = checks.resolve_task(run, ("asn", "po"), "ASN or PO")
    if not checks.scan_is_readable(run) or task is None:
        return None
    scan = run.scan
    if scan.sscc and q.container(run.conn, scan.sscc) is not None:
        run.add(ReasonCode.DUPLICATE_SCAN, when="before: this pallet was already received")
        return None
    checks.check_duplicate(run)
    line: q.TaskLineRow | None = None
    if scan.kind is ScanKind.PALLET and not scan.gtin:
        line = q.line_by_sscc(run.conn, task.id, scan.sscc or "")
        if line is None:
            run.add(
                ReasonCode.WRONG_ITEM,
                item=f"pallet {scan.sscc}",
                expected=f"a pallet listed on {task.code}",
            )
            return None
        item = q.item_by_id(run.conn, line.item_id)
        lot_code = line.lot_code
        if item is None or lot_code is None:
            run.add(ReasonCode.MISSING_LOT)
            return None
        if line.remaining <= 0 and not run.ctx.override:
            # Said before any quantity is asked for: a prompt never asks for what is then refused.
            checks.complete_line_refused(run, task, item, line)
            return None
    else:
        product = checks.resolve_product(run)
        if product is None:
            return None
        item, lot_code = product.item, product.lot_code
        first_open = checks.open_line_for(run, task, item, task.code)
        if first_open is None:
            return None
        line = _line_of_the_lot(run, task, item, first_open, lot_code)
        if lot_code is None:
            if not item.lot_tracked:
                run.add(
                    ReasonCode.MISSING_CONTEXT,
                    detail=f"{item.description or item.code} is not lot-tracked; "
                    "this station records lot-tracked goods only. Receive it in the stock system.",
                )
            return None
        existing = product.lot
        if (
            existing is not None
            and existing.status in checks.STATUS_REASONS
            and existing.status is not LotStatus.QUARANTINE
        ):
            run.add(checks.STATUS_REASONS[existing.status], lot=lot_code)
        checks.check_shelf_life(run, item, lot_code)
        if existing is not None and scan.expiry is not None:
            # The books never keep a later expiry than the label (tester W17): an earlier label
            # date becomes the lot's when the receipt is recorded (store/effects.py _received).
            checks.judged_expiry(
                run,
                existing,
                then="it becomes the lot's expiry"
                if existing.expiry is None or scan.expiry < existing.expiry
                else "the lot keeps it",
            )
        if existing is not None and _another_supplier(existing, task.partner):
            # The same lot code from another supplier is another lot, or a label error (W17).
            run.add(ReasonCode.SUPPLIER_DIFFERS, lot=lot_code, book=existing.supplier, supplier=task.partner)
        if scan.serial and q.serial_seen(run.conn, item.id, scan.serial):
            run.add(ReasonCode.DUPLICATE_SERIAL, serial=scan.serial, gtin=item.gtin)
    pallet_of_the_asn = scan.kind is ScanKind.PALLET and not scan.gtin  # the line is this pallet
    if run.ctx.qty is None and scan.quantity is None and not scan.serial:
        # Never the open line's quantity silently: that is what was ordered, not what came. A
        # pallet the ASN lists by SSCC is asked for too, naming what the ASN announces.
        announced, unit = "", item.unit
        packs = checks.counted_in_packs(run, item) and item.pack_size
        if packs and item.pack_size:
            # Asked as the operator counts it, sacks of a KG item with a pack size, for a
            # pallet and a sack's label alike (tester's #15e, W24); scan_quantity converts.
            unit = f"{item.pack_unit or 'PACK'} ({number(item.pack_size)} {item.unit} each)"
        if pallet_of_the_asn and line is not None:
            # What the ASN announced for the pallet (tester W24: the line's remainder after
            # another lot's receipt was called 'announced'), and what is still open if less.
            # The count it asks for is the one then taken (tester ty Y1: "give 40" was refused).
            said, count = _in_packs(item, line.qty_expected)
            still = ""
            if line.qty_done > 0:
                open_now, count = _in_packs(item, line.remaining)
                got = _in_packs(item, line.qty_done)[0]
                still = f"; {got} received on line {line.line_no}, {open_now} still open"
            announced = (
                f" (the ASN announces {said} of lot {lot_code} on pallet {scan.sscc}{still}: "
                f"count it, and give {number(count)} if that is what is there)"
            )
        run.add(ReasonCode.QTY_NEEDED, unit=unit, announced=announced)
        return None
    default_qty = 1.0 if scan.serial or line is None else line.remaining or 1.0
    qty = checks.scan_quantity(run, item, default_qty)
    if line is not None:
        checks.check_task_qty(run, line, qty, item.unit)
    else:
        _check_outside_the_lines(run, task, item, qty)
    location_code = run.ctx.location or _dock_of(run, task)
    location = checks.resolve_location(run, location_code)
    if location is None:
        if not location_code:
            run.add(ReasonCode.MISSING_CONTEXT, detail="Scan the receiving location first.")
        return None
    origin = _origin(run, task, item)
    if origin is False:
        return Plan([], "", {"ask_harvest": _unanswered(run, task)})
    existing_lot = q.lot_by_code(run.conn, item.id, lot_code)
    payload = StockReceived(
        task=task.code,
        line_no=line.line_no if line is not None else None,
        item=item.code,
        gtin=item.gtin,
        lot=lot_code,
        qty=qty,
        unit=item.unit,
        location=location.code,
        sscc=scan.sscc,
        serial=scan.serial,
        expiry=scan.expiry,
        best_before=scan.best_before,
        production_date=scan.production_date,
        supplier=task.partner,
        supplier_lot=lot_code,  # FSMA 204 (21 CFR 1.1320(b)): the label's lot stays the TLC
        lot_status=None if existing_lot else item.receive_status,
        new_lot=existing_lot is None,
        origin=origin or None,
    )
    events = [PlannedEvent(payload)]
    lacks = _what_our_label_must_add(item, lot_code, scan.expiry is not None)
    label_note = ""
    if lacks:
        events.append(
            PlannedEvent(
                LabelRequested(
                    item=item.code, lot=lot_code, task=task.code, why=f"supplier label lacks {lacks}"
                )
            )
        )
        if lacks == "lot":  # a missing expiry is said by MISSING_EXPIRY's own sentence (tester V3)
            label_note = " The supplier label has no lot: an internal label is requested."
    status_note = (
        f" into {item.receive_status.upper()}"
        if existing_lot is None and item.receive_status != "released"
        else ""
    )
    received = (
        f"Received {checks.amount(run, qty, item.unit)} of lot {lot_code}{status_note} at {location.code}."
    )
    if line is None:  # on no line: LOT_NOT_ANNOUNCED says so, and what each line keeps for its lot
        return Plan(
            events,
            f"{received}{label_note}",
            {"task": task.code, "line": "none (lot not announced)", "new_lot": existing_lot is None},
        )
    done = line.qty_done + qty
    return Plan(
        events,
        f"{received} {task.code} line {line.line_no}: {number(done)}/{number(line.qty_expected)}."
        f"{label_note}",
        {
            "task": task.code,
            "line_no": line.line_no,
            "done": done,
            "expected": line.qty_expected,
            "new_lot": existing_lot is None,
        },
    )


def _another_supplier(lot: q.LotRow, partner: str | None) -> bool:
    """The known lot was first received from another supplier than this order's partner."""
    if not lot.supplier or not partner:
        return False
    return lot.supplier.strip().casefold() != partner.strip().casefold()


def _in_packs(item: q.ItemRow, qty: float) -> tuple[str, float]:
    """A quantity of the item as the receipt counts it: '40 SACK = 1,000 KG' and 40 for an item
    with a pack size, else '1,000 KG' and 1000."""
    if item.pack_size:
        pack = PackCount(qty / item.pack_size, item.pack_unit or "PACK", item.pack_size, item.unit)
        return pack.describe(), pack.count
    return f"{number(qty)} {item.unit}", qty


def _what_our_label_must_add(item: q.ItemRow, lot_code: str | None, has_expiry: bool) -> str:
    """What the supplier's label lacks that our internal label must carry: its lot, or an expiry the
    item requires (tester U2: sugar, which needs no expiry, got a label request on every receipt)."""
    if not lot_code:
        return "lot"
    if not has_expiry and item.expiry_required and item.lot_tracked:
        return "expiry"
    return ""


def _line_of_the_lot(
    run: Run, task: q.TaskRow, item: q.ItemRow, first_open: q.TaskLineRow, lot_code: str | None
) -> q.TaskLineRow | None:
    """The line a receipt of ``lot_code`` counts against; None when it goes outside the lines.

    A line that announces a lot (by its code, or its pallet's SSCC) keeps its quantity for that
    lot (tester ty Y1: two sacks of another lot counted against the line of pallet
    095212340000000013 had the pallet refused "950 KG more" after the prompt said "give 40"). So:
    the lot's own open line; else a line that announces no lot, as far as such lines leave open;
    else, when only lines of other lots are open, the receipt is recorded on the task outside its
    lines, with LOT_NOT_ANNOUNCED naming what each of those lines keeps for its lot (the supplier
    may have sent another lot, or the label is misread; the policy decides warn or refuse).
    ``first_open`` is checks.open_line_for's answer: the first open line of the item, or its last
    line when every line is done and a supervisor approved more (QTY_EXCEEDS_TASK)."""
    if not lot_code:
        return first_open
    lines = q.task_lines(run.conn, task.id, item.id)
    open_lines = [line for line in lines if line.remaining > 0]
    own = [line for line in lines if line.lot_code == lot_code]
    own_open = next((line for line in own if line.remaining > 0), None)
    if own_open is not None:
        return own_open
    free = [line for line in open_lines if not line.lot_code]
    if free:
        return free[0]
    if own:  # announced, its line done: check_task_qty says so (or a supervisor approved more)
        return own[-1]
    if not open_lines:  # every line done, more approved: the last line that announces no lot
        any_lot = [line for line in lines if not line.lot_code]
        if any_lot:
            return any_lot[-1]
    others = [line for line in open_lines if line.lot_code] or [line for line in lines if line.lot_code]
    run.add(
        ReasonCode.LOT_NOT_ANNOUNCED,
        task=task.code,
        announced=" or ".join(dict.fromkeys(line.lot_code or "" for line in others)),
        item=item.description or item.code,
        lot=lot_code,
        kept=", ".join(
            f"line {line.line_no} keeps {_in_packs(item, line.remaining)[0]} for lot {line.lot_code}"
            for line in others
            if line.remaining > 0
        )
        or f"no line of {task.code} is open for another lot",
    )
    return None


def _check_outside_the_lines(run: Run, task: q.TaskRow, item: q.ItemRow, qty: float) -> None:
    """A lot no open line announces, recorded outside the lines, may stand in for an announced lot
    the supplier did not send: at most what the item's lines still expect, all of it announced
    for other lots (what is more than the order is QTY_EXCEEDS_TASK, as on a line)."""
    expected = sum(line.remaining for line in q.task_lines(run.conn, task.id, item.id))
    if qty <= expected + 1e-9:
        return
    open_now = checks.amount_as_given(run, expected, item.unit)
    run.add(
        ReasonCode.QTY_EXCEEDS_TASK,
        need=f"{task.code} expects only {open_now} more of {item.description or item.code}, "
        f"announced for other lots, not {checks.amount(run, qty, item.unit)}. Enter the right quantity.",
    )


def _dock_of(run: Run, task: q.TaskRow) -> str | None:
    if task.location_id is None:
        return None
    location = q.location_by_id(run.conn, task.location_id)
    return location.code if location else None


def _farm_of(run: Run, task: q.TaskRow) -> str | None:
    """The order's partner when it is a farm (a party of kind farm, by code or name): its code."""
    return q.farm_code(run.conn, task.partner) if task.partner else None


def _unanswered(run: Run, task: q.TaskRow) -> list[str]:
    given = dict(run.ctx.origin or {})
    if _farm_of(run, task):
        given.setdefault("farm", _farm_of(run, task) or "")
    return [f.key for f in FACTS if f.key not in given]


def _origin(run: Run, task: q.TaskRow, item: q.ItemRow) -> Origin | Literal[False] | None:
    """The harvest facts to record; None when there are none (not from a farm, none typed);
    False when the goods come from a farm and facts are still missing (then a reason says which)."""
    given = {k: v for k, v in (run.ctx.origin or {}).items() if k in BY_KEY}
    farm = _farm_of(run, task)
    if farm is None and not any(given.values()):
        return None
    if farm is not None:
        missing = _unanswered(run, task)
        if missing:
            run.add(
                ReasonCode.HARVEST_KDES_NEEDED,
                product=item.description or item.code,
                farm=task.partner,
                missing=", ".join(BY_KEY[k].label.lower() for k in missing),
            )
            return False
        given.setdefault("farm", farm)
    try:
        return Origin(**{k: v for k, v in given.items() if v})
    except ValidationError as exc:
        run.add(ReasonCode.INVALID_VALUE, detail=f"harvest facts: {describe_errors(exc)}")
        return False
