"""The independent tester's command-line findings U8, U9, U14 and U20 (TESTER.md), each as the
user typed it through the real console script, on a real cache or central database: a bad
option value is a usage error naming the option (exit 2, no traceback), and a command that
fails, or only reads, leaves no new cache or database behind."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command

from lotscan import paths
from lotscan.cli.demo_cmd import prepare_demo
from lotscan.store.db import _alembic_config, make_engine
from tests.integration.cli.test_new_user_cli import run, usage_error
from tests.plant import write_plant

DEMO_LOT = "(01)09521234001348(10)FG3526E"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fresh user: own data and config folders, no LOTSCAN_* variables."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("LOTSCAN_CONFIG", "LOTSCAN_DB", "LOTSCAN_CENTRAL_DB", "LOTSCAN_CENTRAL_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    return env


@pytest.mark.parametrize("code", ["x", "A" * 150, "1A2B 3C4D"], ids=["short", "150-chars", "space"])
def test_a_code_that_cannot_be_an_enrolment_code_is_a_usage_error(tmp_path: Path, code: str) -> None:
    """U8: `lotscan enroll --code x` printed a pydantic traceback (String should have at least 4
    characters), exit 1."""
    database = tmp_path / "station.db"
    result = run("enroll", "--server", "http://127.0.0.1:9", "--code", code, "--db", str(database))
    text = usage_error(
        result, "Invalid value for '--code'", "is not an enrolment code", "they look like 1A2B-3C4D-5E6F-7A8B"
    )
    assert "pydantic" not in text and "validation error" not in text
    assert not database.exists()


def test_a_failed_enrolment_leaves_no_cache_and_scan_and_label_keep_the_demo(
    tmp_path: Path, home: dict[str, str]
) -> None:
    """U14: enrolling with central unreachable left an empty station.db at the default path;
    from then on `lotscan scan` and `lotscan label` used it and refused every demo barcode."""
    prepare_demo(paths.demo_database(), reset=False)
    failed = run("enroll", "--server", "http://127.0.0.1:1", "--code", "AAAA-BBBB-CCCC-DDDD", env=home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "enrolment failed" in failed.stderr and "unreachable" in failed.stderr
    assert not paths.station_database().exists()
    looked_up = run("scan", DEMO_LOT, "-w", "lookup", env=home)
    assert looked_up.returncode == 0, looked_up.stdout + looked_up.stderr
    assert "using the demo cache" in looked_up.stderr and "FG3526E" in looked_up.stdout
    labelled = run("label", "FG3526E", "-o", str(tmp_path / "fg.svg"), env=home)
    assert labelled.returncode == 0, labelled.stdout + labelled.stderr
    assert (tmp_path / "fg.svg").exists()


def _empty_file(path: Path) -> None:
    path.touch()


def _sqlite_without_tables(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE scratch (x)")
    db.execute("DROP TABLE scratch")
    db.commit()
    db.close()


def _empty_cache_of_schema(revision: str) -> Callable[[Path], None]:
    """The cache a failed enrolment of an older lotscan left: migrated to `revision`, no data."""

    def make(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(path)
        config = _alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        engine.dispose()

    return make


EMPTY_STATION_DBS = {
    "empty-file": (_empty_file, "is an empty file (0 bytes), not a lotscan station cache"),
    "no-tables": (
        _sqlite_without_tables,
        "is an empty SQLite database (no tables), not a lotscan station cache",
    ),
    "empty-cache": (
        _empty_cache_of_schema("head"),
        "is an empty lotscan station cache: it holds no plant data",
    ),
    "older-empty-cache": (
        _empty_cache_of_schema("0005_operator_active"),
        "is an empty lotscan station cache of an older lotscan (schema 0005_operator_active): "
        "it holds no plant data",
    ),
}


@pytest.mark.parametrize("kind", list(EMPTY_STATION_DBS))
def test_scan_and_label_refuse_an_empty_station_db_and_leave_it_alone(
    tmp_path: Path, home: dict[str, str], kind: str
) -> None:
    """U14 rest: a station.db with nothing in it (an empty file, a SQLite file with no tables, or
    the empty cache an older lotscan left after a failed enrolment) was used by `lotscan scan`
    and `lotscan label` over the demo cache, refusing every demo barcode as unknown. Each says
    what the file is and what to do, exits 2, and the file is not written to."""
    prepare_demo(paths.demo_database(), reset=False)
    station_db = paths.station_database()
    make, what = EMPTY_STATION_DBS[kind]
    make(station_db)
    before = station_db.read_bytes()
    for command_line in (
        ["scan", DEMO_LOT, "-w", "lookup"],
        ["label", "FG3526E", "-o", str(tmp_path / "fg.svg")],
    ):
        usage_error(
            run(*command_line, env=home),
            f"{station_db} {what}",
            "Nothing was changed.",
            f"run `lotscan demo` once and give --db {paths.demo_database()}",
            f"`lotscan cache import FILE... --db {station_db}`",
        )
    # Reading a WAL-mode cache makes SQLite's index (-shm) and an empty log: nothing is written.
    wal = station_db.with_name("station.db-wal")
    assert station_db.read_bytes() == before and (not wal.exists() or wal.stat().st_size == 0)
    assert not (tmp_path / "fg.svg").exists()


def test_an_empty_cache_is_still_filled_by_an_import(tmp_path: Path, home: dict[str, str]) -> None:
    """What the refusal tells the user to do works: an import into the empty cache, then a scan."""
    station_db = paths.station_database()
    _empty_cache_of_schema("0005_operator_active")(station_db)
    assert run("cache", "import", str(write_plant(tmp_path)), env=home).returncode == 0
    looked_up = run("scan", "LOC:A1", "-w", "lookup", env=home)
    assert looked_up.returncode == 0, looked_up.stdout + looked_up.stderr


def test_a_malformed_printer_address_is_a_usage_error(tmp_path: Path, home: dict[str, str]) -> None:
    """U9: `lotscan label FG3526E --printer badhost:abc` exited 1, where --help says 2 is usage."""
    prepare_demo(paths.demo_database(), reset=False)
    result = run("label", "FG3526E", "--printer", "badhost:abc", env=home)
    usage_error(result, "Invalid value for '--printer'", "'badhost:abc' is not a printer address")
    assert "2 usage" in run("label", "--help").stdout


@pytest.mark.parametrize("command", [["trace", "NOPE"], ["stations"], ["lot", "status", "NOPE"]])
def test_a_central_command_that_only_reads_creates_no_database(
    home: dict[str, str], command: list[str]
) -> None:
    """U14: `lotscan central trace NOPE` without --db made an empty central.db and answered that
    it "is not migrated"."""
    central = paths.data_dir() / "central.db"
    result = run("central", *command, env=home)
    assert result.returncode == 1, result.stdout + result.stderr
    text = " ".join(result.stderr.split())
    assert f"no central database at {central}; nothing was created" in text, text
    assert f"lotscan central migrate --db {central}" in text
    assert "Traceback" not in text
    assert not central.exists() and not paths.data_dir().exists()


def test_central_migrate_into_a_folder_that_does_not_exist_is_refused(
    tmp_path: Path, home: dict[str, str]
) -> None:
    """U20: `lotscan central migrate --db /nonexistent/dir/c.db` made the folders and a database
    there, exit 0 (the station refuses such a path)."""
    wrong = tmp_path / "nonexistent" / "dir" / "c.db"
    usage_error(
        run("central", "migrate", "--db", str(wrong), env=home),
        f"the folder {wrong.parent} does not exist; nothing was created",
    )
    assert not (tmp_path / "nonexistent").exists()
    made = run("central", "migrate", env=home)  # the default place is made on first use
    assert made.returncode == 0, made.stdout + made.stderr
    assert (paths.data_dir() / "central.db").exists()
    beside = run("central", "migrate", "--db", str(tmp_path / "c.db"), env=home)
    assert beside.returncode == 0 and (tmp_path / "c.db").exists()


def test_a_misspelt_central_variable_is_named_with_the_one_meant(home: dict[str, str]) -> None:
    """U20: `LOTSCAN_CENTRAL_PORTT=1 lotscan central serve --show` printed port 8080 without a
    word, where docs/sync.md says a mistake names the variable and exits 2."""
    text = usage_error(
        run("central", "serve", "--show", env={**home, "LOTSCAN_CENTRAL_PORTT": "1"}),
        "env LOTSCAN_CENTRAL_PORTT: not a central setting; did you mean LOTSCAN_CENTRAL_PORT?",
    )
    assert '"port"' not in text
    other_commands = {"LOTSCAN_CENTRAL_URL": "http://127.0.0.1:9", "LOTSCAN_CENTRAL_PORT": "9001"}
    shown = run("central", "serve", "--show", env={**home, **other_commands})
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert '"port": 9001' in shown.stdout


@pytest.mark.parametrize(
    ("barcode", "workflow", "chosen"),
    [("SHP:SHP-5001", "ship", "shipment"), ("ASN:ASN-1001", "receive", "ASN or PO")],
)
def test_a_task_barcode_scanned_on_the_command_line_is_told_to_be_given_as_task(
    home: dict[str, str], barcode: str, workflow: str, chosen: str
) -> None:
    """U19: `lotscan scan 'SHP:SHP-5001' -w ship` said "Choose the shipment first (scan its
    barcode or give --task)", though its barcode was what was scanned."""
    prepare_demo(paths.demo_database(), reset=False)
    result = run("scan", barcode, "-w", workflow, "--operator", "1001", env=home)
    assert result.returncode == 1, result.stdout + result.stderr
    said = " ".join(result.stdout.split())
    code = barcode.split(":", 1)[1]
    assert (
        f"REJECTED Choose the {chosen} first: on the command line give --task {code} with the label "
        f"to scan (its barcode {barcode} chooses it only in the station app)."
    ) in said, said
    assert "scan its barcode" not in said


def test_a_label_count_over_what_the_task_needs_is_refused_with_both_figures(home: dict[str, str]) -> None:
    """U19: `(30)100` of BUTTER-82 (10 KG blocks) on PO-2001 was refused "The task needs only
    200 KG more, not 1000." where the accepted banner says "Received 2 BLOCK = 20 KG". What is
    open is said in blocks too (tester ty Y1: "950 KG more, not 40 SACK" mixed units)."""
    prepare_demo(paths.demo_database(), reset=False)
    butter = "(01)19521234001055(17)271231(10)BUT9{}"
    receive = ("-w", "receive", "--task", "PO-2001", "--operator", "1001", "--dry-run")
    refused = run("scan", butter.format("(30)100"), *receive, env=home)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert (
        "QTY_EXCEEDS_TASK: The task needs only 20 BLOCK = 200 KG more, not 100 BLOCK = 1,000 KG."
        in refused.stdout
    )
    accepted = run("scan", butter.format("(30)2"), *receive, env=home)
    assert "Received 2 BLOCK = 20 KG of lot BUT9" in accepted.stdout, accepted.stdout + accepted.stderr
