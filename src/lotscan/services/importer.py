"""Loading master data and tasks from CSV or JSON, all or nothing.

Files (CSV with a header row, or one JSON object with a list per name):
  parties      code, kind (site|location|supplier|customer|farm|carrier), name, street, city,
               postal_code, country, phone, gln, ffrn (FDA food facility registration number)
  sites        code, name, gln, time_zone (IANA, e.g. America/Chicago; default UTC)
  locations    code, site, gln, name, pickable, is_hold
  items        code, gtin, description, unit, lot_tracked, expiry_required, shelf_life_days,
               min_remaining_days, receive_status, pack_size, pack_unit (a trade unit - what a
               label's AI 30 counts - holds pack_size of unit: 25 and SACK for a 25 KG sack)
  operators    badge, name, role (operator|supervisor|admin), pin (4 characters or more),
               active (yes|no: central only; no deactivates: central refuses their events), site
               (the site they work at: central sends them, with their PIN hash, to that site's
               stations only; * for a company-wide operator, e.g. a quality supervisor, sent to
               every site. Central's import refuses an operator without a site: say which, or *)
  lots         item, lot, status, expiry, best_before, production_date, supplier, supplier_lot
  stock        item, lot, location, qty
  tasks        code, kind (asn|po|work_order|pick_list|shipment), status, partner, due, item,
               planned_qty, line, location
  task_lines   task, line_no, item, qty_expected, qty_done, qty_short, lot, sscc
Central only (`lotscan central import`):
  kde_records  FSMA 204 records of events before our plant, as farms and vessels send them:
               cte (harvesting|cooling|initial_packing|first_land_based_receiving), tlc, item,
               product, commodity_variety, qty, unit, event_date, location, previous_source,
               recipient, tlc_source, tlc_source_reference, doc_type, doc_number, harvest_date,
               farm, field_name, harvester, cooling_location, cooling_date (places and
               businesses by party code or name)
Dates are ISO (2026-03-01) or relative to the day of import: +30d, -5d, today.
Rows are matched on their natural key (code, badge, item+lot, ...) and updated in place, so an
import can be repeated. Any bad row stops the whole import with its file, row and column named.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from lotscan.codes.linters import gs1_check_digit
from lotscan.domain.lot_numbers import lot_number_problem
from lotscan.domain.parties import PARTY_KINDS, check_time_zone
from lotscan.domain.status import LotStatus
from lotscan.services.pins import hash_pin
from lotscan.store.schema import Item, Location, Lot, Operator, Party, Site, Stock, Task, TaskLine

ORDER = ("parties", "sites", "locations", "items", "operators", "lots", "stock", "tasks", "task_lines")
CENTRAL_ONLY = ("kde_records",)
NAMES = ORDER + CENTRAL_ONLY
TASK_KINDS = ("asn", "po", "work_order", "pick_list", "shipment")
ROLES = ("operator", "supervisor", "admin")
MIN_PIN_LENGTH = 4  # docs/station.md "PINs"
EVERY_SITE = "*"  # an operator's site column: company-wide (every site's stations get their row)


class ImportDataError(ValueError):
    """A row that cannot be imported: names the file, the row, the column and the fix."""


@dataclass
class Row:
    source: str
    number: int
    data: dict[str, Any]

    def __post_init__(self) -> None:
        """A NUL character is refused before anything is written: PostgreSQL cannot store it as
        text and SQLite would keep a badge or code nobody can scan (tester U24)."""
        for column, value in self.data.items():
            if "\x00" in str(column) or (isinstance(value, str) and "\x00" in value):
                raise self.fail(
                    str(column).replace("\x00", "\\x00"),
                    "contains a NUL character (0x00): remove it and import again",
                )

    def fail(self, column: str, problem: str) -> ImportDataError:
        return ImportDataError(f"{self.source} row {self.number}, column '{column}': {problem}")

    def text(self, column: str, *, required: bool = False) -> str | None:
        value = self.data.get(column)
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                raise self.fail(column, "is empty; it is required")
            return None
        return text

    def number_(self, column: str, default: float | None = None) -> float | None:
        text = self.text(column)
        if text is None:
            return default
        try:
            value = float(text)
        except ValueError:
            raise self.fail(column, f"{text!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise self.fail(column, f"{text!r} is not a quantity: give a finite number, 0 or more")
        return value

    def integer(self, column: str) -> int | None:
        value = self.number_(column)
        return None if value is None else int(value)

    def flag(self, column: str, default: bool) -> bool:
        text = self.text(column)
        if text is None:
            return default
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "y"):
            return True
        if lowered in ("0", "false", "no", "n"):
            return False
        raise self.fail(column, f"{text!r} is not yes/no")

    def date_(self, column: str, today: date) -> date | None:
        text = self.text(column)
        if text is None:
            return None
        if text == "today":
            return today
        if text[0] in "+-" and text.endswith("d"):
            try:
                return today + timedelta(days=int(text[:-1]))
            except ValueError:
                pass
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.fail(column, f"{text!r} is not a date (use 2026-03-01, +30d or today)") from None

    def choice(self, column: str, allowed: Iterable[str], default: str | None = None) -> str:
        text = (self.text(column) or default or "").lower()
        options = tuple(allowed)
        if text not in options:
            raise self.fail(column, f"{text!r} is not one of {', '.join(options)}")
        return text


def read_source(path: Path) -> dict[str, list[Row]]:
    """Rows per table name from a directory of CSV files, one CSV file, or one JSON file."""
    if not path.exists():
        raise ImportDataError(f"{path} does not exist")
    if path.is_dir():
        tables: dict[str, list[Row]] = {}
        for name in NAMES:
            for candidate in (path / f"{name}.csv", path / f"{name}.json"):
                if candidate.exists():
                    tables.update(read_source(candidate))
        if not tables:
            raise ImportDataError(f"{path} holds none of {', '.join(n + '.csv' for n in ORDER)}")
        return tables
    text = _utf8_text(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportDataError(f"{path}: not valid JSON ({exc})") from exc
        shape = (
            f"a JSON file is one object with a list of rows (objects) per table ({', '.join(NAMES)}), "
            "or a list of rows in a file named after its table (items.json)"
        )
        if isinstance(data, list):
            if path.stem not in NAMES:
                raise ImportDataError(f"{path}: a list of rows, but '{path.stem}' is no table name: {shape}")
            data = {path.stem: data}
        if not isinstance(data, dict):
            raise ImportDataError(f"{path}: {shape}")
        unknown = set(data) - set(NAMES)
        if unknown:
            raise ImportDataError(f"{path}: unknown section(s) {sorted(unknown)}; known: {', '.join(NAMES)}")
        for name, rows in data.items():
            if not isinstance(rows, list):
                raise ImportDataError(
                    f"{path}: {name} must be a list of rows (objects), not {type(rows).__name__}"
                )
            for i, r in enumerate(rows):
                if not isinstance(r, dict):
                    raise ImportDataError(
                        f"{path}: {name} row {i + 1} must be an object of column: value, not {json.dumps(r)}"
                    )
        return {
            name: [Row(f"{path.name}:{name}", i + 1, dict(r)) for i, r in enumerate(rows)]
            for name, rows in data.items()
        }
    if path.stem not in NAMES:
        raise ImportDataError(
            f"{path.name}: name the file after its table: {', '.join(n + '.csv' for n in NAMES)}"
        )
    reader = csv.DictReader(io.StringIO(text))
    return {path.stem: [Row(path.name, i + 2, dict(r)) for i, r in enumerate(reader)]}


def _utf8_text(path: Path) -> str:
    """The file's text; a file that is not UTF-8 is named with what it probably is instead."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            what = "it is UTF-16, as Excel's 'Unicode text' saves"
        else:
            what = f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8"
        raise ImportDataError(
            f"{path.name} is not UTF-8 text ({what}): save it as 'CSV UTF-8' and import again"
        ) from None


def import_tables(
    conn: Connection,
    tables: dict[str, list[Row]],
    *,
    today: date | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Write the rows in dependency order inside the caller's transaction; counts per table."""
    today = today or datetime.now(UTC).date()
    central_only = [name for name in CENTRAL_ONLY if tables.get(name)]
    if central_only:
        raise ImportDataError(
            f"{', '.join(central_only)} are kept on central: import them with `lotscan central import`"
        )
    counts: dict[str, int] = {}
    for name in ORDER:
        rows = tables.get(name, [])
        loader = LOADERS[name]
        for row in rows:
            loader(conn, row, today)
        counts[name] = len(rows)
        if progress:
            progress(name, len(rows))
    return counts


def _upsert(conn: Connection, table: Table, key: dict[str, Any], values: dict[str, Any]) -> int:
    where = [table.c[k] == v for k, v in key.items()]
    found = conn.execute(select(table.c.id).where(*where)).scalar()
    if found is not None:
        conn.execute(update(table).where(table.c.id == found).values(**values))
        return int(found)
    inserted = conn.execute(insert(table).values(**key, **values)).inserted_primary_key
    assert inserted is not None  # an INSERT of one row always has its key
    return int(inserted[0])


def _id_of(conn: Connection, table: Table, column: str, value: str, row: Row, label: str) -> int:
    found = conn.execute(select(table.c.id).where(table.c[column] == value)).scalar()
    if found is None:
        raise row.fail(label, f"{value!r} is not known; import it first (or fix the code)")
    return int(found)


def _gln(row: Row, column: str = "gln") -> str | None:
    gln = row.text(column)
    if gln is None:
        return None
    if not (gln.isdigit() and len(gln) == 13):
        raise row.fail(column, f"{gln!r} is not a GLN (13 digits)")
    if gs1_check_digit(gln[:-1]) != int(gln[-1]):
        raise row.fail(column, f"{gln!r} has a wrong check digit (GS1 mod 10)")
    return gln


def _parties(conn: Connection, row: Row, today: date) -> None:
    _upsert(
        conn,
        Party.__table__,
        {"code": row.text("code", required=True)},
        {
            "kind": row.choice("kind", PARTY_KINDS),
            "name": row.text("name", required=True),
            **{f: row.text(f) for f in ("street", "city", "postal_code", "country", "phone", "ffrn")},
            "gln": _gln(row),
        },
    )


def _sites(conn: Connection, row: Row, today: date) -> None:
    time_zone = row.text("time_zone") or "UTC"
    try:
        check_time_zone(time_zone)
    except ValueError as exc:
        raise row.fail("time_zone", str(exc)) from None
    _upsert(
        conn,
        Site.__table__,
        {"code": row.text("code", required=True)},
        {"name": row.text("name") or "", "gln": row.text("gln"), "time_zone": time_zone},
    )


def _locations(conn: Connection, row: Row, today: date) -> None:
    site = _id_of(conn, Site.__table__, "code", row.text("site", required=True) or "", row, "site")
    _upsert(
        conn,
        Location.__table__,
        {"code": row.text("code", required=True)},
        {
            "site_id": site,
            "gln": row.text("gln"),
            "name": row.text("name") or "",
            "pickable": row.flag("pickable", True),
            "is_hold": row.flag("is_hold", False),
        },
    )


def _items(conn: Connection, row: Row, today: date) -> None:
    gtin = row.text("gtin")
    if gtin is not None:
        if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
            raise row.fail("gtin", f"{gtin!r} is not a GTIN (8, 12, 13 or 14 digits)")
        if gs1_check_digit(gtin[:-1]) != int(gtin[-1]):
            raise row.fail(
                "gtin",
                f"{gtin!r} has a wrong check digit: the last digit should be {gs1_check_digit(gtin[:-1])}",
            )
        gtin = gtin.zfill(14)
    _upsert(
        conn,
        Item.__table__,
        {"code": row.text("code", required=True)},
        {
            "gtin": gtin,
            "description": row.text("description") or "",
            "unit": row.text("unit") or "EA",
            "lot_tracked": row.flag("lot_tracked", True),
            "expiry_required": row.flag("expiry_required", True),
            "shelf_life_days": row.integer("shelf_life_days"),
            "min_remaining_days": row.integer("min_remaining_days"),
            "receive_status": row.choice("receive_status", ("released", "quarantine"), "released"),
            **_pack(row),
        },
    )


def _pack(row: Row) -> dict[str, Any]:
    """pack_size and pack_unit: both or neither; the size is a positive amount of the item's unit."""
    size = row.number_("pack_size")
    pack_unit = row.text("pack_unit")
    if size is None:
        if pack_unit is not None:
            raise row.fail(
                "pack_size", f"is empty but pack_unit is {pack_unit!r}: give how much one {pack_unit} holds"
            )
        return {"pack_size": None, "pack_unit": None}
    if size <= 0:
        raise row.fail("pack_size", f"{size:g} is not a pack size: give what one trade unit holds, above 0")
    if pack_unit is None:
        raise row.fail("pack_unit", f"is empty: name the trade unit that holds {size:g} (e.g. SACK, CASE)")
    if len(pack_unit) > 16:
        raise row.fail("pack_unit", f"{pack_unit!r} is longer than 16 characters")
    return {"pack_size": size, "pack_unit": pack_unit.upper()}


def _operators(conn: Connection, row: Row, today: date) -> None:
    pin = row.text("pin")
    values: dict[str, Any] = {
        "name": row.text("name") or "",
        "role": row.choice("role", ROLES, "operator"),
    }
    if pin:
        if len(pin) < MIN_PIN_LENGTH:
            raise row.fail("pin", f"is {len(pin)} character(s): a PIN has at least {MIN_PIN_LENGTH}, "
                           "a shorter one is guessed at the first tries")  # fmt: skip
        values["pin_hash"] = hash_pin(pin)
    site = row.text("site")
    if site == EVERY_SITE:
        site = None  # company-wide: stored as no home site
    elif site is not None:
        _id_of(conn, Site.__table__, "code", site, row, "site")  # a site that exists
    values["site"] = site
    _upsert(conn, Operator.__table__, {"badge": row.text("badge", required=True)}, values)


def _lot_code(row: Row, *, required: bool) -> str | None:
    """A lot code a GS1 label can carry, AI (10): 1 to 20 characters of set 82 (tester tz, Z8: a
    lot of 26 characters was imported, prompted by FEFO, and could be neither scanned nor
    labelled)."""
    code = row.text("lot", required=required)
    problem = lot_number_problem(code) if code is not None else None
    if problem is not None:
        raise row.fail("lot", f"{problem} (GS1 AI 10); no barcode or label could carry it")
    return code


def _lots(conn: Connection, row: Row, today: date) -> None:
    item = _id_of(conn, Item.__table__, "code", row.text("item", required=True) or "", row, "item")
    _upsert(
        conn,
        Lot.__table__,
        {"item_id": item, "code": _lot_code(row, required=True)},
        {
            "status": row.choice("status", [s.value for s in LotStatus], "released"),
            "expiry": row.date_("expiry", today),
            "best_before": row.date_("best_before", today),
            "production_date": row.date_("production_date", today),
            "supplier": row.text("supplier"),
            "supplier_lot": row.text("supplier_lot"),
            "received_at": datetime.combine(row.date_("received", today) or today, datetime.min.time()),
        },
    )


def _stock(conn: Connection, row: Row, today: date) -> None:
    item = _id_of(conn, Item.__table__, "code", row.text("item", required=True) or "", row, "item")
    lot = conn.execute(
        select(Lot.id, Lot.received_at).where(Lot.item_id == item, Lot.code == row.text("lot", required=True))
    ).first()
    if lot is None:
        raise row.fail(
            "lot",
            f"lot {row.text('lot')!r} of {row.text('item')!r} is not known; list it in lots first",
        )
    location = _id_of(
        conn, Location.__table__, "code", row.text("location", required=True) or "", row, "location"
    )
    qty = row.number_("qty")
    if qty is None:
        raise row.fail("qty", "is empty; give the quantity on hand")
    table = Stock.__table__
    _upsert(
        conn,
        table,
        {"lot_id": lot[0], "location_id": location},
        {"qty": qty, "received_at": lot[1]},
    )


def _tasks(conn: Connection, row: Row, today: date) -> None:
    item_code = row.text("item")
    location_code = row.text("location")
    _upsert(
        conn,
        Task.__table__,
        {"code": row.text("code", required=True)},
        {
            "kind": row.choice("kind", TASK_KINDS),
            "status": row.choice("status", ("open", "closed"), "open"),
            "partner": row.text("partner"),
            "due": row.date_("due", today),
            "item_id": _id_of(conn, Item.__table__, "code", item_code, row, "item") if item_code else None,
            "planned_qty": row.number_("planned_qty"),
            "line": row.text("line"),
            "location_id": (
                _id_of(conn, Location.__table__, "code", location_code, row, "location")
                if location_code
                else None
            ),
        },
    )


def _task_lines(conn: Connection, row: Row, today: date) -> None:
    task = _id_of(conn, Task.__table__, "code", row.text("task", required=True) or "", row, "task")
    item = _id_of(conn, Item.__table__, "code", row.text("item", required=True) or "", row, "item")
    line_no = row.integer("line_no")
    if line_no is None:
        raise row.fail("line_no", "is empty; number the lines 1, 2, 3 ...")
    sscc = row.text("sscc")
    _upsert(
        conn,
        TaskLine.__table__,
        {"task_id": task, "line_no": line_no},
        {
            "item_id": item,
            "qty_expected": row.number_("qty_expected", 0.0),
            "qty_done": row.number_("qty_done", 0.0),
            "qty_short": row.number_("qty_short", 0.0),
            "lot_code": _lot_code(row, required=False),
            "sscc": sscc.zfill(18) if sscc else None,
        },
    )


LOADERS: dict[str, Callable[[Connection, Row, date], None]] = {
    "parties": _parties,
    "sites": _sites,
    "locations": _locations,
    "items": _items,
    "operators": _operators,
    "lots": _lots,
    "stock": _stock,
    "tasks": _tasks,
    "task_lines": _task_lines,
}
