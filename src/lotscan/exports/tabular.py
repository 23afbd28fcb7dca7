"""Writing tables to CSV and XLSX: one header row, ISO dates, sortable (no merged cells, no blank
rows, one value per cell). Both stream, so size costs time, not memory."""

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


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Row]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([cell_text(v) for v in row])
        count += 1
    return count


def write_csv_file(path: Path, columns: Sequence[str], rows: Iterable[Row]) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(out, columns, rows)


def write_xlsx(path: Path | IO[bytes], sheets: Sequence[Sheet]) -> dict[str, int]:
    """Dates and times are written as ISO text, so they sort and read the same everywhere."""
    counts = xlsx.write(path, [(s.title, s.columns, s.rows) for s in sheets], other=cell_text)
    return {s.title: n for s, n in zip(sheets, counts, strict=True)}
