"""Interpretation is total: any input gives a Scan, never an exception (strict path, so a
programming error is not hidden by the public safety net)."""

from __future__ import annotations

import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotscan.codes.aim import _TABLE as AIM_TABLE
from lotscan.codes.interpret import InterpretOptions, interpret_strict
from lotscan.codes.scan import RawScan, Scan, Source

TODAY = date(2026, 6, 23)  # fixed, so two-digit years and expiry never drift


# LOTSCAN_FUZZ_EXAMPLES=10000 for a longer hunt; 400 keeps the suite fast.
FUZZ = settings(
    max_examples=int(os.environ.get("LOTSCAN_FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
OPTIONS = InterpretOptions(gs_substitutes=("|", "<GS>", "^]"))
VALID = [
    "]C10109521234543213\x1d10ABC123\x1d17250300",
    "]d20109521234543213172503001021A\x1d21SER",
    "(01)09521234543213(10)ABC(3103)001250",
    "https://id.gs1.org/01/09521234543213/10/ABC?17=250331",
    "]E02112345678900|]e099COMPOSITE\x1d98XYZ",
    "00106141412345678908\x1d0209521234543213\x1d37100",
    "4149520123456788\x1d2543a",
    "3074257BF7194E4000001A85",
    "LOC:A-01-02",
]
AIM_IDS = [*AIM_TABLE, "]", "]X", "]zz", "]C", None]


def _check(scan: Scan, raw: RawScan) -> None:
    assert isinstance(scan, Scan)
    for finding in (*scan.errors, *scan.warnings):
        assert finding.code and finding.message
        if finding.start is not None:
            assert 0 <= finding.start <= len(scan.raw)
            assert finding.end is None or finding.start <= finding.end <= len(scan.raw) + 1
    if not raw.data.strip():
        assert scan.errors


@FUZZ
@given(data=st.binary(max_size=120), source=st.sampled_from(list(Source)))
def test_arbitrary_bytes(data: bytes, source: Source) -> None:
    raw = RawScan(data=data, source=source)
    _check(interpret_strict(raw, OPTIONS, today=TODAY), raw)


@FUZZ
@given(
    aim=st.sampled_from(AIM_IDS),
    body=st.text(alphabet=st.sampled_from("0123456789ABC|^]()\x1d/?=&%:.-"), max_size=60),
    given_separately=st.booleans(),
)
def test_arbitrary_aim_ids(aim: str | None, body: str, given_separately: bool) -> None:
    if given_separately:
        raw = RawScan(data=body.encode(), aim_id=aim)
    else:
        raw = RawScan(data=((aim or "") + body).encode())
    _check(interpret_strict(raw, OPTIONS, today=TODAY), raw)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = list(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["delete", "insert", "replace", "swap"]))
        index = draw(st.integers(0, max(len(text) - 1, 0)))
        char = draw(st.sampled_from(list("0123456789AZaz\x1d|()/?=&%~ ]\r\n")))
        if action == "delete" and text:
            del text[index]
        elif action == "insert":
            text.insert(index, char)
        elif action == "replace" and text:
            text[index] = char
        elif text:
            other = draw(st.integers(0, len(text) - 1))
            text[index], text[other] = text[other], text[index]
    return "".join(text)


@FUZZ
@given(text=mutated(), source=st.sampled_from([Source.KEYBOARD, Source.CAMERA, Source.RFID]))
def test_mutated_valid_scans(text: str, source: Source) -> None:
    raw = RawScan(data=text.encode(), source=source)
    _check(interpret_strict(raw, OPTIONS, today=TODAY), raw)


def test_valid_seeds_are_valid() -> None:
    for text in VALID:
        scan = interpret_strict(RawScan(data=text.encode()), OPTIONS, today=TODAY)
        assert scan.ok, (text, scan.errors)
