"""A pick refused WRONG_LOCATION sends the picker only to places a pick takes from (tester tz2,
A5, issue 14 Build 1): after the 5 EA of FG1252E at FG-B06 were picked to the dispatch staging
place, the same label scanned at FG-B06 again said "records show it at DOCK-OUT, FG-B01. Take
it from there": DOCK-OUT holds what the pick list just picked, so following the advice picks
the same 5 EA twice. Only FG-B01 (12 EA, pickable) is a place to pick from."""

from __future__ import annotations

from tests.integration.cli.test_batch_upload_as_the_station import CRACKERS_FG1252E, fresh_demo, upload


def test_a_wrong_location_on_a_pick_names_only_pickable_places() -> None:
    fresh_demo()
    result = upload(
        ["LOC:FG-B06", CRACKERS_FG1252E, CRACKERS_FG1252E],
        "-w", "pick", "--task", "PL-4001", "--operator", "1003",
    )  # fmt: skip
    said = " ".join(result.output.split())
    assert "WRONG_LOCATION" in said, said
    assert "records show it at FG-B01." in said and "DOCK-OUT" not in said.split("WRONG_LOCATION")[-1], said
