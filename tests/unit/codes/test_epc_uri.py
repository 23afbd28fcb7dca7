"""EPC pure-identity URIs (GS1 EPC Tag Data Standard, section 6.3: `urn:epc:id:sgtin:
CompanyPrefix.IndicatorAndItemRef.Serial`) scanned or pasted read as the GS1 keys they name:
the company prefix length is where the first dot is. Vectors: ../shared/standards/epc/vectors.json
(TDS examples and epcpy 0.1.8), each URI beside the element string of the same EPC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lotscan.codes.bracketed import parse_bracketed
from lotscan.codes.epc import EPCError, parse_epc_uri
from lotscan.codes.interpret import interpret_text

VECTORS = Path(__file__).parents[3] / ".." / "shared" / "standards" / "epc" / "vectors.json"


def uri_vectors() -> list[tuple[str, str]]:
    if not VECTORS.exists():
        pytest.skip(f"standards test data not found at {VECTORS}")
    valid = json.loads(VECTORS.read_text())["valid"]
    return [
        (v["pure_identity_uri"], v["gs1_element_string"])
        for v in valid
        if v["scheme"] in ("SGTIN", "SSCC", "SGLN")
    ]


def test_every_sgtin_sscc_and_sgln_uri_of_the_vectors_gives_its_element_string() -> None:
    vectors = uri_vectors()
    assert len(vectors) >= 10
    for uri, element_string in vectors:
        expected, problems = parse_bracketed(element_string)
        assert not problems
        assert parse_epc_uri(uri).ais == tuple((e.ai, e.value) for e in expected), uri


def test_a_scanned_sgtin_uri_reads_as_the_gtin_and_serial() -> None:
    scan = interpret_text("urn:epc:id:sgtin:0614141.812345.6789")
    assert scan.ok and scan.kind.value == "epc"
    assert (scan.gtin, scan.serial, scan.epc_uri) == (
        "80614141123458",
        "6789",
        "urn:epc:id:sgtin:0614141.812345.6789",
    )
    escaped = interpret_text("urn:epc:id:sgtin:0614141.812345.A%2FB")  # TDS table A-1 escapes '/'
    assert escaped.serial == "A/B"


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("urn:epc:id:sgtin:0614141.81234.6789", "have 13 digits together, not 12"),
        ("urn:epc:id:sgtin:0614141.812345", "has 3 parts separated by dots, this one has 2"),
        ("urn:epc:id:grai:0614141.12345.1", "'grai' is not an EPC scheme we read"),
        ("urn:epc:id:sgtin:0614141.812345.has space", "is not 1-20 GS1 characters"),
    ],
)
def test_a_malformed_uri_is_refused_with_the_reason(uri: str, why: str) -> None:
    with pytest.raises(EPCError, match=why):
        parse_epc_uri(uri)
    scan = interpret_text(uri)
    assert not scan.ok and why in scan.errors[0].message
