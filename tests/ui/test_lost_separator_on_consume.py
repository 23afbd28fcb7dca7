"""A label that lost its GS separator is checked before anything built on the station's guess
(tester tz2, A1, issue 14): on consume, the demo's `(10)FLO9313B(30)2` read as one lot was
answered LOCATION_NEEDED for 50 KG (the guessed `(30) 2` sacks, which nobody had confirmed), and
the line station never showed SUSPICIOUS_LOT: it printed `reasons[1:]` as "also", which repeated
the headline's LOCATION_NEEDED and dropped the first reason. Each reason is said once."""

from __future__ import annotations

from pathlib import Path

from tests.ui.test_line_station_words import line_station, said_after

LOST_GS = "011952123400101710FLO9313B302"  # lot FLO9313B, (30) 2, the GS after the lot lost


def test_a_lost_separator_on_consume_is_asked_about_before_any_advice_on_the_guess(tmp_path: Path) -> None:
    with line_station(tmp_path) as terminal:
        said_after(terminal, "OP:1003", "Signed in")
        said_after(terminal, "WO:WO-3001", "consume WO-3001]")
        asked = said_after(terminal, LOST_GS, "consume WO-3001]")
        assert "NOT RECORDED SUSPICIOUS_LOT" in asked, asked
        assert "it probably says (01) 19521234001017, (10) FLO9313B, (30) 2;" in asked, asked
        assert "LOCATION_NEEDED" not in asked and "50" not in asked, asked
        confirmed = said_after(terminal, "/confirm", "consume WO-3001]")
        assert "REJECTED LOCATION_NEEDED" in confirmed, confirmed  # 2 sacks = 50 KG, confirmed now
        assert confirmed.count("LOCATION_NEEDED") == 1, confirmed  # the headline, not again as "also"
        assert confirmed.count("has only 10 KG at RM-A07, not 50") == 1, confirmed
        assert "also SUSPICIOUS_LOT: Read without a GS separator" in confirmed, confirmed
