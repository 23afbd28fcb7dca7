"""Tester tz's findings on the command line (issue 14 walk), each as the user typed it, on a real
cache made from the demo data: Z8, `cache import` took lot codes no barcode can carry, and
`lotscan label` then answered a typed lot with advice about scanning and GS separators; Z6,
`lotscan config` named the default station and no server after enrolment."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import cast

import pytest
from click.testing import CliRunner, Result
from pydantic import BaseModel

from lotscan.cli.main import cli
from lotscan.settings.schema import StationFile
from tests.central.processes import Server, free_port

DEMO = Path(__file__).resolve().parents[3] / "config" / "demo"
TOO_LONG = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def lotscan(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def demo_cache(tmp_path: Path) -> Path:
    database = tmp_path / "station.db"
    imported = lotscan("cache", "import", str(DEMO), "--db", str(database))
    assert imported.exit_code == 0, imported.output
    return database


def lot_codes(database: Path) -> set[str]:
    with sqlite3.connect(database) as conn:
        return {code for (code,) in conn.execute("SELECT code FROM lots")}


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (TOO_LONG, "has 26 characters; GS1 allows 20"),
        ("é", "outside GS1 character set 82"),
        ("BAD LOT", "outside GS1 character set 82"),
    ],
    ids=["26-characters", "accented", "space"],
)
def test_z8_an_import_refuses_a_lot_code_no_label_can_carry(tmp_path: Path, code: str, said: str) -> None:
    """Z8: `lots.csv` with lot ABCDEFGHIJKLMNOPQRSTUVWXYZ, é or 'BAD LOT' was imported (exit 0):
    a lot in stock, named by FEFO prompts, that no scan can read and no label carry."""
    database = demo_cache(tmp_path)
    before = lot_codes(database)
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "lots.csv").write_text(
        f"item,lot,status,expiry\nFLOUR-T55,FL-GOOD,released,+10d\nFLOUR-T55,{code},released,+10d\n",
        encoding="utf-8",
    )
    refused = lotscan("cache", "import", str(upload / "lots.csv"), "--db", str(database))
    assert refused.exit_code == 1, refused.output
    assert "lots.csv row 3, column 'lot'" in refused.stderr and said in refused.stderr, refused.stderr
    assert "Nothing was imported" in refused.stderr and "Traceback" not in refused.output
    assert lot_codes(database) == before  # all or nothing: FL-GOOD of row 2 is not there either


def test_z8_an_asn_line_expecting_such_a_lot_is_refused_too(tmp_path: Path) -> None:
    database = demo_cache(tmp_path)
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "task_lines.csv").write_text(
        f"task,line_no,item,qty_expected,lot\nASN-1001,9,FLOUR-T55,10,{TOO_LONG}\n", encoding="utf-8"
    )
    refused = lotscan("cache", "import", str(upload / "task_lines.csv"), "--db", str(database))
    assert refused.exit_code == 1, refused.output
    assert "task_lines.csv row 2, column 'lot'" in refused.stderr and "GS1 allows 20" in refused.stderr


def test_z8_central_import_refuses_such_a_lot_as_the_station_does(tmp_path: Path) -> None:
    upload = tmp_path / "demo"
    shutil.copytree(DEMO, upload)
    with (upload / "lots.csv").open("a", encoding="utf-8") as lots:
        lots.write(f"FLOUR-T55,{TOO_LONG},released,,,,\n")
    header = (upload / "lots.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.count(",") == 6, header  # the appended row has the file's columns
    central = tmp_path / "central.db"
    refused = lotscan("central", "import", str(upload), "--db", f"sqlite:///{central}")
    assert refused.exit_code != 0, refused.output
    assert "column 'lot'" in refused.output and "GS1 allows 20" in refused.output, refused.output
    assert "Traceback" not in refused.output


def test_z8_label_of_such_a_lot_already_in_a_cache_names_the_gs1_limit(tmp_path: Path) -> None:
    """A cache imported before the import refused such codes still holds them: `lotscan label`
    said "Label not readable as GS1 ... A GS separator is probably missing after it. Scan the
    label again", though nobody scanned anything."""
    database = demo_cache(tmp_path)
    with sqlite3.connect(database) as conn:  # as an older import left it
        conn.execute(
            "INSERT INTO lots (item_id, code, status, received_at) "
            "SELECT id, ?, 'released', '2026-11-01 00:00:00' FROM items WHERE code = 'FLOUR-T55'",
            (TOO_LONG,),
        )
    refused = lotscan("label", TOO_LONG, "-o", str(tmp_path / "long.png"), "--db", str(database))
    assert refused.exit_code == 1, refused.output
    said = " ".join(refused.output.split())
    assert "has 26 characters; GS1 allows 20" in said and "cannot go on a GS1 label" in said, said
    assert "separator" not in said and "Scan the label" not in said, said
    assert not (tmp_path / "long.png").exists()


def test_z6_config_names_the_station_and_the_server_central_gave_at_enrolment(tmp_path: Path) -> None:
    """Z6: after `lotscan enroll` (enrolled as PLANT1-ST01, sync talking to central) `lotscan
    config` still said `id = "ST-01"  # default` and `server_url = null`: it is where a supervisor
    looks for the station's name and server (issue 14: one station name everywhere)."""
    central = f"sqlite:///{tmp_path / 'central.db'}"
    assert lotscan("central", "import", str(DEMO), "--db", central).exit_code == 0
    added = lotscan("central", "station", "add", "--site", "PLANT1", "--db", central)
    assert added.exit_code == 0, added.output
    code = added.output.split("enrolment code: ")[1].split()[0]
    database = demo_cache(tmp_path)
    server = Server(central, free_port(), tmp_path / "central.log")
    server.start()
    try:
        enrolled = lotscan("enroll", "--server", server.url, "--code", code, "--db", str(database))
    finally:
        server.stop()
    assert enrolled.exit_code == 0 and "PLANT1-ST01" in enrolled.output, enrolled.output

    shown = lotscan("config", "--db", str(database))
    assert shown.exit_code == 0, shown.output
    lines = [" ".join(line.split()) for line in shown.output.splitlines()]
    assert f'id = "PLANT1-ST01" # enrolled at central ({database})' in lines, shown.output
    assert f'server_url = "{server.url}" # enrolled at central ({database})' in lines, shown.output
    assert 'site = "PLANT1" # enrolled at central' in " ".join(lines), shown.output
    as_json = json.loads(lotscan("config", "--json", "--db", str(database)).output)
    assert (as_json["station"]["id"], as_json["station"]["server_url"]) == ("PLANT1-ST01", server.url)
    assert as_json["origins"]["station.id"].startswith("enrolled at central")

    before = lotscan("config", "--db", str(tmp_path / "not-enrolled.db"))  # no cache: the file's or defaults
    assert 'id = "ST-01" # default' in [" ".join(line.split()) for line in before.output.splitlines()]


def test_z9h_label_help_says_a_held_or_quarantined_lot_needs_no_force() -> None:
    """Z9h: `--force  Label an expired, held or quarantined lot anyway`, while a held or
    quarantined lot is labelled, marked first, without it (eb91ad3)."""
    said = " ".join(lotscan("label", "--help").output.split())
    force = said.split("--force", 1)[1].split("--", 1)[0]
    assert "held or quarantined lot needs no --force" in said, force
    assert "expired, held or quarantined lot anyway" not in said, force


def test_z9d_the_example_settings_name_every_setting(tmp_path: Path) -> None:
    """Z9d: `split_label_window_s` was in docs/station.md only, not in the example `lotscan config
    init` writes, where a supervisor looks for what can be set. Every key of every table the
    settings file takes is in the example, set or commented out, in its table."""
    written = tmp_path / "station.toml"
    assert lotscan("config", "init", "--path", str(written)).exit_code == 0
    text = written.read_text(encoding="utf-8")
    for table, field in StationFile.model_fields.items():
        if table == "devices":  # [[devices]]: one table per device, shown commented out
            assert "# [[devices]]" in text
            continue
        section = text.split(f"[{table}]\n", 1)[1].split("\n[", 1)[0]
        for key in cast(type[BaseModel], field.annotation).model_fields:
            named = re.search(rf"^(# )?{key} = ", section, re.MULTILINE) or f"[{table}.{key}]" in text
            assert named, f"[{table}] {key} is not in the example settings"
    shown = lotscan("config", "--config", str(written))
    assert "split_label_window_s = 3.0    # file" in shown.output, shown.output


def test_z9f_lookups_are_not_counted_as_accepted(tmp_path: Path) -> None:
    """Z9f: `lotscan scan ... -w lookup --json` said "verdict": "ACCEPTED" where the human line and
    the station say NOT RECORDED, and a batch of lookups read "4 scans: 2 accepted, 1 warnings, 1
    rejected (MALFORMED_GS1 x1, LOT_RECALLED x1)", the recalled lot's code among the refusals."""
    database = demo_cache(tmp_path)
    looked_up = json.loads(lotscan("scan", "(01)09521234001348(10)FG3526E", "-w", "lookup", "--json",
                                   "--db", str(database)).output)  # fmt: skip
    assert (looked_up["recorded"], looked_up["said"]) == (False, "NOT RECORDED"), looked_up
    picked = lotscan("scan", "(01)09521234001348(10)FG3526E", "-w", "pick", "--task", "PL-4001",
                     "--operator", "1003", "--json", "--db", str(database))  # fmt: skip
    assert json.loads(picked.output)["recorded"] is True and json.loads(picked.output)["said"] == "ACCEPTED"

    upload = tmp_path / "lookups.txt"
    upload.write_text(
        "(01)09521234001348(10)FG3526E\nLOC:RM-A01\ngarbage\n(01)19521234001017(10)FLO3961E\n",
        encoding="utf-8",
    )
    batch = lotscan("scan", "--file", str(upload), "-w", "lookup", "--db", str(database))
    summary = batch.stdout.strip().splitlines()[-1]
    assert summary == (
        "4 scans: 0 accepted, 0 warnings, 1 rejected (MALFORMED_GS1 x1), 3 not recorded (LOT_RECALLED x1)"
    ), batch.stdout
    as_json = lotscan("scan", "--file", str(upload), "-w", "lookup", "--json", "--db", str(database))
    counted = json.loads(as_json.stdout.strip().splitlines()[-1])["summary"]
    assert (counted["ACCEPTED"], counted["WARNING"], counted["REJECTED"], counted["NOT RECORDED"]) == (
        0,
        0,
        1,
        3,
    )


@pytest.mark.parametrize(
    ("task", "said"),
    [
        ("ASN:ASN-1001", "ASN ASN-1001 (open), 3 line(s)."),
        ("PO:PO-2001", "PO PO-2001 (open)"),
        ("WO:WO-3001", "Work order WO-3001 (open)"),
        ("PL:PL-4001", "Pick list PL-4001 (open)"),
        ("SHP:SHP-5001", "Shipment SHP-5001 (open)"),
    ],
)
def test_z9n_a_task_looked_up_is_named_as_people_say_it(tmp_path: Path, task: str, said: str) -> None:
    """Z9n: `lotscan scan ASN:ASN-1001 -w lookup` said "Asn ASN-1001 (open), 3 line(s).", and a
    work order "Work Order"."""
    looked_up = lotscan("scan", task, "-w", "lookup", "--db", str(demo_cache(tmp_path)))
    assert looked_up.exit_code == 0, looked_up.output
    assert said in looked_up.output, looked_up.output
