"""AI 30 is a count of trade units (GS1 General Specifications 3.2, AI (30): "the quantity of
items contained", a count, not a weight). Issue 14: "`(30)100` on a 25 kg sack item is recorded
as '100 KG'." The user imports an item master with pack sizes and scans labels, on a real cache
through the commands a user runs (`lotscan cache import`, `lotscan scan`)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from lotscan.cli.main import cli
from lotscan.services.importer import ImportDataError, import_tables, read_source
from lotscan.store.db import open_cache
from lotscan.store.rows.readers import read_item
from lotscan.store.rows.writers import write_item
from lotscan.store.schema import Event, Item
from tests.plant import write_plant

OATS = "19521234001116"  # a 25 kg sack, kept in KG, pack size 25 SACK
SALT = "19521234001130"  # kept in KG, no pack size in the master data
ITEMS = (
    "code,gtin,description,unit,pack_size,pack_unit\n"
    f"OATS,{OATS},Rolled oats 25 kg sack,KG,25,sack\n"
    f"SALT,{SALT},Fine salt,KG,,\n"
)
LINES = "task,line_no,item,qty_expected\nASN-1,3,OATS,5000\nASN-1,4,SALT,500\n"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    database = tmp_path / "station.db"
    (tmp_path / "items.csv").write_text(ITEMS, encoding="utf-8")
    (tmp_path / "task_lines.csv").write_text(LINES, encoding="utf-8")
    for source in (write_plant(tmp_path), tmp_path / "items.csv", tmp_path / "task_lines.csv"):
        result = CliRunner().invoke(cli, ["cache", "import", str(source), "--db", str(database)])
        assert result.exit_code == 0, result.output
    return database


def receive(db: Path, label: str, *extra: str) -> dict[str, object]:
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            label,
            "-w",
            "receive",
            "--task",
            "ASN-1",
            "--operator",
            "100",
            "--db",
            str(db),
            "--json",
            *extra,
        ],
    )
    answer: dict[str, object] = json.loads(result.output)
    return answer


def recorded(db: Path) -> list[dict[str, object]]:
    engine = open_cache(db)
    with engine.connect() as conn:
        payloads = [json.loads(p) for p in conn.execute(select(Event.payload).order_by(Event.seq)).scalars()]
    engine.dispose()
    return payloads


def ahead() -> str:
    return (date.today() + timedelta(days=300)).strftime("%y%m%d")


def test_a_count_of_sacks_on_a_kg_item_is_recorded_in_kg_and_the_message_says_both(db: Path) -> None:
    answer = receive(db, f"(01){OATS}(17){ahead()}(10)OAT-1(30)100")
    assert answer["verdict"] == "ACCEPTED", answer
    assert "Received 100 SACK = 2,500 KG of lot OAT-1" in str(answer["message"])
    (event,) = recorded(db)
    assert (event["qty"], event["unit"]) == (2500.0, "KG")


def test_a_count_on_a_kg_item_without_pack_size_asks_for_the_quantity(db: Path) -> None:
    asked = receive(db, f"(01){SALT}(17){ahead()}(10)SALT-1(30)100")
    assert asked["verdict"] == "REJECTED"
    assert [r["code"] for r in asked["reasons"]] == ["PACK_SIZE_UNKNOWN"]  # type: ignore[attr-defined, index]
    assert "enter the quantity in KG" in str(asked["message"])
    assert recorded(db) == []  # never "100 KG" for a count of 100
    typed = receive(db, f"(01){SALT}(17){ahead()}(10)SALT-1(30)100", "--qty", "250")
    assert typed["verdict"] == "ACCEPTED", typed
    assert [(e["qty"], e["unit"]) for e in recorded(db)] == [(250.0, "KG")]


def test_a_count_on_an_item_counted_in_its_own_unit_is_that_count(db: Path) -> None:
    answer = receive(db, f"(01)19521234001017(17){ahead()}(10)F-SACKS(30)7")  # plant FLOUR, unit SACK
    assert answer["verdict"] == "ACCEPTED", answer
    assert "Received 7 SACK of lot F-SACKS" in str(answer["message"])
    assert [(e["qty"], e["unit"]) for e in recorded(db)] == [(7.0, "SACK")]


def test_a_net_weight_in_kg_stays_a_weight(db: Path) -> None:
    answer = receive(db, f"(01){SALT}(17){ahead()}(10)SALT-2(3102)002550")
    assert answer["verdict"] == "ACCEPTED", answer
    assert [(e["qty"], e["unit"]) for e in recorded(db)] == [(25.5, "KG")]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("X1,,Salt,KG,0,SACK", "column 'pack_size': 0 is not a pack size"),
        ("X1,,Salt,KG,,SACK", "column 'pack_size': is empty but pack_unit is 'SACK'"),
        ("X1,,Salt,KG,25,", "column 'pack_unit': is empty: name the trade unit that holds 25"),
        ("X1,,Salt,KG,-3,SACK", "column 'pack_size': '-3' is not a quantity"),
    ],
)
def test_the_importer_refuses_a_half_or_wrong_pack_size(tmp_path: Path, row: str, problem: str) -> None:
    (tmp_path / "items.csv").write_text("code,gtin,description,unit,pack_size,pack_unit\n" + row + "\n")
    engine = open_cache(tmp_path / "station.db")
    with pytest.raises(ImportDataError, match=problem), engine.begin() as conn:
        import_tables(conn, read_source(tmp_path / "items.csv"))
    engine.dispose()


def test_the_pack_size_travels_in_the_sync_row(db: Path, tmp_path: Path) -> None:
    engine = open_cache(db)
    with engine.connect() as conn:
        row, _site = read_item(conn, ("item", "OATS"))
    assert row is not None and (row["pack_size"], row["pack_unit"]) == (25.0, "SACK")
    other = open_cache(tmp_path / "other.db")
    with other.begin() as conn:
        write_item(conn, ("item", "OATS"), {**row, "gtin": None})
        stored = conn.execute(select(Item.pack_size, Item.pack_unit).where(Item.code == "OATS")).one()
    assert tuple(stored) == (25.0, "SACK")
    engine.dispose()
    other.dispose()
