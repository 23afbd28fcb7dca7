"""The UI never touches SQL or device I/O itself: no station module imports them directly."""

from __future__ import annotations

import ast
from pathlib import Path

STATION = Path(__file__).resolve().parents[2] / "src" / "lotscan" / "station"
FORBIDDEN = ("sqlalchemy", "sqlite3", "lotscan.store", "serial", "evdev", "httpx", "lotscan.cli")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_station_modules_import_no_sql_or_device_io() -> None:
    offenders = {
        f"{path.relative_to(STATION)}: {name}"
        for path in STATION.rglob("*.py")
        for name in imported(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not offenders
