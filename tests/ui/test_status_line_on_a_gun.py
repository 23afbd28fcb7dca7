"""On an RF gun's 20-24 columns an offline station says OFFLINE (tester tz, Z6; issue 14 Build 6:
"The offline line says what is wrong and since when"): at 24x16 an enrolled station whose central
was unreachable read 'Carla  CONSUME WO-3001…', with no OFFLINE at all, as the mode and task took
the columns first. The line is the status bar's own text at that width."""

from __future__ import annotations

import pytest

from lotscan.station.widgets.statusbar import StatusFacts, status_text

OFFLINE = StatusFacts(
    operator="Carla Picker", mode="consume", task="WO-3001", pending=1,
    central="127.0.0.1:18765", sync_detail="unreachable", offline_since="13:47",
)  # fmt: skip


@pytest.mark.parametrize("width", [20, 24, 30, 40])
def test_an_offline_gun_says_offline_and_the_events_waiting(width: int) -> None:
    shown = status_text(OFFLINE, width).plain[:width]
    assert "OFFLINE" in shown and "⇡1" in shown, shown


def test_a_demo_station_on_a_gun_keeps_its_line() -> None:
    """Not enrolled is nothing wrong with the network: the line is as before."""
    demo = StatusFacts(operator="Carla Picker", mode="pick", task="PL-4001", pending=1)
    assert status_text(demo, 24).plain == " Carla  PICK PL-4001  LOCAL ONLY 1 kept"
