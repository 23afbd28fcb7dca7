"""What scanners really send, read through `lotscan parse` as a user runs it (issue 14, item 5
and the split-label half of item 4)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lotscan.cli.main import cli

COOKIE = "09521234001348"


def parse(*args: str):
    result = CliRunner().invoke(cli, ["parse", "--json", *args])
    return result.exit_code, json.loads(result.output)


def test_spaces_around_a_scan_are_not_data() -> None:
    code, data = parse(f"  (01){COOKIE}(10)FG3526E \t")
    assert code == 0 and data["errors"] == []
    assert (data["gtin"], data["lot"]) == (COOKIE, "FG3526E")
    code, data = parse(" OP:1001")
    assert code == 0 and data["internal"] == {"type": "operator", "value": "1001"}


def test_a_typed_upc_e_is_expanded_to_its_gtin() -> None:
    # GS1 General Specifications 5.2.2.4.2: UPC-E 0 123456 5 zero-suppresses UPC-A 0 12345 00006 5
    # ("01234565" is also a valid EAN-8, but EAN-8s starting with 0 are in-store RCN-8s).
    for typed in ("01234565", "]E001234565"):
        code, data = parse(typed)
        assert code == 0, data
        assert (data["gtin"], data["symbology"]) == ("00012345000065", "UPC-E")
    # "06543217" is no valid EAN-8; as UPC-E its last data digit 1 gives UPC-A 0 65100 00432 7.
    code, data = parse("06543217")
    assert code == 0, data
    assert data["gtin"] == "00065100004327" and data["symbology"] == "UPC-E"


def test_the_lot_barcode_of_a_split_label_is_a_warning_not_an_error() -> None:
    code, data = parse("(10)123(17)221231")
    assert code == 0
    assert data["errors"] == [] and [w["code"] for w in data["warnings"]] == ["MISSING_GTIN"]
    strict = CliRunner().invoke(cli, ["parse", "--strict", "(10)123(17)221231"])
    assert strict.exit_code == 1
    # tester U4: exit 1 beside "VALID, with warnings" read as a contradiction
    assert "REFUSED under --strict: warnings MISSING_GTIN" in strict.output and "VALID" not in strict.output
    human = CliRunner().invoke(cli, ["parse", "(10)123(17)221231"])
    assert human.exit_code == 0 and "MISSING_GTIN" in human.output


def test_a_count_swallowed_by_the_lot_is_suspicious() -> None:
    # The lot "FL25003", GS lost, then (30) 50: read as one lot "FL250033050".
    code, data = parse(r"]C10119521234001017\x1d10FL250033050")
    assert code == 0
    assert [w["code"] for w in data["warnings"]] == ["SUSPICIOUS_LOT"]
    assert "FL25003" in data["warnings"][0]["message"]
    # a numeric lot ending in what could be a count is a plain lot
    assert parse(f"01{COOKIE}1020230501")[1]["warnings"] == []
