"""Checks several workflows share: reading the scan, finding the lot, its status and expiry,
FEFO, stock and task lines. Each adds reasons to the run's Findings; none writes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection

from lotscan.codes.gs1 import Element
from lotscan.codes.scan import Scan, ScanKind
from lotscan.codes.suspicious import swallowed_split
from lotscan.domain.fefo import StockCandidate
from lotscan.domain.policy import ALWAYS_REFUSED
from lotscan.domain.reasons import ReasonCode, with_article
from lotscan.domain.status import LotStatus, days_left, is_expired
from lotscan.domain.units import (
    LabelMeasure,
    PackCount,
    is_measure_unit,
    measure_ai,
    measure_from_label,
    number,
)
from lotscan.domain.verdict import Level, Suggestion
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.judge import Findings
from lotscan.settings import StationSettings
from lotscan.store import queries as q

STATUS_REASONS = {
    LotStatus.HOLD: ReasonCode.LOT_ON_HOLD,
    LotStatus.QUARANTINE: ReasonCode.LOT_QUARANTINED,
    LotStatus.RECALLED: ReasonCode.LOT_RECALLED,
    LotStatus.REJECTED: ReasonCode.LOT_REJECTED,
}


@dataclass
class Run:
    """One scan being judged: the connection, the settings, the context and the findings."""

    conn: Connection
    settings: StationSettings
    ctx: ScanContext
    scan: Scan
    findings: Findings = field(default_factory=Findings)
    # The label's count of trade units (AI 30/37) converted by the item's pack size, if any.
    pack_count: PackCount | None = None
    # The label's trade measure (AI 310n kg, 320n lb, 315n l, ...) in the item's unit, if any.
    label_measure: LabelMeasure | None = None
    _fefo_first: dict[int, StockCandidate | None] = field(default_factory=dict)

    def add(self, code: ReasonCode, **facts: object) -> None:
        self.findings.add(code, **facts)

    def fefo_first(self, item_id: int) -> StockCandidate | None:
        """The FEFO choice for an item: the lot and place the prompt and suggestion name."""
        if item_id not in self._fefo_first:
            best = q.fefo_candidates(self.conn, item_id, self.ctx.today, limit=1)
            self._fefo_first[item_id] = best[0] if best else None
        return self._fefo_first[item_id]


@dataclass(frozen=True)
class Product:
    item: q.ItemRow
    lot: q.LotRow | None
    lot_code: str | None
    # The item's lot whose code is lot_code but for letter case, when lot_code is unknown (W21).
    other_case: q.LotRow | None = None


def scan_is_readable(run: Run) -> bool:
    """Turn interpretation errors into reasons; False when nothing usable was read."""
    scan = run.scan
    for finding in scan.errors:
        code = ReasonCode.BAD_CHECK_DIGIT if finding.code == "BAD_CHECK_DIGIT" else ReasonCode.MALFORMED_GS1
        run.add(code, detail=finding.message)
    for finding in scan.warnings:
        if finding.code == "SUSPICIOUS_LOT":
            run.add(ReasonCode.SUSPICIOUS_LOT, lot=scan.lot, detail=finding.message)
        elif finding.code == "EXPIRIES_DIFFER":
            run.add(ReasonCode.LABEL_EXPIRIES_DIFFER, detail=finding.message)
    return not scan.errors


def resolve_product(run: Run) -> Product | None:
    """The item and lot a product or pallet scan names; reasons added when it can't be found."""
    scan, conn = run.scan, run.conn
    if scan.kind is ScanKind.PALLET and scan.sscc and not scan.gtin:
        found = q.container(conn, scan.sscc)
        if found is None or found["lot_id"] is None:
            run.add(ReasonCode.UNKNOWN_LOT, lot=f"pallet {scan.sscc}", item="unknown product")
            return None
        lot = q.lot_by_id(conn, found["lot_id"])
        item = q.item_by_id(conn, lot.item_id) if lot else None
        return Product(item, lot, lot.code) if item and lot else None
    if not scan.gtin:
        by_code = q.lots_by_code(conn, scan.raw.strip()) if scan.kind is ScanKind.UNKNOWN else []
        if len(by_code) == 1:
            run.findings.reasons.clear()
            lot = by_code[0]
            item = q.item_by_id(conn, lot.item_id)
            return Product(item, lot, lot.code) if item else None
        if any(w.code == "MISSING_GTIN" for w in scan.warnings):
            run.add(ReasonCode.MISSING_GTIN)
        else:
            kind = scan.internal.type if scan.internal is not None else scan.kind.value
            run.add(ReasonCode.NOT_A_LOT, a_kind=with_article(kind))
        return None
    item = q.item_by_gtin(conn, scan.gtin)
    if item is None:
        run.add(ReasonCode.UNKNOWN_ITEM, gtin=scan.gtin)
        return None
    if not scan.lot:
        if item.lot_tracked:
            run.add(ReasonCode.MISSING_LOT)
        return Product(item, None, None)
    lot = q.lot_by_code(conn, item.id, scan.lot)
    if lot is not None:
        if run.findings.has(ReasonCode.SUSPICIOUS_LOT) and lot_is_as_scanned(conn, item, scan):
            kept = [r for r in run.findings.reasons if r[0] is not ReasonCode.SUSPICIOUS_LOT]
            run.findings.reasons[:] = kept
        return Product(item, lot, scan.lot)
    return Product(item, None, scan.lot, _lot_of_other_case(run, item, scan.lot))


def lot_is_as_scanned(conn: Connection, item: q.ItemRow, scan: Scan) -> bool:
    """A lot that looks as if it swallowed the next element (SUSPICIOUS_LOT) is what was scanned
    when the item has a lot of that very code here and none of the code the guess gives (tester
    tz, Z10: supplier lot LOT3012, received once, is not lot LOT and a count of 12 every time it
    is picked or consumed). When both are known, or neither, the question stays."""
    if not scan.lot:
        return False
    split = swallowed_split(Element("10", scan.lot, 0, 0, len(scan.lot)), scan.ais.keys() - {"10"})
    if split is None:
        return False
    as_scanned = q.lot_by_code(conn, item.id, scan.lot)
    return as_scanned is not None and q.lot_by_code(conn, item.id, split[0]) is None


def _lot_of_other_case(run: Run, item: q.ItemRow, code: str) -> q.LotRow | None:
    """A lot code unknown for the item that equals one of its lots but for letter case is far
    more likely a scanner typing with Caps Lock on (a keyboard wedge inverts case) than a new
    lot, which a recall of the existing one (codes compared exactly) would not reach (tester
    W21): SUSPICIOUS_LOT names the existing lot. One look-up, only when the exact code is unknown."""
    existing = q.lot_of_other_case(run.conn, item.id, code)
    if existing is not None:
        run.add(
            ReasonCode.SUSPICIOUS_LOT,
            lot=code,
            detail=(
                f"Did you mean lot {existing.code}? Lot {code} is not known here, {existing.code} "
                f"is: is Caps Lock on? Check the label and scan it again; if it really says "
                f"{code}, tell a supervisor."
            ),
        )
    return existing


def require_known_lot(run: Run, product: Product) -> q.LotRow | None:
    if product.lot is None:
        if product.lot_code is not None:
            run.add(
                ReasonCode.UNKNOWN_LOT,
                lot=product.lot_code,
                item=product.item.description or product.item.code,
            )
        return None
    return product.lot


def check_usable(run: Run, lot: q.LotRow) -> None:
    """Status and expiry: may this lot be used, picked or shipped today?"""
    reason = STATUS_REASONS.get(lot.status)
    if reason:
        run.add(reason, lot=lot.code)
    expiry = judged_expiry(run, lot, then="it is judged by that date")
    if is_expired(expiry, run.ctx.today):
        run.add(
            ReasonCode.LOT_EXPIRED,
            lot=lot.code,
            expiry=expiry.isoformat() if expiry else "",
        )


def judged_expiry(run: Run, lot: q.LotRow, *, then: str) -> date | None:
    """The expiry a scan is judged by: the earlier of the label's and the records' (tester W17:
    a label saying expired was consumed with only NOT_FEFO). A label that disagrees with the
    records names both dates (EXPIRY_DIFFERS): another lot under the same code, or a data error.
    A lot with no recorded expiry is judged by its label's."""
    label = run.scan.expiry
    if label is None or label == lot.expiry:
        return lot.expiry
    if lot.expiry is None:
        return label
    earlier = min(label, lot.expiry)
    run.add(
        ReasonCode.EXPIRY_DIFFERS,
        lot=lot.code,
        label=label.isoformat(),
        book=lot.expiry.isoformat(),
        earlier=earlier.isoformat(),
        then=then,
    )
    return earlier


@dataclass(frozen=True)
class Expired:
    """A lot found expired, and whose date says so: "by its label", "by the records", or both."""

    expiry: date
    by: str


def expired_lot(run: Run, lot: q.LotRow | None) -> Expired | None:
    """The lot's expiry when today is after it, judged as every workflow judges it: the earlier
    of the label's and the records' (judged_expiry names both when they differ), or the label's
    alone for a lot the cache does not know. None when the lot is not expired (tester ty, W17
    re-walk: a count or a move of a lot whose label said expired was not told so). Adds no
    reason: the caller says it, first, then judged_expiry names differing dates."""
    label = run.scan.expiry
    book = lot.expiry if lot is not None else None
    expiry = min(label, book) if label is not None and book is not None else label or book
    if expiry is None or not is_expired(expiry, run.ctx.today):
        return None
    if expiry == label and expiry == book:
        by = "by its label and the records"
    elif expiry == label:
        by = "by its label"
    else:
        by = "by the records"
    return Expired(expiry, by)


def hold_places(run: Run) -> str:
    """The site's hold locations, as a warning names them (a few), or what to do without one."""
    return ", ".join(q.hold_location_codes(run.conn)[:3]) or "none is set up here: ask a supervisor"


def check_shelf_life(run: Run, item: q.ItemRow, lot_code: str) -> None:
    expiry = run.scan.expiry
    if expiry is None:
        if item.expiry_required and item.lot_tracked:
            run.add(ReasonCode.MISSING_EXPIRY)
        return
    if is_expired(expiry, run.ctx.today):
        run.add(ReasonCode.LOT_EXPIRED, lot=lot_code, expiry=expiry.isoformat())
        return
    left = days_left(expiry, run.ctx.today)
    if item.min_remaining_days is not None and left is not None and left < item.min_remaining_days:
        run.add(ReasonCode.SHORT_SHELF_LIFE, lot=lot_code, days=left, minimum=item.min_remaining_days)


def check_fefo(run: Run, item: q.ItemRow, lot: q.LotRow) -> None:
    first = run.fefo_first(item.id)
    if first is None:
        return
    run.findings.suggestion = Suggestion(
        first.lot_code,
        item.gtin,
        first.location_code,
        first.quantity,
        first.expiry.isoformat() if first.expiry else None,
    )
    if first.lot_id == lot.id:
        return
    if (first.expiry or _MAX) < (lot.expiry or _MAX):
        run.add(ReasonCode.NOT_FEFO, lot=lot.code, better=first.lot_code, where=first.location_code)


_MAX = date.max


def check_duplicate(run: Run) -> None:
    window = run.settings.policy.duplicate_window_s
    if window <= 0 or not run.scan.raw:
        return
    since = run.ctx.now - timedelta(seconds=window)
    seen = q.last_same_scan(run.conn, run.scan.raw, run.ctx.workflow.value, since)
    if seen is not None:
        ago = (run.ctx.now - seen).total_seconds()
        run.add(ReasonCode.DUPLICATE_SCAN, when=f"{ago:.1f} s ago")


def resolve_location(run: Run, code: str | None, *, role: str = "location") -> q.LocationRow | None:
    if not code:
        return None
    location = q.location_by_code(run.conn, code)
    if location is None:
        location = q.location_by_gln(run.conn, code)
    if location is None:
        run.add(ReasonCode.UNKNOWN_LOCATION, location=code)
    return location


def resolve_task(run: Run, kinds: tuple[str, ...], label: str) -> q.TaskRow | None:
    code = run.ctx.task
    if not code:
        run.add(
            ReasonCode.MISSING_CONTEXT,
            detail=f"Choose the {label} first (scan its barcode or give --task).",
        )
        return None
    task = q.task_by_code(run.conn, code)
    if task is None or task.kind not in kinds:
        run.add(ReasonCode.UNKNOWN_TASK, task=f"{label.capitalize()} {code}")
        return None
    if task.status != "open":
        run.add(ReasonCode.TASK_CLOSED, task=f"{label.capitalize()} {code}")
        return None
    return task


@dataclass(frozen=True)
class NamedPlace:
    """The place a workflow names before the scan for every lot (a shipment's staging place:
    "Ship on SHP-5001 from DOCK-OUT"), and why it is that place ("where SHP-5001 ships from")."""

    location: q.LocationRow
    why: str


def _places_to_take_from(run: Run, places: list[q.LocationRow]) -> list[str]:
    """The places a refusal may send the operator to for the lot. A pick or a consume takes from
    pickable places: the dispatch staging place holds what was already picked, and "take it from
    there" would pick it twice (tester tz2, A5). Other places are named only when no pickable
    one holds the lot (goods still on the receiving dock, say)."""
    if run.ctx.workflow in (Workflow.PICK, Workflow.CONSUME):
        pickable = [loc for loc in places if loc.pickable]
        places = pickable or places
    return [loc.code for loc in places]


def source_location(
    run: Run, lot: q.LotRow, named: NamedPlace | None = None
) -> tuple[q.LocationRow | None, float]:
    """Where the stock is taken from: the scanned location; else the place the operator was
    told (in pick and consume, the FEFO prompt's, for the FEFO lot; in ship, the `named`
    staging place, for every lot); else the lot's only place. A lot in several places that
    nobody named, or not at the named place, is never taken from another place silently: the
    operator is asked to scan the location (LOCATION_NEEDED)."""
    if run.ctx.location:
        location = resolve_location(run, run.ctx.location)
        if location is None:
            return None, 0.0
        available = q.stock_qty(run.conn, lot.id, location.id)
        if available <= 0:
            elsewhere = _places_to_take_from(
                run, [loc for loc, qty_ in q.stock_of_lot(run.conn, lot.id) if qty_ > 0]
            )
            if elsewhere:
                run.add(
                    ReasonCode.WRONG_LOCATION,
                    lot=lot.code,
                    location=location.code,
                    where=", ".join(elsewhere[:3]),
                )
        return location, available
    places = [(loc, qty_) for loc, qty_ in q.stock_of_lot(run.conn, lot.id) if qty_ > 0]
    if not places:
        run.add(ReasonCode.NO_STOCK, lot=lot.code, at="")
        return None, 0.0
    if named is not None:  # tester W22: ship took 8 from DOCK-OUT's 1 while FG-B03 held 10
        for location, available in places:
            if location.id == named.location.id:
                return location, available
        _ask_location(run, lot, f"is not at {named.location.code}, {named.why}, but elsewhere", places)
        return None, 0.0
    first = run.fefo_first(lot.item_id) if run.ctx.workflow in _FEFO_PROMPTED else None
    told = first.location_code if first is not None and first.lot_id == lot.id else None
    for location, available in places:
        if location.code == told or (told is None and len(places) == 1):
            return location, available
    _ask_location(run, lot, f"is in {len(places)} places", places)
    return None, 0.0


_SCAN_THE_PLACE = "Scan the location you take it from, then the lot again."


def _ask_location(
    run: Run, lot: q.LotRow, why: str, places: list[tuple[q.LocationRow, float]], then: str = _SCAN_THE_PLACE
) -> None:
    """LOCATION_NEEDED: where the lot is, and what to scan."""
    run.add(ReasonCode.LOCATION_NEEDED, lot=lot.code, why=why, where=_places_text(places), then=then)


# Workflows whose prompt or suggestion names the FEFO lot and its place before the scan.
_FEFO_PROMPTED = frozenset({Workflow.PICK, Workflow.CONSUME})


def _places_text(places: list[tuple[q.LocationRow, float]]) -> str:
    shown = ", ".join(f"{loc.code} {qty_:g}" for loc, qty_ in places[:4])
    return shown + (" ..." if len(places) > 4 else "")


def check_told_place_covers(
    run: Run, lot: q.LotRow, location: q.LocationRow, available: float, qty: float, unit: str
) -> None:
    """Without a scanned location, more than the told place holds is taken elsewhere too:
    ask where, rather than record it against the told place."""
    if run.ctx.location or qty <= available + 1e-9:
        return
    places = [(loc, qty_) for loc, qty_ in q.stock_of_lot(run.conn, lot.id) if qty_ > 0]
    why, then = f"has only {available:g} {unit} at {location.code}, not {qty:g}", _SCAN_THE_PLACE
    most = max((qty_ for _, qty_ in places), default=available)
    held = sum(qty_ for _, qty_ in places)
    if qty > held + 1e-9:  # tester tz Z16: "scan another place" where no other place holds the lot
        why, then = _records_short(run, location, available, qty, unit, places, held)
    elif qty > most + 1e-9:  # tester U1: every place listed was short too, and following it went below zero
        why += f", and no single place holds {qty:g} {unit}"
        then = (
            f"Take it in parts: set the quantity to {available:g} (q or /qty) and scan the lot again to "
            f"take {available:g} from {location.code}; then, for the other {qty - available:g} {unit}, set "
            f"the quantity to {qty - available:g} and scan another place and the lot."
        )
    _ask_location(run, lot, why, places, then)


def _records_short(
    run: Run,
    location: q.LocationRow,
    available: float,
    qty: float,
    unit: str,
    places: list[tuple[q.LocationRow, float]],
    held: float,
) -> tuple[str, str]:
    """More than the records hold of the lot in all places: the goods in hand say the records are
    short. Count the place (the count records the difference), or, where the policy only warns on
    QTY_EXCEEDS_STOCK, take it all from the place with that warning (it then shows below zero, key
    z, until counted); or take only what the records hold."""
    single = len(places) <= 1
    why = f"has only {available:g} {unit} at {location.code}, not {qty:g}, and " + (
        "no other place holds any" if single else f"the records hold {held:g} {unit} of it in all"
    )
    source = location.code if single else "the place it came from"
    if run.settings.policy.level_of(ReasonCode.QTY_EXCEEDS_STOCK) is Level.REJECTED:
        fix = f"count {source} (/mode count), then scan the lot again"
    else:
        fix = (
            f"scan {source} and then the lot to take all {qty:g} from it (recorded with a "
            f"QTY_EXCEEDS_STOCK warning), then count {location.code if single else 'that place'}"
        )
    then = (
        f"If {qty:g} {unit} are in hand, the records are short: {fix}. Or set the quantity to "
        f"{available:g} (q or /qty) and scan the lot again to take only what {location.code} holds."
    )
    return why, then


def check_stock(
    run: Run, lot: q.LotRow, location: q.LocationRow, available: float, qty: float, unit: str
) -> None:
    if available <= 0:
        if not run.findings.has(ReasonCode.WRONG_LOCATION):
            run.add(ReasonCode.NO_STOCK, lot=lot.code, at=f" at {location.code}")
    elif qty > available + 1e-9:
        run.add(
            ReasonCode.QTY_EXCEEDS_STOCK,
            available=f"{available:g}",
            unit=unit,
            lot=lot.code,
            location=location.code,
            qty=f"{qty:g}",
        )


def open_line_for(run: Run, task: q.TaskRow, item: q.ItemRow, expected_label: str) -> q.TaskLineRow | None:
    lines = q.task_lines(run.conn, task.id, item.id)
    if not lines:
        expected = ", ".join(sorted({code for _, code, _ in q.task_lines_with_items(run.conn, task.id)}))
        run.add(
            ReasonCode.WRONG_ITEM,
            item=item.description or item.code,
            expected=expected or expected_label,
        )
        return None
    open_lines = [line for line in lines if line.remaining > 0]
    if open_lines:
        return open_lines[0]
    if run.ctx.override:  # more than the task asks for, with a supervisor's approval (QTY_EXCEEDS_TASK)
        return lines[-1]
    complete_line_refused(run, task, item, lines[-1])
    return None


def complete_line_refused(run: Run, task: q.TaskRow, item: q.ItemRow, line: q.TaskLineRow) -> None:
    """A scan for an item whose lines are all done: one refusal naming the complete line and
    what the task needs next, before any location, FEFO or quantity question about it."""
    every_line = q.task_lines_with_items(run.conn, task.id)
    still_open = [
        (other, description or code) for other, code, description in every_line if other.remaining > 0
    ]
    closed_short = sum(1 for other, _, _ in every_line if other.qty_short > 0)
    if still_open:
        nxt, what = still_open[0]
        unit = (q.item_by_id(run.conn, nxt.item_id) or item).unit
        then = f"Next: line {nxt.line_no}, {what}, {nxt.remaining:g} {unit}."
    elif closed_short:  # not "complete": what was ordered was not all picked (tester W8)
        then = f"Every line of {task.code} is done ({closed_short} of {len(every_line)} closed short)."
    else:
        then = f"Every line of {task.code} is complete."
    what = f"{task.code} line {line.line_no} ({item.description or item.code})"
    run.add(ReasonCode.QTY_EXCEEDS_TASK, need=f"{what} {line_closed(line, item.unit)}. {then}")


def line_closed(line: q.TaskLineRow, unit: str) -> str:
    """Why nothing more is needed for a line, with its figures: "is already complete (30 of 30
    EA): nothing more is needed for it", or, closed short, "was closed short (0 of 30 EA
    picked, 30 EA short): nothing more is picked for it" (tester V4: it said "0 of 0 EA")."""
    if line.qty_short > 0:
        return (
            f"was closed short ({line.qty_done:g} of {line.qty_expected:g} {unit} picked, "
            f"{line.qty_short:g} {unit} short): nothing more is picked for it"
        )
    figures = f"{line.qty_done:g} of {line.qty_expected:g} {unit}"
    return f"is already complete ({figures}): nothing more is needed for it"


@dataclass(frozen=True)
class TaskScan:
    """A known, usable lot scanned against an open line of a task, and where to take it from."""

    task: q.TaskRow
    item: q.ItemRow
    lot: q.LotRow
    line: q.TaskLineRow


def lot_on_task_line(run: Run, kinds: tuple[str, ...], label: str) -> TaskScan | None:
    """The opening every task workflow shares: the open task, a readable label of a known lot,
    and the task line for its item. Reasons are added for whatever is missing."""
    task = resolve_task(run, kinds, label)
    if not scan_is_readable(run) or task is None:
        return None
    product = resolve_product(run)
    lot = require_known_lot(run, product) if product else None
    if product is None or lot is None:
        return None
    line = open_line_for(run, task, product.item, task.code)
    if line is None:
        if run.findings.has(ReasonCode.QTY_EXCEEDS_TASK):
            check_usable(run, lot)  # tester Y4: a quarantined lot on a done line said only "complete"
            check_scanned_place(run, lot, product.item.unit)
        return None
    return TaskScan(task, product.item, lot, line)


def check_scanned_place(run: Run, lot: q.LotRow, unit: str) -> None:
    """A refusal lists every reason that blocks the scan (tester X5): a complete line refused
    before the place was judged showed only QTY_EXCEEDS_TASK, and an override of it then took the
    lot from a scanned place that holds none. The place the operator scanned is judged too; no
    place is asked for when none was scanned."""
    if not run.ctx.location:
        return
    location, available = source_location(run, lot)
    if location is not None and available <= 0:
        check_stock(run, lot, location, available, 0.0, unit)


def take_usable_lot(
    run: Run, found: TaskScan, *, fefo: bool, named: NamedPlace | None = None
) -> tuple[q.LocationRow, float] | None:
    """Status, expiry, FEFO (when asked) and double reads of the lot, then where from and how much."""
    check_usable(run, found.lot)
    if fefo:
        check_fefo(run, found.item, found.lot)
    check_duplicate(run)
    if run.findings.has_any(ALWAYS_REFUSED):
        return None  # tester W14: a refused lot gets its refusal's advice, not "scan the location"
    return take_quantity(run, found, named)


def take_quantity(
    run: Run, found: TaskScan, named: NamedPlace | None = None
) -> tuple[q.LocationRow, float] | None:
    """Where the lot is taken from and how much: the line's remaining need, capped by stock."""
    source, available = source_location(run, found.lot, named)
    if source is None:
        return None
    line = found.line
    default = min(line.remaining, available) if line.remaining > 0 and available > 0 else None
    qty = scan_quantity(run, found.item, default)
    check_told_place_covers(run, found.lot, source, available, qty, found.item.unit)
    if not run.findings.has(ReasonCode.LOCATION_NEEDED):
        check_stock(run, found.lot, source, available, qty, found.item.unit)
    return source, qty


def check_task_qty(run: Run, line: q.TaskLineRow, qty: float, unit: str) -> None:
    if qty <= line.remaining + 1e-9:
        return
    if line.remaining > 0:
        said = amount(run, qty, unit)  # a label's count: "100 BLOCK = 1,000 KG", as the banner says it
        needed = amount_as_given(run, line.remaining, unit)
        need = f"The task needs only {needed} more, not {said}. Enter the right quantity."
    else:
        need = f"{run.ctx.task} line {line.line_no} {line_closed(line, unit)}."
    run.add(ReasonCode.QTY_EXCEEDS_TASK, need=need)


def scan_quantity(run: Run, item: q.ItemRow, default: float | None = None) -> float:
    """The quantity of this scan in the item's unit: typed, else from the label, else the
    workflow's default.

    A label's AI 30/37 counts trade units: with the item's pack size it becomes count x pack
    size (kept in ``run.pack_count`` so the message says both figures); for an item counted in
    its own unit (EA, SACK) it is that count; for an item kept in a measure (KG) with no pack
    size the operator is asked for the quantity (PACK_SIZE_UNKNOWN), never a bare count in KG.
    Negative, infinite or NaN amounts are refused (zero only makes sense in a count); the
    value returned for a refused amount is 0 so nothing downstream computes with it.
    """
    scan = run.scan
    if run.ctx.qty is not None:
        qty = float(run.ctx.qty)
        if counted_in_packs(run, item) and item.pack_size:
            run.pack_count = PackCount(qty, item.pack_unit or "PACK", item.pack_size, item.unit)
            qty = run.pack_count.amount
        check_typed_against_label(run, item, qty)
    elif scan.quantity is not None and scan.quantity_is_count and item.pack_size:
        run.pack_count = PackCount(float(scan.quantity), item.pack_unit or "PACK", item.pack_size, item.unit)
        qty = run.pack_count.amount
        check_count_against_weight(run, item, run.pack_count)
    elif scan.quantity is not None and scan.quantity_is_count and is_measure_unit(item.unit):
        run.add(
            ReasonCode.PACK_SIZE_UNKNOWN,
            count=f"{scan.quantity:f}",
            item=item.description or item.code,
            unit=item.unit,
        )
        return 0.0
    elif scan.quantity is not None:
        measure = measure_of_label(scan, item.unit)
        if measure is not None and measure.amount is None:
            refuse_unit_mismatch(run, item, measure)
            return 0.0
        run.label_measure = measure
        qty = measure.amount if measure is not None and measure.amount is not None else float(scan.quantity)
    else:
        qty = default if default is not None else 1.0
    zero_ok = run.ctx.workflow is Workflow.COUNT
    if not math.isfinite(qty) or qty < 0 or (qty == 0 and not zero_ok):
        run.add(ReasonCode.BAD_QUANTITY, qty=f"{qty:g}")
        return 0.0
    return qty


def measure_of_label(scan: Scan, unit: str) -> LabelMeasure | None:
    """The label's first trade measure (AI 310n-366n) in ``unit``, if it has one."""
    for ai, value in scan.ais.items():
        if measure_ai(ai) and value.isdigit():
            return measure_from_label(ai, value, unit)
    return None


def refuse_unit_mismatch(run: Run, item: q.ItemRow, measure: LabelMeasure) -> None:
    """A measure of another dimension than the item's unit (a weight on an item kept in litres
    or counted in EA) is never taken as a number of the item's unit (tester's W15)."""
    run.add(
        ReasonCode.UNIT_MISMATCH,
        measure=measure.describe(),
        ai=measure.ai,
        dimension=measure.dimension,
        item=item.description or item.code,
        unit=item.unit,
    )


def check_count_against_weight(run: Run, item: q.ItemRow, pack: PackCount) -> None:
    """A label with a count (AI 30/37) and a trade measure (AI 310n kg, 320n lb, ...) that
    disagree with the item's pack size says so (tester's #15f: 20 sacks of 25 kg labelled 400 kg
    went in silently). The count is what is recorded; both figures are shown."""
    measure = measure_of_label(run.scan, item.unit)
    if measure is None or measure.amount is None:
        return
    if math.isclose(measure.amount, pack.amount, rel_tol=1e-6, abs_tol=1e-9):
        return
    run.add(
        ReasonCode.LABEL_COUNT_WEIGHT_DIFFER,
        count=pack.describe(),
        net=f"{measure.describe()} (AI {measure.ai})",
        pack=f"{number(pack.pack_size)} {item.unit}",
        pack_unit=pack.pack_unit,
    )


def counted_in_packs(run: Run, item: q.ItemRow) -> bool:
    """A receipt of an item with a pack size is counted in trade units (sacks), as AI 30 counts
    them: the station asks for that count and a typed quantity is one (tester's #15e),
    converted by the pack size, whether the pallet's SSCC or a sack's label was scanned (tester
    W24: --qty 38 meant 38 SACK on the pallet and 38 KG on the label of the same line)."""
    return run.ctx.workflow is Workflow.RECEIVE and bool(item.pack_size)


def check_typed_against_label(run: Run, item: q.ItemRow, typed: float) -> None:
    """A typed quantity that is not what the label counts (AI 30/37) says both, in every
    workflow: 3 typed for a label of 20 blocks is more likely 3 blocks than 3 KG, and a consume
    or count of 2 KG from a label saying 5 kg is named before it is written (tester X6). A
    label's trade measure (AI 310n kg, 320n lb, ...) is compared in the item's unit, within
    what its decimals can state: 2 SACK = 50 KG is what 110.231 lb says (tester X7). The typed
    quantity is what is recorded."""
    scan = run.scan
    if scan.quantity is None:
        return
    if not scan.quantity_is_count:
        measure = measure_of_label(scan, item.unit)
        if measure is None or measure.amount is None:
            return  # no measure in the item's unit to compare with
        if measure.states(typed) or counts_whole_packs(run, measure, typed):
            return
        label, label_amount = measure.describe(), measure.amount
    elif item.pack_size:
        pack = PackCount(float(scan.quantity), item.pack_unit or "PACK", item.pack_size, item.unit)
        label, label_amount = pack.describe(), pack.amount
    elif is_measure_unit(item.unit):
        return  # the label's count has no amount in the item's unit to compare with
    else:
        label_amount = float(scan.quantity)
        label = f"{label_amount:g} {item.unit}"
    if math.isfinite(typed) and not math.isclose(typed, label_amount):
        # A count types what the whole place holds: rescanning without /qty would book the
        # place as one pack (tester Y2), so a count is told to count again instead, recorded
        # or not (tester tz: the recorded count was sent to a supervisor); a new count of the
        # place replaces the one recorded.
        if run.ctx.workflow is Workflow.COUNT:
            then = recorded_then = "Count the place again and type what it holds."
        else:
            then = "If the label is right, scan it again without /qty."
            recorded_then = "If the label is right, tell a supervisor to correct it."
        run.add(
            ReasonCode.QTY_DIFFERS_FROM_LABEL,
            typed=amount(run, typed, item.unit),
            label=label,
            then=then,
            recorded_then=recorded_then,
        )


def counts_whole_packs(run: Run, measure: LabelMeasure, typed: float) -> bool:
    """A count types what the whole place holds: 10 KG counted after one sack labelled 5 kg is two
    such sacks, not a label misread, so a count of a whole number of the label's measure is not
    named (each pack within the label's own precision). Any other workflow types one scan's
    quantity, and a part of a pack there is named."""
    if run.ctx.workflow is not Workflow.COUNT or measure.amount is None or measure.amount <= 0:
        return False
    packs = round(typed / measure.amount)
    return packs >= 1 and measure.states(typed / packs)


def amount_as_given(run: Run, qty: float, unit: str) -> str:
    """Another quantity of the same message in the unit this scan's quantity was given in: sacks
    with their weight when sacks were counted ("38 SACK = 950 KG"), else the item's unit (tester
    ty Y1: "950 KG more, not 40 SACK = 1,000 KG" left the operator to convert)."""
    pack = run.pack_count
    if pack is not None and pack.pack_size:
        return PackCount(qty / pack.pack_size, pack.pack_unit, pack.pack_size, pack.unit).describe()
    return f"{qty:g} {unit}"


def amount(run: Run, qty: float, unit: str) -> str:
    """The quantity as the operator is told it: "100 SACK = 2,500 KG" for a converted label
    count, else "40 KG"."""
    if run.pack_count is not None and run.pack_count.amount == qty:
        return run.pack_count.describe()
    if run.label_measure is not None and run.label_measure.amount == qty:
        return run.label_measure.describe()
    return f"{qty:g} {unit}"
