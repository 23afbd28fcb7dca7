"""AI (7003), expiration date and time (GS1 General Specifications 3.8.x: YYMMDDhhmm, no day 00),
gives the scan its expiry day, as (17) does; a label whose (17) names another day says so and the
earlier day is the expiry (tester W16)."""

from __future__ import annotations

from datetime import date

from lotscan.codes.interpret import interpret_text

TODAY = date(2026, 11, 29)


def test_7003_alone_is_the_expiry_day() -> None:
    scan = interpret_text("(01)19521234001017(7003)2703011230(10)X1", today=TODAY)
    assert scan.expiry == date(2027, 3, 1) and not scan.warnings


def test_17_and_7003_that_agree_say_nothing() -> None:
    scan = interpret_text("(01)19521234001017(17)270301(7003)2703011230(10)X1", today=TODAY)
    assert scan.expiry == date(2027, 3, 1) and not scan.warnings


def test_17_and_7003_that_disagree_take_the_earlier_and_say_both() -> None:
    scan = interpret_text("(01)19521234001017(17)270301(7003)2702011230(10)X1", today=TODAY)
    assert scan.expiry == date(2027, 2, 1)
    assert [w.code for w in scan.warnings] == ["EXPIRIES_DIFFER"]
    assert "2027-03-01" in scan.warnings[0].message and "2027-02-01" in scan.warnings[0].message


def test_a_7003_with_day_00_gives_no_expiry() -> None:
    scan = interpret_text("(01)19521234001017(7003)2703001230(10)X1", today=TODAY)
    assert scan.expiry is None
