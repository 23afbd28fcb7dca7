"""The station's rows shared by what is essential (`lotscan.station.rows`, issue 14, tester Y3):
the function alone, on the figures of the screens tester ty walked."""

from __future__ import annotations

import pytest

from lotscan.station.rows import Needs, Rows, banner_usual, share_rows


def needs(**given: int) -> Needs:
    base = {"keys": 2, "banner": 2, "prompt": 1, "work_first": 4, "work": 9, "scans_first": 1, "scans": 3}
    return Needs(**{**base, **given})


def test_an_accepted_pick_at_40x16_gives_the_take_lot_lines_rows_before_blank_banner_rows() -> None:
    """Y3: a 2-row ACCEPTED with a 5-row banner left the Take-lot line's end off the screen."""
    rows = share_rows(40, 16, needs())
    assert rows == Rows(status=1, banner=5, prompt=1, scan=1, work=5, scans=1, keys=2, one_column=True)
    rows = share_rows(40, 16, needs(work_first=6))
    assert (rows.banner, rows.work, rows.scans) == (4, 6, 1)  # the banner gives its blank rows up


def test_every_row_is_given_and_none_twice() -> None:
    for width, height in [(20, 16), (24, 16), (40, 16), (80, 24), (120, 40)]:
        for banner in (1, 5, 11, 30):
            rows = share_rows(width, height, needs(banner=banner))
            assert rows.status + rows.banner + rows.prompt + rows.scan + rows.body + rows.keys == height


def test_the_keys_come_before_a_long_verdict_and_the_verdict_before_the_rest() -> None:
    """Y3 at 24x16: ?Help went when a third row of keys was needed. A verdict longer than the
    rows left takes them all; the prompt, the panel and the last scans come after it."""
    rows = share_rows(24, 16, needs(keys=3, banner=30))
    assert (rows.keys, rows.banner, rows.prompt, rows.work, rows.scans) == (3, 11, 0, 0, 0)
    rows = share_rows(40, 16, needs(banner=10, work_first=2))
    assert (rows.banner, rows.prompt, rows.work, rows.scans) == (10, 1, 1, 0)


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40)])
def test_side_by_side_the_body_takes_what_the_banner_leaves(width: int, height: int) -> None:
    usual = banner_usual(large=True, notice=False, width=width)
    rows = share_rows(width, height, needs(keys=1, banner=5, banner_usual=usual))
    assert not rows.one_column and rows.banner == 8 and rows.work == rows.scans == height - 12
    rows = share_rows(width, height, needs(keys=1, banner=12, banner_usual=usual))
    assert rows.banner == 12  # a long verdict grows the banner rather than being cut at 8


def test_a_notice_on_one_column_keeps_only_its_texts_rows() -> None:
    """A task chosen or a quantity set judges nothing: no colour block, its rows go to the panel."""
    assert banner_usual(large=False, notice=True, width=40) == 0
    assert banner_usual(large=False, notice=False, width=40) == 5
    assert banner_usual(large=False, notice=True, width=100) == 5
    rows = share_rows(40, 16, needs(banner=1, banner_usual=0))
    assert (rows.banner, rows.work, rows.scans) == (1, 9, 1)


VERDICTS = [
    " WARNING NOT_FEFO  Picked 5 SACK of lot F-LATE from A2. PL-1 line 1: 5/20. Lot F-LATE is "
    "recorded, but it was not the first to expire: lot F-EARLY at A1 was due first.",
    " REJECTED QTY_EXCEEDS_TASK  PL-4001 line 1 (Ginger nuts 250 g) is already complete (30 of 30 "
    "EA): nothing more is needed for it.\nNext: line 2, Salted crackers 200 g, 20 EA.",
    "Take FG1252E @FG-B06 20 EA\nline 2 Salted crackers 200 g, 5 there, 13d left\n",
    "(01)09521234001348(10)FG3526E(17)271231(30)20 a-word-longer-than-any-gun-is-wide\n\n\tend",
    "",
]


@pytest.mark.parametrize("width", [1, 7, 19, 20, 23, 24, 38, 40, 78, 118])
@pytest.mark.parametrize("wrap", [True, False])
@pytest.mark.parametrize("overflow", ["fold", "ellipsis"])
def test_the_rows_counted_are_the_rows_textual_draws(width: int, wrap: bool, overflow: str) -> None:
    """The app counts a region's rows without building its lines (a verdict's, on every scan):
    the count must be Textual's own, or a row would be cut or left blank."""
    from textual.content import Content

    from lotscan.station.widgets.fixed import wrapped_rows

    rules = {"text_wrap": "wrap" if wrap else "nowrap", "text_overflow": overflow}
    for text in VERDICTS:
        drawn = Content(text).get_height(rules, width)  # type: ignore[arg-type]
        assert wrapped_rows(text, width, wrap=wrap, fold=overflow == "fold") == drawn, (text, width)
