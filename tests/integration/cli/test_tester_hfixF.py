"""Tester tw's findings W15-W17 and W24, replayed as the tester typed them on the demo cache
(`lotscan demo`, then `lotscan scan ...`)."""

from __future__ import annotations

from click.testing import CliRunner

from lotscan.cli.main import cli


def lotscan(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), input="")
    return result.output


def scan(label: str, *args: str) -> str:
    return lotscan("scan", label, *args, "--operator", "1001", "--dry-run")


def test_w15_measures_are_recorded_in_the_items_unit_or_refused() -> None:
    lotscan("demo", "--headless")
    pounds = scan("(01)19521234001055(17)270301(10)BT5(3203)088185", "-w", "receive", "--task", "PO-2001")
    assert "Received 88.185 lb = 40.000043 KG of lot BT5" in pounds
    kilos_on_litres = scan(
        "(01)19521234001079(17)270301(10)EG1(3103)010000", "-w", "receive", "--task", "PO-2001"
    )
    assert "REJECTED" in kilos_on_litres and "UNIT_MISMATCH" in kilos_on_litres and "10 kg" in kilos_on_litres
    litres = scan("(01)19521234001079(17)270301(10)EG2(3153)010000", "-w", "receive", "--task", "PO-2001")
    assert "Received 10 L of lot EG2" in litres
    packs = scan("(01)19521234001147(10)YEA3352A(3103)005000", "-w", "count", "--location", "RM-A04")
    assert "UNIT_MISMATCH" in packs and "Counted" not in packs
    consumed = scan("(01)19521234001017(10)FLO3490J(3203)011023", "-w", "consume", "--task", "WO-3001")
    assert "Consumed 11.023 lb = 4.999949 KG of lot FLO3490J" in consumed
