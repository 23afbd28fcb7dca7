from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotscan.devices.keymap import KEY_LEFTALT, KeyDecoder, type_text

GS1 = "0109506000134352\x1d10LOT-42/A\x1d21SN#1\r"


def decode(events, layout="us") -> str:
    decoder = KeyDecoder(layout)
    return "".join(decoder.feed(code, value) for code, value in events)


@pytest.mark.parametrize("layout", ["us", "de", "fr"])
@pytest.mark.parametrize("gs_as", ["ctrl", "alt"])
def test_gs1_scan_with_gs_round_trips_on_each_layout(layout, gs_as):
    assert decode(type_text(GS1, layout, gs_as=gs_as), layout) == GS1


def test_alt_029_on_the_keypad_is_gs():
    events = [(KEY_LEFTALT, 1), (82, 1), (82, 0), (80, 1), (80, 0), (73, 1), (73, 0), (KEY_LEFTALT, 0)]
    assert decode(events) == "\x1d"


def test_layout_mismatch_mangles_as_on_real_kiosks():
    # a scanner typing for a US host, read as German: y and z swap, "-" becomes "ß"
    assert decode(type_text("zy-1", "us"), "de") == "yzß1"


def test_unknown_layout_is_a_clear_error():
    with pytest.raises(ValueError, match="us, de, fr"):
        KeyDecoder("xx")


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-./:\x1d", max_size=60)
)
def test_any_scanner_text_round_trips_on_us(text):
    assert decode(type_text(text)) == text


def test_hid_scans_end_at_enter_or_after_a_pause_and_keep_aim_and_gs():
    from lotscan.devices.hid_reader import KeyScanAssembler
    from lotscan.devices.profiles import load_profile

    assembler = KeyScanAssembler(load_profile("generic-hid-wedge"))  # Enter, 250 ms, AIM kept
    first = assembler.feed(type_text("]C10109506000134352\x1d10LOT1\r", gs_as="alt"), now=0.0)
    assert [(s.aim_id, s.data) for s in first] == [("]C1", b"0109506000134352\x1d10LOT1")]
    assert assembler.feed(type_text("]E09506000134352"), now=1.0) == []
    assert assembler.feed([], now=1.1) == []
    (second,) = assembler.feed([], now=1.3)  # no Enter: the pause ends the scan
    assert (second.aim_id, second.data) == ("]E0", b"9506000134352")
