"""Tester U24: `lotscan central import` of a CSV with a NUL character gave a traceback on
PostgreSQL and stored the badge on SQLite; the station's `lotscan cache import` stored it too;
a 2-character PIN was imported without a word. Each is refused naming file, row and column, and
nothing is imported, on both databases and in the station cache."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from lotscan.central.db import open_central
from lotscan.cli.main import cli
from lotscan.paths import demo_data_dir
from lotscan.store.schema import Operator


def plant_with_operators(tmp_path: Path, operators: str) -> Path:
    plant = tmp_path / "plant"
    shutil.copytree(demo_data_dir(), plant)
    (plant / "operators.csv").write_text("badge,name,role,pin,site\n" + operators, encoding="utf-8")
    return plant


def operators_at_central(db_url: str) -> int:
    engine = open_central(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Operator)).scalar_one())
    finally:
        engine.dispose()


BAD_ROWS = {
    "nul": ("1001,Alice,operator,,PLANT1\n30\x0001,Eve,operator,1234,PLANT1\n", "row 3, column 'badge'",
            "NUL character"),
    "short pin": ("1001,Alice,operator,,PLANT1\n9002,Ada Admin,admin,12,*\n", "row 3, column 'pin'",
                  "a PIN has at least 4"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_central_import_refuses_the_row_and_imports_nothing(db_url: str, tmp_path: Path, case: str) -> None:
    rows, where, what = BAD_ROWS[case]
    plant = plant_with_operators(tmp_path, rows)
    assert CliRunner().invoke(cli, ["central", "migrate", "--db", db_url]).exit_code == 0
    imported = CliRunner().invoke(cli, ["central", "import", str(plant), "--db", db_url])
    assert imported.exit_code == 1, imported.output
    said = " ".join(imported.output.split())
    assert f"operators.csv {where}" in said and what in said, said
    assert "Nothing was imported" in said and "Traceback" not in said
    assert imported.exception is None or isinstance(imported.exception, SystemExit)
    assert operators_at_central(db_url) == 0


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_the_station_cache_import_refuses_it_too(tmp_path: Path, case: str) -> None:
    rows, where, what = BAD_ROWS[case]
    plant = plant_with_operators(tmp_path, rows)
    cache = tmp_path / "station.db"
    imported = CliRunner().invoke(cli, ["cache", "import", str(plant), "--db", str(cache)])
    assert imported.exit_code == 1, imported.output
    said = " ".join(imported.output.split())
    assert f"operators.csv {where}" in said and what in said and "Nothing was imported" in said, said
    if cache.exists():  # a row refused while reading the files leaves no cache behind at all
        with sqlite3.connect(cache) as conn:
            assert conn.execute("SELECT count(*) FROM operators").fetchone() == (0,)
