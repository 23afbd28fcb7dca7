"""The command line after `lotscan demo`, as a new user follows the README (issue 14, item 7)."""

from __future__ import annotations

import json
import os
import pty
import select
import sqlite3
import subprocess
import time
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.domain.events import EventType, LotProduced
from lotscan.paths import demo_database
from tests.integration.cli.test_new_user_cli import LOTSCAN

PICK = "(01)09521234001348(10)FG3526E"


def lotscan(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_scan_and_label_use_the_demo_cache_after_lotscan_demo(tmp_path: Path) -> None:
    before = lotscan("scan", PICK, "-w", "lookup")
    assert before.exit_code == 1
    assert "--db" in before.output and str(demo_database()) in before.output
    assert lotscan("demo", "--headless", stdin="").exit_code == 0
    looked_up = lotscan("scan", PICK, "-w", "lookup")
    assert looked_up.exit_code == 0, looked_up.output
    assert "Lot FG3526E" in looked_up.output
    labelled = lotscan("label", "FG3526E", "-o", str(tmp_path / "fg.svg"))
    assert labelled.exit_code == 0, labelled.output
    assert (tmp_path / "fg.svg").exists()


def test_human_output_is_text_not_python_dicts() -> None:
    lotscan("demo", "--headless", stdin="")
    for data in (PICK, "LOC:RM-A01"):
        result = lotscan("scan", data, "-w", "lookup")
        assert result.exit_code == 0
        assert "{'" not in result.output and "': " not in result.output, result.output
    assert "location FG-B06" in lotscan("scan", "(01)19521234001017(10)FLO9313B", "-w", "lookup").output


def test_demo_reset_asks_before_dropping_unsynced_events() -> None:
    lotscan("demo", "--headless", stdin="")
    picked = lotscan("scan", PICK, "-w", "pick", "--task", "PL-4001", "--operator", "1003")
    assert picked.exit_code == 0, picked.output
    refused = lotscan("demo", "--reset", "--headless", stdin="n\n")
    assert refused.exit_code == 1
    assert "not synced" in refused.output and "--force" in refused.output
    assert pending_events() == "1"
    unanswered = lotscan("demo", "--reset", "--headless", stdin="")  # tester U3: no terminal to ask
    assert unanswered.exit_code == 2 and "Aborted" not in unanswered.output
    assert "Usage:" not in unanswered.output and "Try 'lotscan" not in unanswered.output  # tz Z9m
    assert "nothing was deleted" in unanswered.output and "--force" in unanswered.output
    assert pending_events() == "1"
    assert lotscan("demo", "--reset", "--force", "--headless", stdin="").exit_code == 0
    assert pending_events() == "0"


def pending_events() -> str:
    info = lotscan("cache", "info", "--db", str(demo_database())).output
    return next(line.split()[-1] for line in info.splitlines() if "pending_events" in line)


def test_the_headless_station_says_badges_plainly_and_names_the_reason_code() -> None:
    lines = "OP:1003\nPL:PL-4001\n(01)09521234001348(10)FG6624F\n"
    result = lotscan("demo", "--headless", stdin=lines)
    assert result.exit_code == 0, result.output
    said = result.output.splitlines()
    signed_in = next(line for line in said if "Signed in: Carla Picker" in line)
    assert "ACCEPTED" not in signed_in
    warned = next(line for line in said if "was not the first to expire" in line)
    assert "WARNING NOT_FEFO" in warned


def test_cache_info_and_sync_use_the_demo_cache_after_lotscan_demo() -> None:
    assert lotscan("demo", "--headless", stdin="").exit_code == 0
    info = lotscan("cache", "info")
    assert info.exit_code == 0, info.output
    assert f"cache {demo_database()}" in info.output
    assert "using the demo cache" in info.output
    synced = lotscan("sync", "--once")
    assert "using the demo cache" in synced.output, synced.output
    assert "not enrolled" in synced.output


def test_a_receipt_asks_for_our_own_label_only_when_the_supplier_label_lacks_what_the_item_needs() -> None:
    """Tester U2: every receipt without an expiry requested an internal label, also sugar, which the
    README receives as "no expiry needed"; the banner did not say a label was requested."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    receive = ("-w", "receive", "--task", "ASN-1001", "--operator", "1001")
    sugar = lotscan("scan", "(01)19521234001031(10)SG25003(30)2", *receive)
    assert sugar.exit_code == 0, sugar.output
    assert "Received 2 SACK" in sugar.output and "internal label" not in sugar.output
    flour = lotscan("scan", "(01)19521234001017(10)FL25077(30)20", *receive)
    said = " ".join(flour.output.split())
    assert "MISSING_EXPIRY" in said and "an internal label is requested" in said
    assert "The supplier label has no expiry" not in said, said  # tester V3: the banner said it twice
    assert requested_labels() == ["FL25077"]


def requested_labels() -> list[str]:
    import sqlite3

    with sqlite3.connect(demo_database()) as conn:
        asked = "SELECT payload FROM events WHERE type = 'label.requested' ORDER BY id"
        rows = conn.execute(asked).fetchall()
    return [json.loads(payload)["lot"] for (payload,) in rows]


def test_a_second_output_with_nothing_consumed_since_is_linked_to_the_orders_inputs() -> None:
    """Tester U7: the second output lot of a work order said "No input lots were consumed into
    WO-3001" although FLO9313B was, into the order's first lot; then it was recorded with no
    parents. It is linked to FLO9313B, without a quantity, and says so."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    order = ("--task", "WO-3001", "--operator", "9001", "--pin", "4321")
    consumed = lotscan("scan", "(01)19521234001017(10)FLO9313B", "-w", "consume", *order, "--qty", "1",
                       "--location", "RM-A07")  # fmt: skip
    assert consumed.exit_code == 0, consumed.output
    first = lotscan("scan", "WO:WO-3001", "-w", "produce", *order, "--qty", "10")
    assert "from 1 input lot(s)" in first.output, first.output
    first_lot = first.output.split("Produced lot ")[1].split(":")[0]
    second = lotscan("scan", "WO:WO-3001", "-w", "produce", *order, "--qty", "10")
    said = " ".join(second.output.split())
    assert second.exit_code == 0 and "INPUTS_OF_THE_ORDER" in said and "NO_INPUTS" not in said, said
    assert f"Nothing was consumed into WO-3001 since lot {first_lot} was made" in said
    assert "recorded linked to the lots consumed into the order so far (FLO9313B)" in said
    assert "from 1 input lot(s)" in said


def produced_lots() -> list[tuple[str, float]]:
    with sqlite3.connect(demo_database()) as conn:
        asked = "SELECT payload FROM events WHERE type = ? ORDER BY id"
        rows = conn.execute(asked, (EventType.LOT_PRODUCED,)).fetchall()
    conn.close()
    made = [LotProduced.model_validate_json(payload) for (payload,) in rows]
    return [(lot.lot, lot.qty) for lot in made]


def test_a_produce_with_no_terminal_needs_the_quantity_made() -> None:
    """Tester U7 rest: `lotscan scan WO:WO-3001 -w produce` recorded the order's planned 480
    without asking, where the station asks. Without a terminal to ask on, --qty is required."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    order = ("--operator", "9001", "--pin", "4321")
    unasked = lotscan("scan", "WO:WO-3001", "-w", "produce", *order)
    said = " ".join(unasked.output.split())
    assert unasked.exit_code == 2, unasked.output
    assert "Give the quantity with --qty" in said and "(it plans 480 EA)" in said, said
    assert "Nothing was recorded" in said and produced_lots() == []
    batch = lotscan("scan", "--file", "-", "-w", "produce", *order, stdin="WO:WO-3001\n")
    assert batch.exit_code == 2 and "--qty" in batch.output and produced_lots() == []
    given = lotscan("scan", "WO:WO-3001", "-w", "produce", *order, "--qty", "470")
    assert given.exit_code == 0, given.output
    assert [qty for _, qty in produced_lots()] == [470]


def test_a_produce_on_a_terminal_asks_for_the_quantity_made_suggesting_the_planned_one() -> None:
    """Tester U7 rest: on a terminal the operator is asked, the planned quantity shown as the
    suggestion; what they type is recorded, and Enter takes the suggestion."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    command = ("scan", "WO:WO-3001", "-w", "produce", "--operator", "9001", "--pin", "4321")
    screen, code = on_a_terminal(command, answer="465")
    assert "Quantity of Chocolate chip cookies 200 g made for WO-3001, in EA [480]:" in screen, screen
    assert code == 0 and "Produced lot" in screen and "465 EA" in screen, screen
    screen, code = on_a_terminal(command, answer="")
    assert code == 0 and "480 EA" in screen, screen
    assert [qty for _, qty in produced_lots()] == [465, 480]


def on_a_terminal(args: tuple[str, ...], answer: str) -> tuple[str, int]:
    """Run the console script with a pseudo-terminal as its stdin, stdout and stderr; type
    `answer` and Enter once it asks. Returns what the terminal showed and the exit status."""
    main, terminal = pty.openpty()
    process = subprocess.Popen([LOTSCAN, *args], stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    shown, answered = b"", False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the process ended and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
        if not answered and b"]: " in shown:
            os.write(main, answer.encode() + b"\r")
            answered = True
    os.close(main)
    return shown.decode(errors="replace").replace("\r\n", "\n"), process.wait(timeout=30)


def test_a_lookup_on_the_command_line_says_not_recorded_with_the_lots_status() -> None:
    """Tester V1: `lotscan scan ... -w lookup` of recalled FLO3961E printed ACCEPTED beside RECALLED,
    while both stations say NOT RECORDED (T13)."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    recalled = lotscan("scan", "(01)19521234001017(10)FLO3961E", "-w", "lookup")
    assert recalled.exit_code == 0, recalled.output
    assert " NOT RECORDED RECALLED " in recalled.output and "ACCEPTED" not in recalled.output
    released = lotscan("scan", PICK, "-w", "lookup").output
    assert released.startswith(" NOT RECORDED ") or "\n NOT RECORDED " in released, released
