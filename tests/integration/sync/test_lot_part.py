"""Issue 14, tester's #19: a station enrolled at a site with a long code makes lot numbers that
fit GS1 AI (10), 20 characters, with the default pattern: central gives each station a short,
unique part for its lot numbers at enrolment. Real central (SQLite and PostgreSQL), real cache."""

from __future__ import annotations

from pathlib import Path

from lotscan.domain.lot_numbers import lot_number_problem
from lotscan.domain.verdict import Level
from lotscan.services.context import Workflow
from tests.central.support import Central, Station
from tests.plant import FLOUR


def test_a_station_with_a_long_name_produces_lots_that_fit_and_differ(
    central: Central, tmp_path: Path
) -> None:
    long_one = Station(central, tmp_path, "NORTHVALLEY-ST01")
    long_two = Station(central, tmp_path, "NORTHVALLEY-ST02")
    lots = []
    for station in (long_one, long_two):
        station.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.CONSUME, task="WO-1", location="A1", qty=1)
        verdict = station.scan("WO:WO-1", Workflow.PRODUCE, qty=10)
        assert verdict.level is not Level.REJECTED, verdict
        lot = verdict.details["lot"]
        assert lot_number_problem(lot) is None, lot
        lots.append(lot)
    assert lots[0] != lots[1]  # two stations offline never make the same number
    short = Station(central, tmp_path, "P1-ST09")
    assert short.service.settings.lot_station == "P1-ST09"  # a name that fits is kept as it is
