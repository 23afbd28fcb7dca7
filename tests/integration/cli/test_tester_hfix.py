"""The independent tester's findings of 2026-11-29 on the command line (TESTER.md numbers),
each as the user typed it, on a real cache: a label that lost a GS separator (#2); and the
findings of tester tw (W4: a move to the place it is taken from; W5: a confirmed lost-separator
reading recorded as a clean scan, and one refused anyway offered for confirmation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.cli.main import cli
from tests.plant import FLOUR, write_plant
from tests.ui.conftest import events_of, payload

# (10) FNEW then (30) 20, the GS between them lost, as the scanner sends it (written out in
# brackets, every AI is named and nothing can have been lost: tester tz, Z10)
LOST = f"01{FLOUR}1730123110FNEW3020"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    database = tmp_path / "station.db"
    assert (
        CliRunner()
        .invoke(cli, ["cache", "import", str(write_plant(tmp_path)), "--db", str(database)])
        .exit_code
        == 0
    )
    return database


def scan(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["scan", *args, "--db", str(db)])


def lots_recorded(db: Path) -> list[tuple[str, str]]:
    return [(e.type, payload(e).get("lot", "")) for e in events_of(create_engine(f"sqlite:///{db}"))]


@pytest.mark.parametrize(
    "how",
    [
        ("-w", "receive", "--task", "ASN-1", "--operator", "100", "--qty", "20"),
        ("-w", "count", "--location", "A1", "--operator", "100", "--qty", "3"),
    ],
    ids=["receive", "count"],
)
def test_a_lost_separator_is_refused_on_the_command_line_unless_confirmed(db: Path, how) -> None:
    """#2: `lotscan scan` recorded lot FNEW3020 with a WARNING, where the station asks first."""
    refused = scan(db, LOST, *how)
    assert refused.exit_code == 1, refused.output
    said = " ".join(refused.output.split())
    assert (
        "SUSPICIOUS_LOT" in said
        and "probably says (01) 19521234001017, (17) 301231, (10) FNEW, (30) 20" in said
    )
    assert "--confirm" in said and "looks wrong (" not in said
    assert lots_recorded(db) == []
    confirmed = scan(db, LOST, *how, "--confirm")
    assert confirmed.exit_code == 0, confirmed.output
    assert "--confirm" in confirmed.output
    assert [lot for _, lot in lots_recorded(db)] == ["FNEW"]


def test_a_lost_separator_in_a_batch_is_refused_line_by_line(db: Path, tmp_path: Path) -> None:
    upload = tmp_path / "upload.txt"
    upload.write_text(f"{LOST}\n(01){FLOUR}(10)F-EARLY\n")
    result = CliRunner().invoke(
        cli, ["scan", "--file", str(upload), "-w", "count", "--location", "A1", "--qty", "1",
              "--operator", "100", "--db", str(db)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "line 1: REJECTED Check the label" in result.output
    assert [lot for _, lot in lots_recorded(db)] == ["F-EARLY"]


@pytest.mark.parametrize(
    ("policy", "said"),
    [
        ('[policy.levels]\nLOT_RECALLED = "ACCEPTED"\n', "LOT_RECALLED is always REJECTED at a station"),
        ('[policy.levels]\nLOT_EXPIRED = "WARNING"\n', "LOT_EXPIRED is always REJECTED at a station"),
        (
            '[policy]\noverridable = ["NOT_FEFO", "LOT_RECALLED", "LOT_ON_HOLD"]\n',
            "policy.overridable lists LOT_ON_HOLD, LOT_RECALLED: no override passes them",
        ),
    ],
    ids=["recalled-accepted", "expired-warning", "recalled-overridable"],
)
def test_settings_cannot_switch_off_the_refusal_of_a_recalled_lot(
    db: Path, tmp_path: Path, policy, said
) -> None:
    """#12: `LOT_RECALLED = "ACCEPTED"` loaded, and a recalled lot was consumed ACCEPTED."""
    settings = tmp_path / "c30.toml"
    settings.write_text(policy)
    shown = CliRunner().invoke(cli, ["config", "--config", str(settings)])
    assert shown.exit_code == 2 and said in shown.output and "c30.toml" in shown.output, shown.output
    consumed = scan(
        db, f"(01){FLOUR}(10)F-RECALL", "-w", "consume", "--task", "WO-1", "--location", "A2", "--qty", "1",
        "--operator", "900", "--override", "SUPERVISOR_APPROVED", "--config", str(settings),
    )  # fmt: skip
    assert consumed.exit_code == 2 and "Traceback" not in consumed.output, consumed.output
    assert lots_recorded(db) == []


def test_a_recalled_lot_may_still_be_said_rejected_in_the_settings(tmp_path: Path) -> None:
    settings = tmp_path / "ok.toml"
    settings.write_text('[policy.levels]\nLOT_RECALLED = "REJECTED"\n')
    assert CliRunner().invoke(cli, ["config", "--config", str(settings)]).exit_code == 0


def test_the_supervisors_badge_as_operator_needs_the_pin_on_the_command_line(tmp_path: Path) -> None:
    """#21: `lotscan scan ... -w hold --operator 9001` held a lot as Sam Supervisor without the
    PIN that the station screen and --approved-by ask for."""
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    hold = ("(01)19521234001017(10)FLO9313B", "-w", "hold", "--reason", "x", "--operator", "9001")
    asked = scan(demo, *hold)
    assert asked.exit_code == 1 and "give your PIN with --pin" in asked.output, asked.output
    wrong = scan(demo, *hold, "--pin", "1000")
    assert wrong.exit_code == 1 and "Wrong PIN" in wrong.output, wrong.output
    assert lots_recorded(demo) == []
    held = scan(demo, *hold, "--pin", "4321")
    assert held.exit_code == 0 and "HOLD" in held.output, held.output
    assert lots_recorded(demo) == [("lot.status_changed", "FLO9313B")]


def test_a_utf16_master_data_file_is_named_not_a_traceback(tmp_path: Path) -> None:
    """#19: Excel's 'Unicode text' (UTF-16) stock.csv crashed both importers with a traceback."""
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "stock.csv").write_bytes(
        ((Path(__file__).parents[3] / "config/demo/stock.csv").read_text()).encode("utf-16")
    )
    station = CliRunner().invoke(
        cli, ["cache", "import", str(folder / "stock.csv"), "--db", str(tmp_path / "f1.db")]
    )
    central = CliRunner().invoke(
        cli, ["central", "import", str(folder), "--db", f"sqlite:///{tmp_path / 'c.db'}"]
    )
    for result in (station, central):
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        said = " ".join(result.output.split())
        assert "stock.csv is not UTF-8 text (it is UTF-16, as Excel's 'Unicode text' saves)" in said, said
        assert "save it as 'CSV UTF-8'" in said and "Nothing was imported" in said and "Traceback" not in said


def test_a_station_id_too_long_for_lot_numbers_is_named_as_the_fix(tmp_path: Path) -> None:
    """#20: a long [station] id was told to use the very pattern that failed with it."""
    settings = tmp_path / "long.toml"
    settings.write_text('[station]\nid = "STATION-NUMBER-0123456789"\n')
    shown = CliRunner().invoke(cli, ["config", "--config", str(settings)])
    said = " ".join(shown.output.split())
    assert shown.exit_code == 2 and "Shorten the station id 'STATION-NUMBER-0123456789'" in said, said
    assert "Shorten it, e.g." not in said


def test_a_batch_summary_counts_a_line_that_is_not_text_in_its_breakdown(db: Path, tmp_path: Path) -> None:
    """#15: '2 scans: ... 2 rejected (MALFORMED_GS1 x1)' left the line that is not UTF-8 out."""
    upload = tmp_path / "upload.txt"
    upload.write_bytes(b"%%garbage%%\n(01)\xe9\n")
    result = CliRunner().invoke(cli, ["scan", "--file", str(upload), "-w", "lookup", "--db", str(db)])
    assert result.exit_code == 1
    assert "2 rejected (" in result.output and "NOT_UTF8 x1" in result.output, result.output


@pytest.mark.parametrize("source", [("--location", "A1"), ()], ids=["source-given", "only-place"])
def test_a_move_to_the_place_it_is_taken_from_is_refused_saying_so(db: Path, source) -> None:
    """W4: `lotscan scan ... -w move --location FG-B01 --to FG-B01 --json` said WRONG_LOCATION
    "Lot {lot} is not recorded at {location}; records show it at {where}", which an override
    could pass. F-EARLY is at A1 only."""
    lot = f"(01){FLOUR}(10)F-EARLY"
    refused = scan(db, lot, "-w", "move", *source, "--to", "A1", "--operator", "900", "--json")
    assert refused.exit_code == 1, refused.output
    said = json.loads(refused.output.splitlines()[0])
    assert said["message"] == "F-EARLY is already at A1: scan where it goes.", said
    assert [r["code"] for r in said["reasons"]] == ["MISSING_CONTEXT"]
    overridden = scan(db, lot, "-w", "move", *source, "--to", "A1", "--operator", "900",
                      "--override", "SUPERVISOR_APPROVED")  # fmt: skip
    assert overridden.exit_code == 1 and "already at A1" in overridden.output, overridden.output
    assert lots_recorded(db) == []
    moved = scan(db, lot, "-w", "move", *source, "--to", "A2", "--operator", "900", "--qty", "5")
    assert moved.exit_code == 0, moved.output
    [event] = events_of(create_engine(f"sqlite:///{db}"))
    assert (payload(event)["from"], payload(event)["to"], payload(event)["qty"]) == ("A1", "A2", 5)


def test_a_confirmed_lost_separator_reading_is_recorded_as_scanned_with_its_warning(db: Path) -> None:
    """W5: the confirmed reading was recorded ACCEPTED, reasons [], with a raw the station had
    rebuilt with GS separators."""
    label = f"01{FLOUR}1730123110FNEW3020"  # no separator at all, as the scanner sent it
    how = ("-w", "receive", "--task", "ASN-1", "--operator", "100", "--json")
    confirmed = scan(db, label, *how, "--confirm")
    assert confirmed.exit_code == 0, confirmed.output
    said = json.loads(confirmed.output.splitlines()[0])
    assert said["verdict"] == "WARNING" and [r["code"] for r in said["reasons"]] == ["SUSPICIOUS_LOT"]
    [event] = events_of(create_engine(f"sqlite:///{db}"))
    assert (payload(event)["lot"], payload(event)["qty"]) == ("FNEW", 20)
    assert (event.raw, event.verdict) == (label, "WARNING")
    [reason] = json.loads(event.reasons)
    assert reason["code"] == "SUSPICIOUS_LOT" and "operator 100 (--confirm) confirmed" in reason["message"]
    assert "lot FNEW3020 as scanned" in reason["message"] and "(10) FNEW, (30) 20" in reason["message"]


@pytest.mark.parametrize(
    ("label", "how", "refused"),
    [
        (LOST, ("-w", "hold", "--reason", "x", "--operator", "900"), "UNKNOWN_LOT"),  # FNEW: no such lot
        (f"01{FLOUR[:-1]}81730123110FNEW3020", ("-w", "receive", "--task", "ASN-1", "--operator", "100"),
         "BAD_CHECK_DIGIT"),
    ],
    ids=["unknown-lot", "bad-check-digit"],
)  # fmt: skip
def test_a_lost_separator_reading_refused_anyway_is_not_offered_for_confirmation(
    db: Path, label, how, refused
) -> None:
    """W5: a label with a wrong check digit was shown "probably says ..., run it again with
    --confirm", and refused BAD_CHECK_DIGIT only then."""
    for confirm in ((), ("--confirm",)):
        result = scan(db, label, *how, *confirm, "--json")
        assert result.exit_code == 1, result.output
        said = json.loads(result.output.splitlines()[0])
        codes = [r["code"] for r in said["reasons"]]
        assert refused in codes and "SUSPICIOUS_LOT" in codes, said
        assert "--confirm" not in said["message"] and "probably says" not in said["message"], said
    assert lots_recorded(db) == []


def test_a_lookup_says_the_lots_status_as_its_reason_in_json_and_in_a_batch(db: Path, tmp_path: Path) -> None:
    """W11: `lotscan scan ... -w lookup --json` and `--file` said "verdict": "ACCEPTED", "reasons":
    [] for a recalled or expired lot, where the human line says NOT RECORDED RECALLED: a script
    reading the JSON would let the lot go."""
    said = {}
    for lot in ("F-RECALL", "F-OLD", "F-HOLD", "F-EARLY"):
        result = scan(db, f"(01){FLOUR}(10){lot}", "-w", "lookup", "--json")
        assert result.exit_code == 0, result.output
        answer = json.loads(result.output.splitlines()[0])
        said[lot] = (answer["verdict"], [(r["code"], r["level"]) for r in answer["reasons"]])
    assert said == {
        "F-RECALL": ("WARNING", [("LOT_RECALLED", "WARNING")]),
        "F-OLD": ("WARNING", [("LOT_EXPIRED", "WARNING")]),
        "F-HOLD": ("WARNING", [("LOT_ON_HOLD", "WARNING")]),
        "F-EARLY": ("ACCEPTED", []),
    }
    upload = tmp_path / "lookups.txt"
    upload.write_text(f"(01){FLOUR}(10)F-RECALL\n(01){FLOUR}(10)F-EARLY\n")
    batch = CliRunner().invoke(
        cli, ["scan", "--file", str(upload), "-w", "lookup", "--json", "--db", str(db)]
    )
    lines = [json.loads(line) for line in batch.output.splitlines() if line.startswith("{")]
    assert [(line.get("verdict"), line.get("line")) for line in lines[:2]] == [
        ("WARNING", 1),
        ("ACCEPTED", 2),
    ]
    assert lines[-1]["summary"]["reasons"] == {"LOT_RECALLED": 1}
    # tester tz, Z9f: a lookup is counted as NOT RECORDED, not as accepted or a warning
    assert (lines[-1]["summary"]["ACCEPTED"], lines[-1]["summary"]["NOT RECORDED"]) == (0, 2)
    assert lots_recorded(db) == []


def test_a_reason_too_long_to_record_is_a_usage_error(db: Path) -> None:
    """W12: a 600-character --reason was refused as "INVALID_VALUE ... Check the label and the quantity"."""
    result = scan(db, f"(01){FLOUR}(10)F-EARLY", "-w", "hold", "--reason", "x" * 600, "--operator", "900")
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "--reason" in said and "at most 500 characters, this one has 600" in said, said
    assert lots_recorded(db) == []
