"""Writing tables to CSV and XLSX: one header row, ISO dates, sortable (no merged cells, no blank
rows, one value per cell). Both stream, so size costs time, not memory.

A CSV cell of text that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, TAB
or CR, OWASP's CSV-injection list) is written with a `'` in front, and so is text that starts with `'`
itself, so the rule reverses exactly: a cell that starts with `'` is the value with one `'` removed.
Codes, names and reasons come from stations and partners: a supplier named `=HYPERLINK(...)` must
not become a link in the file the FDA or a customer opens (tester W7), and `=1+1` is a legal GS1 lot
number, so refusing such text is not enough. Numbers are written as numbers (`-2` stays `-2`). The
XLSX side writes text as text cells, which a spreadsheet never evaluates."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from lotscan.exports import xlsx

Row = Sequence[Any]


@dataclass
class Sheet:
    title: str
    columns: Sequence[str]
    rows: Iterable[Row]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")  # the last so that the escaping reverses


def csv_cell(value: Any) -> str:
    """A value as a CSV cell a spreadsheet shows as text (see module doc)."""
    text = cell_text(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Row]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        count += 1
    return count


def write_csv_file(path: Path, columns: Sequence[str], rows: Iterable[Row]) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(out, columns, rows)


def write_xlsx(path: Path | IO[bytes], sheets: Sequence[Sheet]) -> dict[str, int]:
    """Dates and times are written as ISO text, so they sort and read the same everywhere."""
    counts = xlsx.write(path, [(s.title, s.columns, s.rows) for s in sheets], other=cell_text)
    return {s.title: n for s, n in zip(sheets, counts, strict=True)}
