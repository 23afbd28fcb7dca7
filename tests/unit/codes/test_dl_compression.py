"""Compressed GS1 Digital Link URIs (GS1 Digital Link standard 1.2, compression) are read like
uncompressed ones: by the interpreter the station uses, by `lotscan parse`, and from a camera.

Vectors come from GS1's own toolkit tests, gs1/digital-link.js `tests/index.js`:
- "should decompress a compressed Digital Link URI": https://dlnkd.tn.gg/HxHKVAdpQgZzjr-hCDKigI
  is https://dlnkd.tn.gg/01/09780345418913/10/231/21/345345?15=120820
- DATA.compressedWebUri ("should create from string - compressed URI"):
  https://gs1.evrythng.com/HxHKVAdpQhCTxbrOF_yEFcx_4a2GeAh1mFOZkChg6Z8pgcEMEWpMganmIQ is
  .../01/09780345418913/10/38737643/21/58943?15=230911&thngId=U5mQKGDpnymBwQwRakyBqeYh
- "should transparently validate a valid compressed URI": https://dlnkd.tn.gg/ARHKVAdpQg
- "should use optimisations ...": /01/9780345418913/21/43786?foo=bar is DBHKVAdpQgqrCvBv0UMG21W
- "should allow not using optimisations ...": the same without them is ARHKVAdpQkIKqwo?foo=bar
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
import zxingcpp
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from lotscan.cli.main import cli
from lotscan.codes.dl_compression import CompressionError, compress, decompress
from lotscan.codes.interpret import interpret, interpret_text
from lotscan.codes.linters import gs1_check_digit
from lotscan.codes.scan import RawScan, Source
from lotscan.devices.decoders import ZxingDecoder

TODAY = date(2026, 1, 1)
GS1_VECTORS = [
    (
        "https://dlnkd.tn.gg/HxHKVAdpQgZzjr-hCDKigI",
        {"01": "09780345418913", "10": "231", "21": "345345", "15": "120820"},
    ),
    (
        "https://gs1.evrythng.com/HxHKVAdpQhCTxbrOF_yEFcx_4a2GeAh1mFOZkChg6Z8pgcEMEWpMganmIQ",
        {"01": "09780345418913", "10": "38737643", "21": "58943", "15": "230911"},
    ),
    ("https://dlnkd.tn.gg/ARHKVAdpQg", {"01": "09780345418913"}),
    ("https://dlnkd.tn.gg/DBHKVAdpQgqrCvBv0UMG21W", {"01": "09780345418913", "21": "43786"}),
    ("https://dlnkd.tn.gg/ARHKVAdpQkIKqwo?foo=bar", {"01": "09780345418913", "21": "43786"}),
]


@pytest.mark.parametrize(("uri", "expected"), GS1_VECTORS)
def test_gs1_toolkit_vectors_read_like_their_uncompressed_uri(uri: str, expected: dict[str, str]) -> None:
    scan = interpret_text(uri, today=TODAY)
    assert scan.ok, scan.errors
    assert scan.ais == expected
    assert scan.gtin == "09780345418913" and scan.kind.value == "product"


def test_the_non_gs1_parameter_inside_is_kept_out_of_the_ais() -> None:
    assert ("thngId", "U5mQKGDpnymBwQwRakyBqeYh") in decompress(GS1_VECTORS[1][0].rsplit("/", 1)[1])


def test_compression_gives_the_toolkit_segments() -> None:
    assert compress([("01", "09780345418913"), ("21", "43786"), ("foo", "bar")]) == "DBHKVAdpQgqrCvBv0UMG21W"
    assert compress([("01", "09780345418913"), ("21", "43786")], optimise=False) == "ARHKVAdpQkIKqwo"
    four = [("01", "09780345418913"), ("10", "231"), ("15", "120820"), ("21", "345345")]
    assert compress(four) == "HxHKVAdpQgZzjr-hCDKigI"


def test_a_partially_compressed_uri_keeps_its_key_in_the_path() -> None:
    rest = compress([("10", "LOT-7"), ("17", "261231")])
    scan = interpret_text(f"https://example.com/01/09521234543213/{rest}", today=TODAY)
    assert scan.ok, scan.errors
    assert (scan.gtin, scan.lot, scan.expiry) == ("09521234543213", "LOT-7", date(2026, 12, 31))


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("https://dlnkd.tn.gg/ARHKVAdp", "ends in the middle of a value"),
        ("https://example.com/Zm9v", "names AI (66...), which GS1 does not define"),
        ("https://example.com/products", "not compressed GS1 data either"),
    ],
)
def test_a_malformed_compressed_uri_gets_a_clear_message(uri: str, why: str) -> None:
    scan = interpret_text(uri, today=TODAY)
    assert not scan.ok
    assert scan.errors[0].code == "BAD_DIGITAL_LINK" and why in scan.errors[0].message
    with pytest.raises(CompressionError):
        decompress("ARHKVAdp")


def test_lotscan_parse_reads_a_compressed_uri_and_names_what_is_wrong_in_a_bad_one() -> None:
    read = CliRunner().invoke(cli, ["parse", "--json", GS1_VECTORS[0][0]])
    assert read.exit_code == 0, read.output
    answer = json.loads(read.output)
    assert (answer["gtin"], answer["lot"], answer["serial"]) == ("09780345418913", "231", "345345")
    bad = CliRunner().invoke(cli, ["parse", "https://dlnkd.tn.gg/ARHKVAdp"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert "ends in the middle of a value" in bad.output


def test_a_camera_reads_a_qr_code_holding_a_compressed_uri() -> None:
    uri = GS1_VECTORS[0][0]
    symbol = zxingcpp.create_barcode(uri, zxingcpp.BarcodeFormat.QRCode)
    image = np.asarray(zxingcpp.write_barcode_to_image(symbol, scale=6))
    (decoded,) = ZxingDecoder().decode(image)
    scan = interpret(RawScan(decoded.text.encode(), decoded.symbology_id, Source.CAMERA), today=TODAY)
    assert scan.ok and (scan.gtin, scan.lot, scan.serial) == ("09780345418913", "231", "345345")


_GS1_82 = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._/!%&'()*+,:;<=>?\"",
    min_size=1,
    max_size=20,
)


@given(
    gtin=st.text(alphabet="0123456789", min_size=13, max_size=13),
    lot=_GS1_82,
    serial=st.one_of(st.none(), _GS1_82),
    expiry=st.dates(date(2000, 1, 1), date(2049, 12, 31)),
    optimise=st.booleans(),
)
def test_compressing_then_decompressing_gives_the_same_elements(
    gtin: str, lot: str, serial: str | None, expiry: date, optimise: bool
) -> None:
    pairs = [("01", gtin + str(gs1_check_digit(gtin))), ("10", lot), ("17", expiry.strftime("%y%m%d"))]
    if serial is not None:
        pairs.append(("21", serial))
    assert sorted(decompress(compress(pairs, optimise=optimise))) == sorted(pairs)
