"""`lotscan parse`: output and exit status, through click's runner and the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.cli.parse_cmd import unescape

GTIN = "09521234543213"
LOTSCAN = Path(sys.executable).parent / "lotscan"


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, ["parse", *args], input=stdin)


def test_unescape() -> None:
    assert unescape(r"01\x1d10\u001dA\\x\r\n\t") == "01\x1d10\x1dA\\x\r\n\t"


def test_json_output_for_a_valid_gs1_128_scan() -> None:
    result = run("--json", rf"]C101{GTIN}10ABC123\x1d17250300")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "product" and data["symbology"] == "GS1-128"
    assert (data["gtin"], data["lot"], data["expiry"]) == (GTIN, "ABC123", "2025-03-31")
    assert data["raw"] == f"]C101{GTIN}10ABC123\x1d17250300"
    assert data["errors"] == [] and data["warnings"] == []


def test_errors_give_exit_status_1_and_a_marked_explanation() -> None:
    result = run(rf"]C101{GTIN[:-1]}4\x1d10ABC")
    assert result.exit_code == 1
    assert "ERROR BAD_CHECK_DIGIT" in result.output
    lines = result.output.splitlines()
    raw_line = next(i for i, line in enumerate(lines) if line.strip().startswith("]C1"))
    caret = lines[raw_line + 1]
    assert caret.index("^") == lines[raw_line].index(f"{GTIN[:-1]}4") + 13
    assert "NOT VALID" in result.output


def test_warnings_alone_exit_0() -> None:
    result = run(f"01{GTIN}10ABC17250301")
    assert result.exit_code == 0
    assert "WARNING SUSPICIOUS_LOT" in result.output
    assert "VALID, with warnings" in result.output


@pytest.mark.parametrize("lot", ["LOT3700", "LOT3000", "AB30000", "LOT300", "AB370"])
def test_a_zero_count_is_not_suspected_as_a_swallowed_element(lot: str) -> None:
    """AI 30 "variable count of items" and AI 37 "count of trade items" (GS1 General
    Specifications, section 3): a count of zero is not data a label carries, so the lot is an
    ordinary lot. (As a scanner sends it: written out in brackets no lot is suspected.)"""
    result = run(f"01{GTIN}10{lot}")
    assert result.exit_code == 0
    assert "SUSPICIOUS_LOT" not in result.output, result.output


@pytest.mark.parametrize(
    ("data", "suspected"),
    [
        (f"01{GTIN}10FL250033050", "(30) 50"),
        (f"01{GTIN}10FL25003302", "(30) 2"),  # tester tz, Z1: a one-digit count
        (f"01{GTIN}10AB12375", "(37) 5"),
        (f"01{GTIN}21SN123417261231", "(17) 2026-12-31"),
        (f"01{GTIN}10AB3103000250", "(3103) 000250"),
    ],
)
def test_real_swallowed_elements_stay_suspected(data: str, suspected: str) -> None:
    result = run(data)
    assert "WARNING SUSPICIOUS_LOT" in result.output
    assert suspected in result.output, result.output


@pytest.mark.parametrize(
    "data",
    [
        f"(01){GTIN}(10)FL250033050",
        f"(01){GTIN}(10)LOT3012(17)270925",
        f"(01){GTIN}(21)SN123417261231",
        f"https://id.gs1.org/01/{GTIN}/10/LOT3012",
    ],
)
def test_a_lot_written_out_with_its_ai_is_not_suspected(data: str) -> None:
    """Tester tz, Z10: bracketed text and a Digital Link name every AI, so no GS can have been
    lost; the lot is what is written."""
    result = run(data)
    assert result.exit_code == 0, result.output
    assert "SUSPICIOUS_LOT" not in result.output, result.output


@pytest.mark.parametrize(
    "data",
    [f"01{GTIN}17270925{chr(29)}10LOT3012{chr(29)}302", f"01{GTIN}10LOT3012{chr(29)}3020{chr(29)}17270925"],
)
def test_a_guess_whose_ai_is_already_on_the_label_is_dropped(data: str) -> None:
    """Tester tz, Z10: a label carries an AI once; with (30) on it, lot LOT3012 did not swallow a
    (30) 12, and the station's guess never makes the label MALFORMED_GS1."""
    result = run(data)
    assert result.exit_code == 0, result.output
    assert "SUSPICIOUS_LOT" not in result.output and "appears twice" not in result.output, result.output


def test_human_output_lists_fields_with_titles_and_meaning() -> None:
    result = run(f"(01){GTIN}(10)L1(17)250300")
    assert result.exit_code == 0
    assert "Symbology  GS1 (bracketed text)" in result.output
    assert "Kind       product" in result.output
    assert "(17) Expiration date (YYMMDD): 250300  = 2025-03-31" in result.output


def test_gs_substitute_option() -> None:
    result = run("--json", "--gs-sub", "|", "--gs-sub", "<GS>", f"01{GTIN}10A|21S<GS>17250301")
    data = json.loads(result.output)
    assert (data["lot"], data["serial"], data["expiry"]) == ("A", "S", "2025-03-01")


@pytest.mark.parametrize("substitute", ["1", "A", "(", "x|", "GS"])
def test_a_gs_substitute_that_is_data_is_refused(substitute: str) -> None:
    result = run("--gs-sub", substitute, f"(01){GTIN}(10)FG3526E")
    assert result.exit_code == 2, result.output
    assert "--gs-sub" in result.output and "character set 82" in result.output


def test_stdin_and_rfid_source() -> None:
    result = run("--json", "-", stdin=f"01{GTIN}\x1d10ABC\n".encode())
    assert json.loads(result.output)["lot"] == "ABC"
    rfid = run("--json", "--source", "rfid", "3074257BF7194E4000001A85")
    assert json.loads(rfid.output)["epc_uri"] == "urn:epc:id:sgtin:0614141.812345.6789"


def test_unreadable_stdin() -> None:
    result = run("--json", "-", stdin=b"\xff\xfe\n")
    assert result.exit_code == 1
    assert json.loads(result.output)["errors"][0]["code"] == "UNREADABLE"


def test_usage_errors_exit_2_and_help_has_examples() -> None:
    assert run("--source", "bogus", "x").exit_code == 2
    assert run().exit_code == 2
    help_text = run("--help").output
    assert "Examples:" in help_text and "--gs-sub" in help_text and "lotscan parse LOC:A-01-02" in help_text


@pytest.mark.skipif(not LOTSCAN.exists(), reason="console script not installed in this environment")
def test_real_console_script() -> None:
    done = subprocess.run(
        [str(LOTSCAN), "parse", "--json", rf"]d201{GTIN}10LOT\x1d21SER"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["symbology"], data["lot"], data["serial"]) == ("GS1 DataMatrix", "LOT", "SER")
    bad = subprocess.run([str(LOTSCAN), "parse", "]C1"], capture_output=True, check=False, timeout=60)
    assert bad.returncode == 1 and b"MALFORMED_GS1" in bad.stdout


def test_aim_id_given_as_an_option() -> None:
    result = run("--json", "--aim", "]e0", f"01{GTIN}10L")
    data = json.loads(result.output)
    assert (data["symbology"], data["lot"], result.exit_code) == ("GS1 DataBar", "L", 0)
