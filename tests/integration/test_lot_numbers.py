"""Lot numbers we make fit GS1 AI (10): X..20, character set 82 (GS1 General Specifications
3.2 and 7.11). Issue 14, item 3: a produced lot can always be labelled, and a pattern that could
make an unlabellable number is refused when the settings load."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from lotscan.cli.main import cli
from lotscan.domain.lot_numbers import (
    DEFAULT_PATTERN,
    LotPattern,
    LotPatternError,
    check_lot_pattern,
    lot_number_problem,
)
from tests.plant import build_plant


def station_toml(directory: Path, station: str, pattern: str | None = None) -> Path:
    lots = f'[lots]\npattern = "{pattern}"\n' if pattern else ""
    path = directory / "station.toml"
    path.write_text(f'[station]\nid = "{station}"\nline = "L1"\n{lots}', encoding="utf-8")
    return path


def test_a_produced_lot_on_an_enrolled_station_can_be_labelled(tmp_path: Path) -> None:
    database = tmp_path / "station.db"
    build_plant(database).dispose()
    config = station_toml(tmp_path, "PLANT1-ST01")  # the name central gives: SITE-STnn
    common = ["--config", str(config), "--db", str(database)]
    produced = CliRunner().invoke(
        cli, ["scan", "WO:WO-1", "-w", "produce", "--operator", "100", "--qty", "5", "--json", *common]
    )
    assert produced.exit_code == 0, produced.output
    lot = json.loads(produced.output)["details"]["lot"]
    assert len(lot) <= 20 and "PLANT1-ST01" in lot
    label = CliRunner().invoke(cli, ["label", lot, "-o", str(tmp_path / "lot.svg"), *common])
    assert label.exit_code == 0, label.output
    assert (tmp_path / "lot.svg").read_text().count("<svg") >= 1


def test_a_pattern_that_makes_21_characters_is_refused_with_the_reason(tmp_path: Path) -> None:
    config = station_toml(tmp_path, "ST-01", "{date:%Y%m%d}-{line}-{seq:03}")
    result = CliRunner().invoke(cli, ["config", "--config", str(config)])
    assert result.exit_code == 2  # settings that cannot be used are a usage error
    assert "21 characters" in result.output and "GS1 AI (10) allows 20" in result.output
    unbounded = station_toml(tmp_path, "ST-01", "{item}{seq:03}")
    assert "{item:.4}" in CliRunner().invoke(cli, ["config", "--config", str(unbounded)]).output
    outside = station_toml(tmp_path, "ST-01", "{date:%y%m%d}#{seq:03}")
    assert "character set 82" in CliRunner().invoke(cli, ["config", "--config", str(outside)]).output


_STATION = st.from_regex(r"[A-Z0-9]{1,6}-ST[0-9]{2}", fullmatch=True)


@given(_STATION, _STATION, st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.integers(1, 999))
def test_the_default_pattern_fits_and_stays_unique_across_stations(
    one: str, two: str, day: date, seq: int
) -> None:
    pattern = LotPattern(DEFAULT_PATTERN)
    check_lot_pattern(pattern, station=one, line="L1")
    first = pattern.render(day=day, line="L1", item="X", station=one, seq=seq)
    assert lot_number_problem(first) is None
    if one != two:
        assert first != pattern.render(day=day, line="L1", item="X", station=two, seq=seq)


def test_a_station_name_too_long_for_the_default_pattern_is_named() -> None:
    try:
        check_lot_pattern(LotPattern(DEFAULT_PATTERN), station="NORTHVALLEY-ST01", line="L1")
    except LotPatternError as exc:
        assert "NORTHVALLEY-ST01" in str(exc)
    else:
        raise AssertionError("a 16-character station name cannot fit")


@pytest.mark.parametrize("pattern", ["{station}{seq}", "{date:%y%j}{station}{seq}", "{seq}{station}"])
def test_a_pattern_whose_station_and_unpadded_sequence_touch_is_refused(tmp_path: Path, pattern: str) -> None:
    """Issue 14, item 3: lot numbers stay unique across stations numbering offline. Central names
    stations ST1, ST11 (or PLANT1-ST01): with `{station}{seq}` the 11th lot of ST1 and the 1st of
    ST11 are both ST111, and `{seq}{station}` does the same to station parts that start with a
    digit. Such a pattern was accepted; it is refused when the settings load, with the fix."""
    one = LotPattern(pattern).render(day=date(2026, 11, 29), line="L1", item="X", station="1A", seq=1)
    eleven = LotPattern(pattern).render(day=date(2026, 11, 29), line="L1", item="X", station="A", seq=11)
    first = LotPattern(pattern).render(day=date(2026, 11, 29), line="L1", item="X", station="ST11", seq=1)
    other = LotPattern(pattern).render(day=date(2026, 11, 29), line="L1", item="X", station="ST1", seq=11)
    assert first == other or one == eleven  # the collision the check prevents
    result = CliRunner().invoke(cli, ["config", "--config", str(station_toml(tmp_path, "ST1", pattern))])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "{station} and {seq} touch" in said and "{seq:03}" in said, said


@pytest.mark.parametrize(
    "pattern", ["{station}-{seq}", "{station}{seq:03}", "{seq:03}{station}", "{date:%y%j}{seq:03}-{station}"]
)
def test_a_separated_or_fixed_width_sequence_beside_the_station_is_kept(tmp_path: Path, pattern: str) -> None:
    result = CliRunner().invoke(cli, ["config", "--config", str(station_toml(tmp_path, "ST1", pattern))])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("{date:%y%j}{seq:00}", "{seq:00} gives the sequence no digits, so it would number no lot at all"),
        ("{date:%y%j}{seq:+02}", "{seq:+02} has 2 characters, but lot 99 of a day would read '+99', 3"),
        ("{date:%y%j}{seq:04,}", "{seq:04,} has 4 characters, but lot 9999 of a day would read '9,999', 5"),
    ],
)
def test_a_sequence_of_no_digits_or_one_that_widens_is_refused_at_load(
    tmp_path: Path, pattern: str, reason: str
) -> None:
    """Tester tz2, A2: `{seq:00}` was accepted and then every produce was refused (numbers 0 lots
    a day), and `{seq:+02}` made 26333+10 after 26333+9, widened (README: "{seq:0N} numbers up to
    N digits ... never widened"). Both are refused when the settings load, with the reason."""
    result = CliRunner().invoke(cli, ["config", "--config", str(station_toml(tmp_path, "ST1", pattern))])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert reason in said and "e.g. {seq:03}" in said, said
