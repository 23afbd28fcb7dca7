"""EPC decoding, GS1 dates and the human explanation."""

from __future__ import annotations

from datetime import date

import pytest

from lotscan.codes.dates import century_window_year, parse_yymmdd
from lotscan.codes.epc import EPCError, decode_epc, looks_like_epc
from lotscan.codes.explain import explain, show_raw
from lotscan.codes.interpret import interpret_text

TODAY = date(2026, 6, 23)  # fixed, so two-digit years and expiry never drift


def test_sgtin96_tds_example() -> None:
    epc = decode_epc("3074257BF7194E4000001A85")
    assert (epc.scheme, epc.filter) == ("SGTIN-96", 3)
    assert epc.uri == "urn:epc:id:sgtin:0614141.812345.6789"
    assert epc.ai_map == {"01": "80614141123458", "21": "6789"}


def test_sgtin198_alphanumeric_serial_is_uri_escaped() -> None:
    epc = decode_epc("36583BF980789020C286B58B25ECC00000000000000000000000")
    assert epc.ai_map["21"] == "ABC-12/3"
    assert epc.uri == "urn:epc:id:sgtin:061414.0123456.ABC-12%2F3"


def test_sgln_grai_giai() -> None:
    assert decode_epc("3214257BF460720000000190").ai_map == {"414": "0614141123452", "254": "400"}
    assert decode_epc("3314257BF40C0E4000000190").ai_map == {"8003": "00614141123452400"}
    assert decode_epc("3414257BF400000000BC6038").ai_map == {"8004": "061414112345400"}


@pytest.mark.parametrize(
    ("hex_text", "why"),
    [
        ("", "no EPC"),
        ("3074257BF7194E4000001A8", "odd number"),
        ("ZZ74257BF7194E4000001A85", "not hexadecimal"),
        ("FF74257BF7194E4000001A85", "header FF"),
        ("3074257BF7194E40", "needs 96 bits"),
        ("307FFFFFFFFFFFFFFFFFFFFF", "partition value 7"),
    ],
)
def test_invalid_epcs_are_refused_with_a_reason(hex_text: str, why: str) -> None:
    with pytest.raises(EPCError, match=why):
        decode_epc(hex_text)


def test_epc_detection_needs_a_known_header_and_length() -> None:
    assert looks_like_epc("3074257BF7194E4000001A85")
    assert not looks_like_epc("0074257BF7194E4000001A85")
    assert not looks_like_epc("3074257BF7194E4000001A")


def test_decoding_the_same_tag_again_gives_the_same_reading() -> None:
    # A portal reads each tag many times a second; its rate is measured by `lotscan bench devices`.
    first = decode_epc("3074257BF7194E4000001A85")
    assert all(decode_epc("3074257BF7194E4000001A85") == first for _ in range(100))


def test_century_window() -> None:
    today = date(2026, 6, 23)
    assert century_window_year(26, today) == 2026
    assert century_window_year(76, today) == 2076
    assert century_window_year(77, today) == 1977
    assert century_window_year(0, date(2075, 1, 1)) == 2100
    assert parse_yymmdd("240200", today, day_zero=True) == date(2024, 2, 29)
    assert parse_yymmdd("240200", today, day_zero=False) is None
    assert parse_yymmdd("241301", today, day_zero=True) is None


def test_show_raw_makes_control_characters_visible() -> None:
    shown, starts = show_raw("01\x1d10\r")
    assert shown == "01<GS>10<CR>"
    assert starts == [0, 1, 2, 6, 7, 8, 12]


def test_explanation_fields_and_marker() -> None:
    scan = interpret_text("]C10109521234543213\x1d10ABC\x1d17250231", today=TODAY)
    explanation = explain(scan, TODAY)
    assert ("Symbology", "GS1-128") in explanation.summary
    fields = {line.ai: line for line in explanation.fields}
    assert fields["01"].meaning == "GTIN-13 9521234543213"
    assert fields["17"].meaning == "not a valid date"
    (finding,) = explanation.findings
    assert finding.code == "BAD_DATE"
    assert finding.shown_raw == "]C10109521234543213<GS>10ABC<GS>17250231"
    assert finding.marker == " " * len("]C10109521234543213<GS>10ABC<GS>172502") + "^^"


def test_explanation_of_weight_and_day_zero() -> None:
    scan = interpret_text("]C1010952123454321317250200\x1d3103012500", today=TODAY)
    fields = {line.ai: line.meaning for line in explain(scan, TODAY).fields}
    assert fields["17"] == "2025-02-28 (day 00: last day of the month)"
    assert fields["3103"] == "12.500 kg"
