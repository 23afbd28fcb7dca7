"""Produce: the output lot of a work order, numbered by the site's pattern, linked to the lots
consumed into the order since its last output, with their quantities.

A later output with nothing consumed since the one before (several pallets off one mix) is
linked to every lot consumed into the order so far, without quantities: what went into it is
known, how much of each is not, and FSMA 204 (21 CFR 1.1350(a)(1)) asks for the lots used in a
transformation first. A lot left with no parents would drop out of a recall of its inputs; a
quantity is never made up (the export lists it as a missing KDE). See docs/traceability.md."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from lotscan.codes.scan import ScanKind
from lotscan.domain.events import LotProduced, LotRef, StockConsumed
from lotscan.domain.lot_numbers import lot_number_problem, sequence_capacity
from lotscan.domain.reasons import ReasonCode
from lotscan.services import checks
from lotscan.services.checks import Run
from lotscan.services.recorder import Plan, PlannedEvent
from lotscan.store import queries as q
from lotscan.store.schema import Counter


def evaluate(run: Run) -> Plan | None:
    scan = run.scan
    if scan.kind is ScanKind.ORDER and scan.internal and scan.internal.type == "work_order":
        run.ctx = run.ctx.with_(task=scan.internal.value)
    elif scan.raw.strip() and not checks.scan_is_readable(run):
        return None
    task = checks.resolve_task(run, ("work_order",), "work order")
    if task is None:
        return None
    if task.item_id is None:
        run.add(
            ReasonCode.MISSING_CONTEXT,
            detail=f"{task.code} has no output item; fix the work order.",
        )
        return None
    item = q.item_by_id(run.conn, task.item_id)
    if item is None:
        run.add(ReasonCode.UNKNOWN_ITEM, gtin=str(task.item_id))
        return None
    if scan.gtin and scan.gtin != item.gtin:
        scanned = q.item_by_gtin(run.conn, scan.gtin)  # named as the other workflows do (tester tz, Z9l)
        said = (scanned.description or scanned.code) if scanned else f"GTIN {scan.gtin}"
        run.add(ReasonCode.WRONG_ITEM, item=said, expected=item.description or item.code)
    location_code = run.ctx.location or _location_of(run, task)
    location = checks.resolve_location(run, location_code)
    if location is None:
        if not location_code:
            run.add(ReasonCode.MISSING_CONTEXT, detail="Scan where the output goes first.")
        return None
    qty = checks.scan_quantity(run, item, task.planned_qty or 1.0)
    inputs = _inputs(run.conn, task.code)
    last = q.last_output(run.conn, task.code) if not inputs else None
    earlier = _inputs_of_the_order(run.conn, task.code) if last is not None else []
    if earlier and last is not None:
        inputs = earlier
        lots = ", ".join(i.lot for i in earlier[:5]) + (
            f" and {len(earlier) - 5} more" if len(earlier) > 5 else ""
        )
        run.add(ReasonCode.INPUTS_OF_THE_ORDER, task=task.code, last=_lot_of(last), lots=lots)
    elif not inputs:
        run.add(ReasonCode.NO_INPUTS, task=task.code, since=_since_last_output(run.conn, task.code))
    else:
        missing = [
            f"line {line.line_no} {description or code}"
            for line, code, description in q.task_lines_with_items(run.conn, task.id)
            if line.qty_done <= 0
        ]
        if missing:
            run.add(ReasonCode.INPUTS_MISSING, task=task.code, missing=", ".join(missing))
    lot_code, counter_key, seq = _next_lot_code(run, item.code)
    pattern, station = run.settings.lot_pattern, _station_part(run)
    capacity = sequence_capacity(pattern, station=station, line=run.settings.line)
    if seq > capacity:  # the settings check vouched for the pattern up to here, not beyond
        run.add(ReasonCode.LOT_NUMBERS_USED_UP, pattern=pattern.pattern, capacity=capacity, seq=seq)
        return None
    unlabellable = lot_number_problem(lot_code)
    if unlabellable is not None:
        run.add(
            ReasonCode.LOT_NUMBER_TOO_LONG,
            problem=unlabellable,
            fix="Ask a supervisor to change [lots] pattern.",
        )
        return None
    expiry = run.ctx.today + timedelta(days=item.shelf_life_days) if item.shelf_life_days else None
    payload = LotProduced(
        task=task.code,
        item=item.code,
        gtin=item.gtin,
        lot=lot_code,
        qty=qty,
        unit=item.unit,
        location=location.code,
        expiry=expiry,
        production_date=run.ctx.today,
        lot_status=item.receive_status,
        inputs=inputs,
    )

    def bump_counter(conn: Connection) -> None:
        _store_counter(conn, counter_key, seq)

    plan = Plan(
        [PlannedEvent(payload)],
        f"Produced lot {lot_code}: {checks.amount(run, qty, item.unit)} of "
        f"{item.description or item.code} at "
        f"{location.code}, from {len(inputs)} input lot(s).",
        {
            "lot": lot_code,
            "made": f"{checks.amount(run, qty, item.unit)} of {item.description or item.code}",
            "location": location.code,
            "inputs": [i.model_dump(exclude_none=True) for i in inputs],
            "expiry": expiry.isoformat() if expiry else None,
        },
    )
    plan.before_record = bump_counter
    return plan


def _location_of(run: Run, task: q.TaskRow) -> str | None:
    location = q.location_by_id(run.conn, task.location_id) if task.location_id else None
    return location.code if location else None


def _inputs(conn: Connection, task_code: str) -> list[LotRef]:
    totals: dict[tuple[str, str], float] = {}
    for text in q.consumed_inputs(conn, task_code):
        consumed = StockConsumed.model_validate_json(text)
        key = (consumed.item, consumed.lot)
        totals[key] = totals.get(key, 0.0) + consumed.qty
    return [LotRef(item=item, lot=lot, qty=qty) for (item, lot), qty in totals.items()]


def _inputs_of_the_order(conn: Connection, task_code: str) -> list[LotRef]:
    """Every lot consumed into the order since it began, once each, without a quantity: the
    quantities consumed are already on the links of the outputs made before."""
    seen = dict.fromkeys(
        (consumed.item, consumed.lot)
        for consumed in map(
            StockConsumed.model_validate_json, q.consumed_inputs(conn, task_code, since_last_output=False)
        )
    )
    return [LotRef(item=item, lot=lot) for item, lot in seen]


def _lot_of(produced: str) -> str:
    return LotProduced.model_validate_json(produced).lot


def _since_last_output(conn: Connection, task_code: str) -> str:
    """' since lot L was made (X went into that lot)' when the order made a lot already, so the
    warning does not claim nothing was ever consumed into the order (tester U7)."""
    last = q.last_output(conn, task_code)
    if last is None:
        return ""
    made = LotProduced.model_validate_json(last)
    went_in = ", ".join(dict.fromkeys(source.lot for source in made.inputs))
    return f" since lot {made.lot} was made" + (f" ({went_in} went into that lot)" if went_in else "")


def _next_lot_code(run: Run, item_code: str) -> tuple[str, str, int]:
    settings = run.settings
    pattern = settings.lot_pattern
    facts: dict[str, Any] = {
        "day": run.ctx.today,
        "line": settings.line,
        "item": item_code,
        "station": _station_part(run),
    }
    key = "lot:" + pattern.prefix_key(**facts)
    seq = int(run.conn.execute(select(Counter.value).where(Counter.key == key)).scalar() or 0)
    item = q.item_by_code(run.conn, item_code)
    while True:
        seq += 1
        code = pattern.render(seq=seq, **facts)
        if item is None or q.lot_by_code(run.conn, item.id, code) is None:
            return code, key, seq


def _station_part(run: Run) -> str:
    """{station} in lot numbers: the short part central gave at enrolment, else the station id."""
    return run.settings.lot_station or run.settings.station_id


def _store_counter(conn: Connection, key: str, value: int) -> None:
    updated = conn.execute(update(Counter).where(Counter.key == key).values(value=value)).rowcount
    if not updated:
        conn.execute(insert(Counter).values(key=key, value=value))
