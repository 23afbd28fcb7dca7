"""interpret(): every carrier and format a station meets, with real values asserted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lotscan.codes.interpret import InterpretOptions, interpret, interpret_text
from lotscan.codes.scan import RawScan, ScanKind, Source

TODAY = date(2026, 6, 23)  # fixed, so two-digit years and expiry never drift


GTIN = "09521234543213"


def read(text: str, **kwargs: object):
    return interpret_text(text, today=TODAY, **kwargs)  # type: ignore[arg-type]


def codes(findings) -> list[str]:
    return [item.code for item in findings]


@pytest.mark.parametrize(
    ("aim", "symbology"),
    [
        ("]C1", "GS1-128"),
        ("]d2", "GS1 DataMatrix"),
        ("]Q3", "GS1 QR"),
        ("]e0", "GS1 DataBar"),
        ("]d8", "GS1 DataMatrix"),
    ],
)
def test_gs1_carriers_with_aim_prefix(aim: str, symbology: str) -> None:
    scan = read(f"{aim}01{GTIN}10ABC123\x1d17250300")
    assert scan.ok, scan.errors
    assert (scan.kind, scan.symbology, scan.aim_id) == (ScanKind.PRODUCT, symbology, aim)
    assert (scan.gtin, scan.lot, scan.expiry) == (GTIN, "ABC123", date(2025, 3, 31))
    assert scan.ais == {"01": GTIN, "10": "ABC123", "17": "250300"}


def test_aim_id_given_separately_and_also_in_the_data() -> None:
    for data in (f"01{GTIN}10LOT7".encode(), f"]d201{GTIN}10LOT7".encode()):
        scan = interpret(RawScan(data=data, aim_id="]d2"), today=TODAY)
        assert (scan.symbology, scan.lot, scan.ok) == ("GS1 DataMatrix", "LOT7", True)


def test_leading_gs_and_line_suffixes_are_ignored() -> None:
    scan = read(f"\x1d01{GTIN}\x1d10ABC\r\n")
    assert scan.ok and scan.lot == "ABC" and scan.gtin == GTIN
    assert scan.raw == f"\x1d01{GTIN}\x1d10ABC\r\n"
    assert read(f"01{GTIN}10ABC\t").lot == "ABC"


@pytest.mark.parametrize("substitute", ["|", "<GS>", "{GS}", "^]"])
def test_gs_substitutes_from_the_device_profile(substitute: str) -> None:
    options = InterpretOptions(gs_substitutes=(substitute,))
    scan = interpret_text(f"01{GTIN}10ABC{substitute}17250301", options, today=TODAY)
    assert scan.ok, scan.errors
    assert (scan.lot, scan.expiry) == ("ABC", date(2025, 3, 1))


def test_substitute_not_configured_is_a_bad_character_with_its_position() -> None:
    scan = read(f"]C101{GTIN}10ABC|17250301")
    assert codes(scan.errors) == ["BAD_CHARACTER"]
    assert scan.raw[scan.errors[0].start : scan.errors[0].end] == "|"


def test_offsets_point_into_raw_after_substitution() -> None:
    options = InterpretOptions(gs_substitutes=("<GS>",))
    scan = interpret_text(f"]C101{GTIN}10AB~C<GS>17250301", options, today=TODAY)
    (error,) = scan.errors
    assert error.code == "BAD_CHARACTER"
    assert scan.raw[error.start : error.end] == "~"


def test_bracketed_text_with_escaped_bracket() -> None:
    scan = read(f"(01){GTIN}(10)AB\\(C(21)S1")
    assert scan.ok and scan.symbology == "GS1 (bracketed text)"
    assert (scan.lot, scan.serial) == ("AB(C", "S1")


@pytest.mark.parametrize(
    ("text", "gtin", "symbology"),
    [
        ("96385074", "00000096385074", "EAN-8"),
        ("036000291452", "00036000291452", "UPC-A"),
        ("4006381333931", "04006381333931", "EAN-13"),
        ("10614141000415", "10614141000415", "GTIN-14"),
    ],
)
def test_plain_gtins_are_kept_as_14_digits(text: str, gtin: str, symbology: str) -> None:
    scan = read(text)
    assert (scan.kind, scan.gtin, scan.symbology, scan.ok) == (ScanKind.PRODUCT, gtin, symbology, True)


def test_plain_gtin_with_wrong_check_digit() -> None:
    scan = read("4006381333932")
    assert codes(scan.errors) == ["BAD_CHECK_DIGIT"]
    assert (scan.errors[0].start, scan.errors[0].end) == (12, 13)


def test_ean_with_aim_id_and_composite() -> None:
    scan = read("]E02112345678900|]e099COMPOSITE\x1d98XYZ")
    assert scan.ok and scan.symbology == "EAN-13"
    assert scan.ais == {"01": "02112345678900", "99": "COMPOSITE", "98": "XYZ"}
    assert codes(read("]E02112345678901").errors) == ["BAD_CHECK_DIGIT"]
    assert codes(read("]E4123456789").errors) == ["WRONG_LENGTH"]


def test_sscc_plain_and_as_ai_00_with_count() -> None:
    plain = read("106141412345678908")
    assert (plain.kind, plain.sscc, plain.ok) == (ScanKind.PALLET, "106141412345678908", True)
    pallet = read(f"]C100106141412345678908020{GTIN[1:]}37120")
    assert pallet.kind == ScanKind.PALLET and pallet.ok, pallet.errors
    assert (pallet.gtin, pallet.quantity) == (GTIN, Decimal(120))


def test_gln_with_extension_is_a_location() -> None:
    scan = read("]C14149520123456788\x1d2543a")
    assert (scan.kind, scan.gln, scan.ais["254"], scan.ok) == (ScanKind.LOCATION, "9520123456788", "3a", True)


def test_net_weight_becomes_a_decimal_quantity() -> None:
    scan = read(f"]C101{GTIN}3103012500")
    assert scan.quantity == Decimal("12.500")


def test_digital_link_plain_and_behind_q1_and_d1() -> None:
    uri = f"https://id.gs1.org/01/{GTIN}/10/ABC1/21/12345?17=250331&3103=000195"
    for prefix, symbology in (("", "GS1 Digital Link"), ("]Q1", "QR"), ("]d1", "DataMatrix")):
        scan = read(prefix + uri)
        assert scan.ok, scan.errors
        assert scan.symbology == symbology
        assert (scan.gtin, scan.lot, scan.serial, scan.expiry) == (GTIN, "ABC1", "12345", date(2025, 3, 31))
        assert scan.quantity == Decimal("0.195")


def test_digital_link_errors_are_reported() -> None:
    assert codes(read("https://a/NOPRIMARYAI").errors) == ["BAD_DIGITAL_LINK"]
    assert codes(read(f"https://a/01/{GTIN[:-1]}4").errors) == ["BAD_CHECK_DIGIT"]


def test_internal_codes_default_scheme() -> None:
    expected = {
        "LOC:A-01-02": (ScanKind.LOCATION, "location", "A-01-02"),
        "WO:2026-0042": (ScanKind.ORDER, "work_order", "2026-0042"),
        "asn:SN1": (ScanKind.ORDER, "asn", "SN1"),
        "PO:4500012345": (ScanKind.ORDER, "po", "4500012345"),
        "PL:77": (ScanKind.ORDER, "pick_list", "77"),
        "SHP:X9": (ScanKind.ORDER, "shipment", "X9"),
        "OP:jdoe": (ScanKind.OPERATOR, "operator", "jdoe"),
    }
    for text, (kind, code_type, value) in expected.items():
        scan = read(text)
        assert scan.ok and scan.symbology == "internal"
        assert (scan.kind, scan.internal.type, scan.internal.value) == (kind, code_type, value)


def test_internal_prefixes_are_configurable_and_checked() -> None:
    options = InterpretOptions(internal_prefixes={"BIN-": "location"})
    scan = interpret_text("BIN-7", options, today=TODAY)
    assert (scan.kind, scan.internal.value) == (ScanKind.LOCATION, "7")
    assert read("LOC:has space").errors[0].code == "BAD_INTERNAL_CODE"
    assert interpret_text("LOC:A", options, today=TODAY).kind == ScanKind.UNKNOWN


def test_epc_from_rfid_and_recognised_hex() -> None:
    for source in (Source.RFID, Source.KEYBOARD):
        scan = read("3074257BF7194E4000001A85", source=source)
        assert scan.ok and scan.kind == ScanKind.EPC and scan.symbology == "EPC"
        assert (scan.gtin, scan.serial) == ("80614141123458", "6789")
        assert scan.epc_uri == "urn:epc:id:sgtin:0614141.812345.6789"
    sscc = read("317A7202CC164BA20B000000", source=Source.RFID)
    assert sscc.sscc == "564103519136629878" and sscc.kind == ScanKind.EPC
    bad = read("FF74257BF7194E4000001A85", source=Source.RFID)
    assert (bad.kind, codes(bad.errors)) == (ScanKind.UNKNOWN, ["BAD_EPC"])


@pytest.mark.parametrize("data", [b"", b"\r\n", b"   ", b"\xff\xfe\x00garbage"])
def test_empty_and_non_utf8_input_is_unreadable(data: bytes) -> None:
    scan = interpret(RawScan(data=data), today=TODAY)
    assert scan.kind == ScanKind.UNKNOWN
    assert codes(scan.errors) == ["UNREADABLE"]


def test_unknown_text_and_unknown_aim_id() -> None:
    assert codes(read("hello world").errors) == ["UNKNOWN_FORMAT"]
    assert codes(read("]XXabc").errors) == ["UNKNOWN_FORMAT"]


def test_swallowed_separator_gives_a_suspicious_lot_warning() -> None:
    scan = read(f"01{GTIN}10ABC17250301")
    assert scan.ok and scan.lot == "ABC17250301"
    (warning,) = scan.warnings
    assert warning.code == "SUSPICIOUS_LOT"
    assert "'ABC'" in warning.message and "2025-03-01" in warning.message
    assert scan.raw[warning.start : warning.end] == "17250301"


def test_ordinary_lots_are_not_suspicious() -> None:
    for lot in ("ABC123", "L2101", "2024051710", "17A"):
        assert read(f"]C101{GTIN}10{lot}").warnings == ()


def test_day_zero_only_for_the_allowed_ais() -> None:
    assert read(f"]C101{GTIN}17240200").expiry == date(2024, 2, 29)
    assert read(f"]C101{GTIN}15250200").best_before == date(2025, 2, 28)
    bad = read(f"]C101{GTIN}7006250200")
    assert codes(bad.errors) == ["BAD_DATE"]


def test_invalid_dates_are_reported_with_position() -> None:
    scan = read(f"]C101{GTIN}17250231")
    assert codes(scan.errors) == ["BAD_DATE"] and scan.expiry is None
    assert scan.raw[scan.errors[0].start : scan.errors[0].end] == "31"


def test_two_digit_years_use_the_minus_49_plus_50_window() -> None:
    today = date(2026, 6, 23)
    assert interpret_text(f"]C101{GTIN}17760101", today=today).expiry == date(2076, 1, 1)
    assert interpret_text(f"]C101{GTIN}17770101", today=today).expiry == date(1977, 1, 1)
    assert interpret_text(f"]C101{GTIN}11990101", today=today).production_date == date(1999, 1, 1)


def test_association_rules() -> None:
    assert codes(read(f"]C102{GTIN}").errors) == ["AI_ASSOCIATION"]  # (02) needs (37)
    # (30) needs (01) or (02); (37) excludes (01): a GTIN alone cannot complete it
    assert "AI_ASSOCIATION" in codes(read("]C13712\x1d30100").errors)
    assert codes(read(f"]C101{GTIN}02{GTIN}37 5".replace(" ", "")).errors).count("AI_ASSOCIATION") >= 1
    assert codes(read(f"]C101{GTIN}10A\x1d10B").errors) == ["AI_REPEATED"]


def test_malformed_and_unknown_ai() -> None:
    assert codes(read("]C1").errors) == ["MALFORMED_GS1"]
    assert codes(read(f"]C101{GTIN}891234").errors) == ["UNKNOWN_AI"]
    scan = read("]C10112345")
    assert codes(scan.errors) == ["WRONG_LENGTH"]


def test_to_json_has_the_contract_keys() -> None:
    data = read(f"]C101{GTIN}10ABC").to_json()
    for key in (
        "kind", "symbology", "gtin", "lot", "expiry", "best_before", "production_date", "serial",
        "sscc", "gln", "quantity", "epc_uri", "raw", "ais", "errors", "warnings",
    ):  # fmt: skip
        assert key in data
    assert data["kind"] == "product" and data["lot"] == "ABC"


def test_bare_numbers_are_not_taken_for_broken_gs1() -> None:
    assert codes(read("12345").errors) == ["UNKNOWN_FORMAT"]
    assert read(f"01{GTIN[:-1]}4").errors[0].code == "BAD_CHECK_DIGIT"
    assert codes(read("10ABC\x1d17250301").warnings) == ["MISSING_GTIN"]


def test_gs1_128_composite_is_one_message() -> None:
    scan = read(f"]C101{GTIN}|]e010LOT9\x1d17250301")
    assert scan.ok, scan.errors
    assert (scan.lot, scan.expiry) == ("LOT9", date(2025, 3, 1))


def test_badge_from_an_rfid_reader_configured_with_the_prefix() -> None:
    scan = read("OP:04A1B2C3D4", source=Source.RFID)
    assert (scan.kind, scan.internal.value) == (ScanKind.OPERATOR, "04A1B2C3D4")


def test_options_are_hashable() -> None:
    assert hash(InterpretOptions(gs_substitutes=("|",))) == hash(InterpretOptions(gs_substitutes=("|",)))


def test_upc_a_sent_as_ean_13_is_named_upc_a() -> None:
    assert read("]E00036000291452").symbology == "UPC-A"
    assert read("0036000291452").symbology == "UPC-A"
    assert read("]E04006381333931").symbology == "EAN-13"


def test_a_str_or_bytearray_payload_is_tolerated() -> None:
    scan = interpret(RawScan(data=f"01{GTIN}10A".encode()), today=TODAY)
    assert scan.lot == "A"
    assert interpret(RawScan(data=bytearray(b"LOC:X")), today=TODAY).internal.value == "X"  # type: ignore[arg-type]
    assert interpret(RawScan(data="LOC:Y"), today=TODAY).internal.value == "Y"  # type: ignore[arg-type]


@pytest.mark.parametrize("remnant", ["\u2194", "\u241d"])
def test_unambiguous_alt_029_remnants_always_read_as_gs(remnant: str) -> None:
    scan = read(f"01{GTIN}10ABC{remnant}17250301")
    assert scan.ok and (scan.lot, scan.expiry) == ("ABC", date(2025, 3, 1))


def test_ambiguous_029_remnant_is_left_alone() -> None:
    scan = read(f"01{GTIN}10ABC02917250301")
    assert scan.lot == "ABC02917250301"
    assert [w.code for w in scan.warnings] == ["SUSPICIOUS_LOT"]
