"""The keyboard-wedge capture logic, without Textual: bursts, typing, GS, terminators, pastes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lotscan.station.wedge import GS, Hotkey, Line, WedgeCapture, WedgeConfig


def feed(capture: WedgeCapture, text: str, start: float = 0.0, gap: float = 0.005) -> list:
    out = []
    t = start
    for char in text:
        if char == GS:
            out += capture.key("ctrl+right_square_bracket", None, t)
        elif char == "\r":
            out += capture.key("enter", "\r", t)
        else:
            out += capture.key(char, char, t)
        t += gap
    return out


def test_a_burst_keeps_gs_and_ends_on_enter() -> None:
    capture = WedgeCapture()
    (line,) = feed(capture, f"0109521234001348{GS}10LOT1\r")
    assert line == Line(f"0109521234001348{GS}10LOT1", True, 0.0, line.ended)
    assert capture.text == ""


def test_alt_0029_is_gs() -> None:
    capture = WedgeCapture()
    feed(capture, "10LOT")
    for n, key in enumerate(("alt+0", "alt+0", "alt+2", "alt+9")):
        capture.key(key, None, 0.03 + n * 0.001)
    (line,) = feed(capture, "3012\r", start=0.04)
    assert line.text == f"10LOT{GS}3012" and line.burst


def test_slow_keys_are_typing_and_can_be_edited() -> None:
    capture = WedgeCapture()
    feed(capture, "LOC:A9", gap=0.2)
    capture.key("backspace", None, 2.0)
    (line,) = feed(capture, "1\r", start=2.2, gap=0.2)
    assert line.text == "LOC:A1" and not line.burst
    feed(capture, "abc", start=5, gap=0.3)
    capture.key("escape", None, 6)
    assert capture.text == ""


def test_a_scan_fired_into_half_typed_text_is_its_own_line() -> None:
    capture = WedgeCapture()
    feed(capture, "12", gap=0.3)
    (line,) = feed(capture, "(01)09521234001348\r", start=2.0)
    assert line.text == "(01)09521234001348" and line.burst
    assert capture.text == "12"  # the typing is still there


def test_a_lone_letter_is_a_hotkey_only_when_no_key_follows_quickly() -> None:
    capture = WedgeCapture(hotkeys={"m", "h"})
    assert capture.key("m", "m", 0.0) == []
    assert capture.poll(0.06) == []  # a person typing a code by hand is this slow, or slower
    assert capture.poll(0.36) == [Hotkey("m")]
    (line,) = feed(capture, "https://id.gs1.org/01/09521234001348\r", start=1.0)
    assert line.text.startswith("https://") and line.burst


def test_no_terminator_profile_ends_a_burst_on_a_pause_but_not_typing() -> None:
    capture = WedgeCapture(WedgeConfig.for_suffix("NONE", 100))
    feed(capture, "0109521234001348")
    deadline = capture.next_deadline()
    assert deadline is not None
    (line,) = capture.poll(deadline + 0.001)
    assert line.text == "0109521234001348"
    feed(capture, "12", start=5, gap=0.5)
    assert capture.poll(9) == [] and capture.text == "12"


def test_tab_terminator_profile() -> None:
    capture = WedgeCapture(WedgeConfig.for_suffix("TAB"))
    feed(capture, "LOC:A1")
    (line,) = capture.key("tab", "\t", 1.0)
    assert line.text == "LOC:A1"


def test_each_line_of_a_paste_is_one_scan() -> None:
    capture = WedgeCapture()
    lines = capture.paste(f"OP:1001\r\n(01)19521234001017{GS}10X\n\nLOC:A1", 1.0)
    assert [line.text for line in lines] == ["OP:1001", f"(01)19521234001017{GS}10X", "LOC:A1"]
    assert all(line.pasted for line in lines)


@given(
    st.lists(
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E) | st.just(GS), min_size=4, max_size=40),
        min_size=1,
        max_size=20,
    )
)
def test_back_to_back_bursts_come_out_whole_and_in_order(scans: list[str]) -> None:
    capture = WedgeCapture(hotkeys={"m"})
    out: list = []
    t = 0.0
    for text in scans:
        out += feed(capture, text + "\r", start=t, gap=0.001)
        t += 0.001 * (len(text) + 1)
    assert [o.text for o in out if isinstance(o, Line)] == scans


def test_a_scan_that_stalls_midway_is_still_one_scan() -> None:
    """The demo walk in tmux at load 18: a 48-character receive label arrived in two runs 0.1 s
    apart. The first run stayed on the scan line as if typed and the second was judged alone
    (its lot half, 'now scan the GTIN'). Two runs of fast keys a short stall apart are one scan;
    typing before a scan still stays on the line."""
    capture = WedgeCapture()
    assert feed(capture, "(01)19521234001017(17)271231", gap=0.002) == []
    (line,) = feed(capture, "(10)FL25001(30)20\r", start=0.2, gap=0.002)
    assert line.text == "(01)19521234001017(17)271231(10)FL25001(30)20" and line.burst
    assert capture.text == ""
    feed(capture, "12", start=1.0, gap=0.3)  # typed by hand, then a scan fired into it
    (line,) = feed(capture, "(01)09521234001348\r", start=1.7, gap=0.002)
    assert line.text == "(01)09521234001348" and capture.text == "12"


def test_a_newline_ends_a_line_as_enter_does() -> None:
    """Keys typed before the station took the terminal come with newlines for their Enters (the
    terminal was in line mode): each line is its own scan, not glued to the next (tester tz, Z4)."""
    for capture in (WedgeCapture(), WedgeCapture(WedgeConfig.for_suffix("TAB"))):
        out: list[Line | Hotkey] = []
        for n, char in enumerate("OP:1003\nPL:PL-4001\n"):
            key = "ctrl+j" if char == "\n" else char
            out += capture.key(key, char, n * 0.001)
        assert [(type(line), getattr(line, "text", "")) for line in out] == [
            (Line, "OP:1003"),
            (Line, "PL:PL-4001"),
        ]
        assert capture.text == ""
