"""The headless commands as a user runs them: real console script, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lotscan.cli.main import cli
from tests.plant import COOKIE, FLOUR, SUGAR, write_plant

LOTSCAN = str(Path(sys.executable).with_name("lotscan"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    database = tmp_path / "station.db"
    result = CliRunner().invoke(cli, ["cache", "import", str(write_plant(tmp_path)), "--db", str(database)])
    assert result.exit_code == 0, result.output
    assert "imported into" in result.output
    return database


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([LOTSCAN, *args], capture_output=True, text=True, input=stdin, env=env, check=False)


def test_scan_json_has_the_documented_keys_and_exit_codes(db: Path) -> None:
    ok = run(
        "scan",
        f"(01){SUGAR}(10)S-1",
        "-w",
        "consume",
        "--task",
        "WO:WO-1",
        "--qty",
        "3",
        "--operator",
        "OP:100",
        "--db",
        str(db),
        "--json",
    )
    assert ok.returncode == 0, ok.stderr
    answer = json.loads(ok.stdout)
    assert {"verdict", "reasons", "message", "event_ids", "suggestion"} <= set(answer)
    assert answer["verdict"] == "ACCEPTED" and len(answer["event_ids"]) == 1

    refused = run(
        "scan",
        f"(01){FLOUR}(10)F-HOLD",
        "-w",
        "consume",
        "--task",
        "WO-1",
        "--operator",
        "100",
        "--db",
        str(db),
        "--json",
    )
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["reasons"][0]["code"] == "LOT_ON_HOLD"


def test_gs_escapes_work_on_the_command_line(db: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            f"]C101{SUGAR}\\x1d10S-1",
            "-w",
            "lookup",
            "--db",
            str(db),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["details"]["lot"] == "S-1"


def test_usage_errors_exit_2_with_a_clear_message(db: Path) -> None:
    unknown = run("scan", "x", "-w", "teleport", "--db", str(db))
    assert unknown.returncode == 2
    assert "teleport" in unknown.stderr and "receive" in unknown.stderr
    neither = run("scan", "-w", "pick", "--db", str(db))
    assert neither.returncode == 2 and "DATA or --file" in neither.stderr


def test_missing_and_corrupt_databases_are_explained(tmp_path: Path) -> None:
    missing = run("scan", "x", "-w", "lookup", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 1
    assert "no station cache" in missing.stderr and "cache import" in missing.stderr
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"garbage" * 500)
    damaged = run("scan", "x", "-w", "lookup", "--db", str(broken))
    assert damaged.returncode == 1 and "not a usable lotscan cache" in damaged.stderr
    assert broken.read_bytes() == b"garbage" * 500


def test_unknown_task_is_named(db: Path) -> None:
    result = run(
        "scan",
        f"(01){FLOUR}(10)F-EARLY",
        "-w",
        "pick",
        "--task",
        "PL-404",
        "--operator",
        "100",
        "--db",
        str(db),
    )
    assert result.returncode == 1
    assert "PL-404 does not exist" in result.stdout


def test_batch_file_reports_progress_and_a_summary(db: Path, tmp_path: Path) -> None:
    batch = tmp_path / "upload.txt"
    batch.write_text(
        "# morning receipts\n"
        f"(01){FLOUR}(17)301231(10)F-B1(30)10\n"
        f"(01){FLOUR}(17)301231(10)F-B1(30)10\n"
        "\n"
        f"(01){COOKIE}(17)301231(10)C-9(30)1\n"
        "garbage\n",
        encoding="utf-8",
    )
    result = run(
        "scan", "--file", str(batch), "-w", "receive", "--task", "ASN-1", "--operator", "100", "--db", str(db)
    )
    assert result.returncode == 1
    assert "4 scans: 2 accepted, 0 warnings, 2 rejected" in result.stdout
    assert "line 5:" in result.stderr and "line 6:" in result.stderr
    again = run("scan", f"(01){FLOUR}(10)F-B1", "-w", "lookup", "--db", str(db), "--json")
    assert json.loads(again.stdout)["details"]["total"] == 20


def test_a_batch_line_that_is_not_utf8_is_named_and_the_rest_is_judged(db: Path, tmp_path: Path) -> None:
    """A batch scanner's upload with a Latin-1 byte: that line is named and skipped, no traceback."""
    batch = tmp_path / "upload.txt"
    batch.write_bytes(
        f"(01){FLOUR}(17)301231(10)F-B1(30)10\n".encode()
        + b"\x00\xff\xfe\n"
        + f"(01){FLOUR}(17)301231(10)F-B2(30)5\n".encode()
    )
    result = run(
        "scan", "--file", str(batch), "-w", "receive", "--task", "ASN-1", "--operator", "100", "--db", str(db)
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert "line 2: REJECTED not text (byte 0xff at column 2 is not UTF-8); skipped" in result.stderr
    assert "3 scans: 2 accepted, 0 warnings, 1 rejected" in result.stdout
    for lot, total in (("F-B1", 10), ("F-B2", 5)):
        again = run("scan", f"(01){FLOUR}(10){lot}", "-w", "lookup", "--db", str(db), "--json")
        assert json.loads(again.stdout)["details"]["total"] == total


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("d6.json", '{"items": "nope"}', "items must be a list of rows (objects), not str"),
        ("d7.json", '{"items": [1, 2]}', "items row 1 must be an object of column: value, not 1"),
        (
            "d8.json",
            "[1, 2]",
            "a list of rows, but 'd8' is no table name: a JSON file is one object with a list of rows",
        ),
    ],
)
def test_a_json_import_whose_table_is_not_a_list_of_objects_is_refused(
    tmp_path: Path, name: str, content: str, said: str
) -> None:
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    database = tmp_path / "c.db"
    result = run("cache", "import", str(source), "--db", str(database))
    assert "Traceback" not in result.stderr
    assert result.returncode == 1 and f"{source}: {said}" in result.stderr, result.stderr
    assert "imported into" not in result.stdout


def test_import_errors_name_file_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("code,gtin\nA,123\n", encoding="utf-8")
    result = run("cache", "import", str(tmp_path / "items.csv"), "--db", str(tmp_path / "c.db"))
    assert result.returncode == 1
    assert "items.csv row 2, column 'gtin'" in result.stderr and "Nothing was imported" in result.stderr


@pytest.mark.parametrize("qty", ["NaN", "inf", "1e999", "-3"])
def test_an_impossible_stock_quantity_stops_the_import_with_its_row(tmp_path: Path, qty: str) -> None:
    """The import refuses what central's push refuses: a quantity on hand is finite and >= 0."""
    demo = Path(__file__).resolve().parents[3] / "config" / "demo"
    plant = tmp_path / "plant"
    plant.mkdir()
    for name in ("sites.csv", "locations.csv", "items.csv", "lots.csv"):
        (plant / name).write_bytes((demo / name).read_bytes())
    (plant / "stock.csv").write_text(f"item,lot,location,qty\nFLOUR-T55,FLO3471A,RM-A02,{qty}\n")
    result = run("cache", "import", str(plant), "--db", str(tmp_path / "c.db"))
    assert result.returncode == 1, result.stdout
    assert "stock.csv row 2, column 'qty'" in result.stderr and "Traceback" not in result.stderr


def test_an_item_gtin_with_a_wrong_check_digit_is_refused(tmp_path: Path) -> None:
    """GS1 General Specifications 7.9.1: the last digit of a GTIN is its check digit."""
    (tmp_path / "items.csv").write_text("code,gtin\nA,12345678901234\n", encoding="utf-8")
    result = run("cache", "import", str(tmp_path / "items.csv"), "--db", str(tmp_path / "c.db"))
    assert result.returncode == 1
    assert "column 'gtin'" in result.stderr and "check digit" in result.stderr


def test_config_shows_effective_settings_from_file(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text(
        '[station]\nid = "DOCK-7"\ndatabase = "dock.db"\n[policy.levels]\nNOT_FEFO = "REJECTED"\n',
        encoding="utf-8",
    )
    result = run("config", "--config", str(config), "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["station"]["id"] == "DOCK-7"
    assert shown["station"]["database"] == str(tmp_path / "dock.db")
    assert shown["policy"]["levels"]["NOT_FEFO"] == "REJECTED"
    config.write_text("[policy.levels]\nNOT_FEFO = 'sometimes'\n", encoding="utf-8")
    bad = run("config", "--config", str(config))
    assert bad.returncode == 2 and "use WARNING, REJECTED or ACCEPTED" in bad.stderr


def test_the_example_config_loads() -> None:
    example = Path(__file__).resolve().parents[3] / "config" / "station.toml"
    result = run("config", "--config", str(example), "--json")
    assert result.returncode == 0, result.stderr


def test_interactive_demo_signs_in_and_picks_with_fefo(tmp_path: Path) -> None:
    lines = "\n".join(["OP:1003", "PL:PL-4001", "/qty 1", "garbage-label", "/help"]) + "\n"
    result = run("demo", "--headless", stdin=lines)
    assert result.returncode == 0, result.stderr
    assert "Signed in: Carla Picker" in result.stdout
    assert "Pick on PL-4001" in result.stdout
    assert "next: line 1" in result.stdout
    assert "REJECTED" in result.stdout
    assert "/mode NAME" in result.stdout


def test_override_on_the_command_line_needs_a_real_supervisor(db: Path) -> None:
    late = f"(01){FLOUR}(10)F-LATE"
    common = [
        "scan",
        late,
        "-w",
        "pick",
        "--task",
        "PL-1",
        "--qty",
        "1",
        "--operator",
        "100",
        "--db",
        str(db),
    ]
    by_operator = run(*common, "--override", "CUSTOMER_REQUEST", "--approved-by", "100")
    assert by_operator.returncode == 1 and "not a supervisor" in by_operator.stderr
    negative = run(*common[:-4], "--qty", "-3", "--operator", "100", "--db", str(db))
    assert negative.returncode == 2 and "-3" in negative.stderr
    approved = run(*common, "--override", "CUSTOMER_REQUEST", "--approved-by", "OP:900", "--json")
    assert approved.returncode == 0, approved.stderr
    assert json.loads(approved.stdout)["verdict"] == "WARNING"


def test_badges_and_task_codes_may_carry_their_prefix_in_any_case(db: Path) -> None:
    result = run(
        "scan",
        f"(01){SUGAR}(10)S-1",
        "-w",
        "consume",
        "--task",
        "wo:WO-1",
        "--qty",
        "1",
        "--operator",
        "op:100",
        "--db",
        str(db),
        "--json",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["verdict"] == "ACCEPTED"
