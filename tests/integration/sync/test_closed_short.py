"""Tester V4 through sync: a pick line closed short at one station is closed short at central
and, by pull, at every other station of the site, with the ordered quantity kept (the short's
effect wrote qty_expected down to qty_done, so the line read 0/0 everywhere). SQLite and
PostgreSQL centrals, real station caches, the real push and pull."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from lotscan.central.db import write_tx
from lotscan.central.short_lines import restore_closed_short_lines
from lotscan.domain.verdict import Level
from lotscan.services.context import ScanContext, Workflow
from lotscan.store.rows import read_row
from lotscan.store.schema import TaskLine
from tests.central.support import Station, state_of
from tests.plant import FLOUR


def test_a_line_closed_short_reaches_central_and_the_other_station_as_closed_short(central, tmp_path) -> None:
    picker, other = Station(central, tmp_path, "ST1"), Station(central, tmp_path, "ST2")
    picked = picker.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.PICK, task="PL-1", qty=5)
    assert picked.recorded, picked
    why = ScanContext(Workflow.PICK, operator="100", reason="shelf empty")
    short = picker.service.short_pick("PL-1", 1, why)
    assert short.recorded and "closed short by 15 SACK" in short.message, short.message
    assert picker.sync().outcomes == {"applied": 2}
    with central.engine.connect() as conn:
        line, _site = read_row(conn, ("task_line", "PL-1", "1"))
    assert line is not None
    assert (line["qty_expected"], line["qty_done"], line["qty_short"]) == (20, 5, 15)
    other.sync()
    assert state_of(other.engine) == state_of(picker.engine) == state_of(central.engine)
    assert state_of(other.engine)["task_lines"][("PL-1", 1)] == (5, 20, 15)
    again = other.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.PICK, task="PL-1", qty=1)
    assert again.level is Level.REJECTED and not again.recorded
    assert "was closed short (5 of 20 SACK picked, 15 SACK short)" in again.message, again.message
    assert "0 of 0" not in again.message and "5 of 5" not in again.message
    # Tester W8: not "Every line of PL-1 is complete" when what was ordered was not all picked.
    assert "Every line of PL-1 is done (1 of 1 closed short)." in again.message, again.message
    assert "complete" not in again.message


def test_a_pick_recorded_offline_before_the_short_arrives_adds_up_the_same_everywhere(
    central, tmp_path
) -> None:
    """The short adds to qty_short and a pick to qty_done, so the order central receives them in
    does not matter: the pick of the station that had not heard of the short still counts."""
    picker, late = Station(central, tmp_path, "ST1"), Station(central, tmp_path, "ST2")
    assert late.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.PICK, task="PL-1", qty=4).recorded  # offline
    short = picker.service.short_pick("PL-1", 1, ScanContext(Workflow.PICK, operator="100", reason="damaged"))
    assert short.recorded
    picker.sync()
    late.sync()
    picker.sync()
    assert state_of(late.engine)["task_lines"][("PL-1", 1)] == (4, 20, 20)
    assert state_of(late.engine) == state_of(picker.engine) == state_of(central.engine)


@pytest.mark.parametrize("first", ["pick", "short"])
def test_a_pick_and_a_short_recorded_offline_are_applied_in_either_order(
    central, tmp_path, first: str
) -> None:
    """Tester W8 addendum: central refuses a short of more than is open on the line, bounded by
    what was ordered less what is already closed short, not by what is picked: a station that
    had not heard of another's offline pick closes the whole line short, and both are applied
    whichever arrives first (the short flagged for a supervisor when the pick was there before it)."""
    picker, shorter = Station(central, tmp_path, "ST1"), Station(central, tmp_path, "ST2")
    assert picker.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.PICK, task="PL-1", qty=4).recorded
    why = ScanContext(Workflow.PICK, operator="100", reason="damaged")
    assert shorter.service.short_pick("PL-1", 1, why).recorded  # 20 SACK: it saw none picked
    if first == "pick":  # the short then closes more than central's picks leave open: flagged
        assert picker.sync().outcomes == {"applied": 1}
        assert shorter.sync().outcomes == {"flagged": 1}
    else:
        assert shorter.sync().outcomes == {"applied": 1}
        assert picker.sync().outcomes == {"applied": 1}
    assert state_of(central.engine)["task_lines"][("PL-1", 1)] == (4, 20, 20)
    picker.sync()
    shorter.sync()
    assert state_of(picker.engine) == state_of(shorter.engine) == state_of(central.engine)


def test_lines_closed_short_before_the_column_are_put_right_from_central_s_events(central, tmp_path) -> None:
    """Migration 0015's backfill: a line central holds as the old effect left it (qty_expected
    written down to qty_done) gets back its ordered quantity from the stored pick.short, and the
    station learns it at its next pull."""
    station = Station(central, tmp_path, "ST1")
    assert station.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.PICK, task="PL-1", qty=5).recorded
    station.service.short_pick("PL-1", 1, ScanContext(Workflow.PICK, operator="100", reason="shelf empty"))
    station.sync()
    old_effect = update(TaskLine).values(qty_expected=TaskLine.qty_done, qty_short=0)
    with write_tx(central.engine) as conn:
        conn.execute(old_effect)
    with station.engine.begin() as conn:
        conn.execute(old_effect)
    with write_tx(central.engine) as conn:
        assert restore_closed_short_lines(conn) == 1
        assert restore_closed_short_lines(conn) == 0  # once only
    assert state_of(central.engine)["task_lines"][("PL-1", 1)] == (5, 20, 15)
    station.sync()
    assert state_of(station.engine)["task_lines"][("PL-1", 1)] == (5, 20, 15)


def test_a_line_already_closed_short_is_not_closed_again(central, tmp_path) -> None:
    """A second short of the same line (another screen still showing it open) records nothing:
    it says the line was closed short, with its figures, instead of a short of 0."""
    station = Station(central, tmp_path, "ST1")
    why = ScanContext(Workflow.PICK, operator="100", reason="shelf empty")
    assert station.service.short_pick("PL-1", 1, why).recorded
    again = station.service.short_pick("PL-1", 1, why)
    assert again.level is Level.REJECTED and not again.recorded
    assert "was closed short (0 of 20 SACK picked, 20 SACK short)" in again.message, again.message
    assert station.pending() == 1
