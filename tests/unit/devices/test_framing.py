from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotscan.devices.framing import Framer, looks_like_garbage, shape_scan
from lotscan.devices.profiles import load_profile


@pytest.mark.parametrize(
    ("suffix", "stream"),
    [(b"\r", b"A1\rB2\r"), (b"\n", b"A1\nB2\n"), (b"\r\n", b"A1\r\nB2\r\n"), (b"\x03", b"A1\x03B2\x03")],
)
def test_suffixes_end_frames(suffix, stream):
    framer = Framer(suffix)
    assert framer.feed(stream, 0.0) == [b"A1", b"B2"]


def test_crlf_split_between_reads():
    framer = Framer(b"\r\n")
    assert framer.feed(b"ABC\r", 0.0) == []
    assert framer.feed(b"\nDEF\r\n", 0.001) == [b"ABC", b"DEF"]


def test_interbyte_timeout_ends_a_frame_without_suffix():
    framer = Framer(b"", interbyte_timeout_s=0.05)
    assert framer.feed(b"AB", 0.0) == []
    assert framer.feed(b"C", 0.01) == []
    assert framer.poll(0.03) == []
    assert framer.poll(0.07) == [b"ABC"]
    assert framer.feed(b"D", 0.5) == []
    assert framer.feed(b"E", 0.6) == [b"D"]  # the pause before E ended D


def test_stale_partial_data_without_suffix_is_dropped_and_counted():
    framer = Framer(b"\r", stale_after_s=1.0)
    framer.feed(b"\x8f\x9a", 0.0)
    assert framer.poll(2.0) == [] and framer.dropped_bytes == 2
    assert framer.feed(b"OK\r", 2.1) == [b"OK"]


def test_oversized_frame_is_dropped():
    framer = Framer(b"\r", max_frame_bytes=16)
    assert framer.feed(b"X" * 40, 0.0) == [] and framer.dropped_bytes == 40


def test_framer_needs_a_suffix_or_timeout():
    with pytest.raises(ValueError):
        Framer(b"")


def test_shape_keeps_or_strips_aim_ids_and_restores_gs():
    honeywell = load_profile("honeywell-serial")
    zebra = load_profile("zebra-serial")
    generic = load_profile("generic-cdc-scanner")
    kept = shape_scan(b"]d20109506000134352\x1d10A", honeywell)
    assert (kept.aim_id, kept.data) == ("]d2", b"0109506000134352\x1d10A")
    stripped = shape_scan(b"]C1010950600013435210A", honeywell.with_overrides({"aim_ids": "strip"}))
    assert (stripped.aim_id, stripped.data) == (None, b"010950600013435210A")
    assert shape_scan(b"]C1X|Y", zebra).data == b"X\x1dY"
    assert shape_scan(b"]C1X", generic).data == b"]C1X"  # a device without AIM ids: data as is


def test_prefix_is_stripped():
    profile = load_profile("generic-cdc-scanner").with_overrides({"prefix": "@@"})
    assert shape_scan(b"@@12345", profile).data == b"12345"


def test_garbage_detection():
    assert looks_like_garbage(b"\xff\xfe\x80\x13")
    assert looks_like_garbage(b"AB\x07C")
    assert not looks_like_garbage(b"0109506000134352\x1d10A")
    assert not looks_like_garbage("Grüße 日本".encode())
    assert not looks_like_garbage(b"BEGIN:VCARD\r\nN:Doe\r\nEND:VCARD")


@given(
    st.lists(st.text(alphabet="0123456789ABCDEF\x1d-/", min_size=1, max_size=40), max_size=20),
    st.integers(min_value=1, max_value=13),
)
def test_any_chunking_gives_the_same_frames(codes, chunk):
    stream = b"".join(c.encode() + b"\r\n" for c in codes)
    framer = Framer(b"\r\n")
    frames = []
    for i in range(0, len(stream), chunk):
        frames += framer.feed(stream[i : i + chunk], 0.0)
    assert frames == [c.encode() for c in codes]
