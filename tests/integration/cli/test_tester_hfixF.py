"""Tester tw's findings W15-W17 and W24, replayed as the tester typed them on the demo cache
(`lotscan demo`, then `lotscan scan ...`)."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.paths import demo_database


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


def test_w17_a_label_expiry_that_differs_from_the_books_is_named_and_the_earlier_date_judged() -> None:
    lotscan("demo", "--headless")
    received = lotscan(
        "scan", "(01)19521234001017(17)270301(10)FLO3490J(30)2", "-w", "receive", "--task", "ASN-1001",
        "--operator", "1001",
    )  # fmt: skip
    assert "EXPIRY_DIFFERS" in received and "2027-03-01" in received and "2027-07-17" in received
    assert (
        "SUPPLIER_DIFFERS" in received
        and "received from Supplier A; this delivery is from Millers Ltd" in received
    )
    assert "FLO3490J|2027-03-01" in lookup_expiry("FLO3490J")
    consumed = scan(
        "(01)19521234001017(17)261101(10)FLO3490J", "-w", "consume", "--task", "WO-3001",
        "--location", "RM-A09", "--qty", "1",
    )  # fmt: skip
    assert "REJECTED" in consumed and "LOT_EXPIRED" in consumed and "expired on 2026-11-01" in consumed
    looked_up = lotscan("scan", "(01)09521234001348(17)261101(10)FG2118D", "-w", "lookup")
    assert "EXPIRED, expiry 2026-11-01" in looked_up and "2027-08-04" in looked_up
    assert "expired on 2026-11-01" in looked_up and "expired on 2027-08-04" not in looked_up


def lookup_expiry(lot: str) -> str:
    with sqlite3.connect(demo_database()) as conn:
        rows = conn.execute("select code, expiry from lots where code = ?", (lot,)).fetchall()
    return "\n".join(f"{code}|{expiry}" for code, expiry in rows)


def test_w16_an_expiry_date_and_time_7003_is_the_lots_expiry() -> None:
    lotscan("demo", "--headless")
    parsed = lotscan("parse", "(01)19521234001017(7003)2703011230(10)X1")
    assert "2703011230  = 2027-03-01 12:30" in parsed
    expired = scan("(01)19521234001017(7003)2611250000(10)FL7004(30)2", "-w", "receive", "--task", "ASN-1001")
    assert "REJECTED" in expired and "LOT_EXPIRED" in expired and "expired on 2026-11-25" in expired
    assert "MISSING_EXPIRY" not in expired
    both = scan(
        "(01)19521234001017(17)270301(7003)2702011230(10)FL7005(30)2", "-w", "receive", "--task", "ASN-1001"
    )
    assert "LABEL_EXPIRIES_DIFFER" in both and "the earlier, 2027-02-01, is taken" in both


def test_w24_a_typed_receipt_quantity_counts_sacks_on_the_pallet_and_on_the_label_alike() -> None:
    lotscan("demo", "--headless")
    receipt = ("-w", "receive", "--task", "ASN-1001")
    asked = scan("(00)095212340000000013", *receipt)
    assert "the ASN announces 40 SACK = 1,000 KG of lot FL24117" in asked
    pallet = scan("(00)095212340000000013", *receipt, "--qty", "38")
    label = scan("(01)19521234001017(17)270301(10)FL24117", *receipt, "--qty", "38")
    assert "Received 38 SACK = 950 KG of lot FL24117" in pallet
    assert "Received 38 SACK = 950 KG of lot FL24117" in label
    assert "give it in SACK (25 KG each)" in scan("(01)19521234001017(17)270301(10)FL24117", *receipt)
    lotscan("scan", "(01)19521234001017(17)270301(10)FL24117(30)2", *receipt, "--operator", "1001")
    after = scan("(00)095212340000000013", *receipt)
    assert "the ASN announces 40 SACK = 1,000 KG" in after and "38 SACK = 950 KG still open" in after
