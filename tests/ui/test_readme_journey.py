"""The README's demo table, typed into the station app as written (issue 14: a Pilot test of the
README demo journey), and the README's screenshots are the snapshot tests' own."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.settings import load_settings
from lotscan.station.factory import station_app
from tests.conftest import ROOT
from tests.ui.conftest import FIXED_CLOCK, banner_text, panel_text, scan, settle

README = ROOT / "README.md"
ROW = re.compile(r"^\| (`.+?`(?: then `.+?`)?) \| (.+) \|$")


def demo_table() -> list[tuple[list[str], str]]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| type this | what happens |") :].split("\n\n")[0]
    rows = []
    for line in table.splitlines():
        found = ROW.match(line)
        if found:
            rows.append((re.findall(r"`([^`]+)`", found.group(1)), found.group(2)))
    return rows


@pytest.mark.anyio
async def test_the_readme_demo_table_works_as_written(tmp_path: Path) -> None:
    rows = demo_table()
    assert len(rows) >= 7
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    app = station_app(
        replace(load_settings(), database=database), clock=lambda: FIXED_CLOCK, start_sync=False
    )
    ahead = (app.today() + timedelta(days=300)).strftime("%y%m%d")
    async with app.run_test(size=(80, 24)) as pilot:
        for typed, what in rows:
            for code in typed:
                code = code.replace("YYMMDD", ahead)
                if code == "/help":
                    await scan(pilot, code)
                    await settle(pilot)
                    body = str(app.screen.query_one("#menu-body").render())
                    assert all(word in body for word in re.findall(r"`(/\w+)`", what))
                    continue
                level = await scan(pilot, code)
                shown = banner_text(app)
                for expected in ("ACCEPTED", "WARNING", "REJECTED"):
                    if expected in what and code == typed[-1]:
                        assert level == expected, f"{code}: {what}\n{shown}"
                for word in re.findall(r"\b[A-Z]+_[A-Z_]+\b", what):
                    assert word in shown, f"{code}: {what}\n{shown}"
                if "FEFO prompt" in what:
                    assert "Take lot" in panel_text(app)
                if what.startswith("sign in") or what.startswith("open the"):
                    assert app.banner.has_class("-notice"), shown


@pytest.mark.parametrize("name", ["sign-in", "pick-fefo-warning", "pick-refused"])
@pytest.mark.parametrize("size", ["80x24", "40x16"])
def test_the_readme_screenshots_are_the_snapshots(name: str, size: str) -> None:
    shown = ROOT / "docs" / "screens" / f"{name}-{size}.svg"
    snapshot = ROOT / "tests" / "ui" / "__snapshots__" / "test_snapshots" / f"test_screen[{name}-{size}].svg"
    assert shown.name in README.read_text(encoding="utf-8")
    assert shown.read_bytes() == snapshot.read_bytes(), f"copy {snapshot} to {shown}"
