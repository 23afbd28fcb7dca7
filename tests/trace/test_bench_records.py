"""Records of the trace bench's generated genealogy (benchmarks/tracegen.py, 3,000 events, lot
codes of 20 characters): the drill page a QA manager opens in a real Chromium, and the FSMA 204
spreadsheet checked with openpyxl against the rule's table (tests/trace/test_fsma.RULE, written
clause by clause from 21 CFR 1.1325-1.1350)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.tracegen import Shape, build, busy_candidates
from lotscan.central.db import open_central
from lotscan.cli.main import cli as main
from tests.trace.test_fsma import LOCATION_COLUMNS, RULE, exported
from tests.ui.test_web import browser

PREFIX = "NVF261128-"  # + "L1-0000042": 20 characters, as some plants print lot codes
PAGE_WIDTH, PAGE_HEIGHT = 1280, 900


@dataclass
class Bench:
    url: str
    busy: str
    drill: Path


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    """The bench's genealogy, and a drill (both directions) of its busy lot by the CLI."""
    directory = tmp_path_factory.mktemp("bench")
    url = f"sqlite:///{directory / 'central.db'}"
    engine = open_central(url)
    shape = Shape(3000, lot_prefix=PREFIX)
    build(engine, shape)
    engine.dispose()
    busy = next(busy_candidates(shape))
    assert len(busy) == 20
    out = directory / "drill"
    result = CliRunner().invoke(
        main, ["central", "drill", busy, "--out", str(out), "--by", "qa", "--db", url]
    )
    assert result.exit_code == 0, result.output
    yield Bench(url, busy, out)


def test_the_drill_page_shows_whole_lot_codes_and_every_lot_opens_its_events(bench: Bench) -> None:
    from selenium.webdriver.common.by import By

    report = json.loads((bench.drill / "drill.json").read_text())
    assert report["result"] == "balanced" and report["affected_lots"] > 500
    driver = browser()
    try:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": PAGE_WIDTH, "height": PAGE_HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        driver.get((bench.drill / "drill.html").as_uri())
        # Every lot code in the picture is whole: its text ends inside its box.
        overflow = driver.execute_script(
            """return [...document.querySelectorAll('svg a')].filter(a => {
                 const box = a.querySelector('rect').getBBox();
                 return [...a.querySelectorAll('text')].some(t => {
                   const b = t.getBBox(); return b.x + b.width > box.x + box.width - 2; });
               }).map(a => a.textContent);"""
        )
        assert overflow == []
        codes = driver.execute_script(
            "return [...document.querySelectorAll('svg text.lot')].map(t => t.textContent)"
        )
        assert bench.busy in codes and all(len(c) == 20 for c in codes if c.startswith(PREFIX))
        # No empty header row in any table.
        empty_rows = driver.execute_script(
            """return [...document.querySelectorAll('tr')].filter(
                 r => r.querySelector('th') && r.textContent.trim() === '').length"""
        )
        assert empty_rows == 0
        # Wide levels collapse: at most 12 boxes a level, the rest one box that opens the level's list.
        levels = driver.execute_script(
            "return [...document.querySelectorAll('section[id^=level-]')].map(s => s.id)"
        )
        assert len(levels) == 6  # the busy raw lot and five levels down
        more = driver.find_elements(By.CSS_SELECTOR, "svg a rect.more")
        assert more
        # A lot drawn in the picture opens its events: a lot two levels down.
        link = next(
            a
            for a in driver.find_elements(By.CSS_SELECTOR, "svg a")
            if "L2-" in a.text and PREFIX in a.get_attribute("textContent")
        )
        target = driver.execute_script("return arguments[0].getAttribute('href')", link)
        lot_section = driver.find_element(By.ID, target[1:])
        events = lot_section.find_element(By.TAG_NAME, "table")
        assert not events.is_displayed()
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", link)
        assert driver.current_url.endswith(target) and events.is_displayed()
        assert "lot.produced" in events.text
        driver.save_screenshot(str(bench.drill / "drill-events.png"))
    finally:
        driver.quit()


def test_fsma_export_of_the_bench_genealogy_has_every_kde_the_rule_requires(
    bench: Bench, tmp_path: Path
) -> None:
    records, missing = exported(bench.url, tmp_path / "bench-fsma.xlsx")
    listed: dict[int, set[str]] = defaultdict(set)
    for m in missing:
        listed[m["Row"]].add(m["Missing KDE"])
    assert missing == [], missing[:3]  # the bench records every KDE
    # The bench makes lots by receiving, transformation and shipping (no farm records).
    assert {r["Event Type"] for r in records} == {"Receiving", "Transformation", "Shipping"}
    for number, record in enumerate(records, start=2):
        for kdes, clause in RULE[record["Event Type"]].items():
            options = kdes.split("|")
            # Filled, or named in Missing KDEs: never silently empty.
            assert (
                any(record[o] not in (None, "") for o in options) or " or ".join(options) in listed[number]
            ), (number, record["Event Type"], kdes, clause)
    moving = [r for r in records if r["Event Type"] in ("Receiving", "Shipping")]
    assert not [n for n in listed if records[n - 2]["Event Type"] in ("Receiving", "Shipping")]
    for r in moving:
        # 1.1340(a)(7), 1.1345(a)(7): the TLC source's location description or its reference.
        assert (
            r["Traceability Lot Code Source Location Description"]
            or r["Traceability Lot Code Source Reference"]
        )
        for column in LOCATION_COLUMNS:
            if r[column]:  # 1.1310: business name, phone number, physical location address
                name, street, city, postal_code, country, phone = r[column].rsplit(", ", 5)[-6:]
                assert name and street and city and postal_code and country and phone.startswith("+"), r[
                    column
                ]
    received = [r for r in moving if r["Event Type"] == "Receiving"]
    # 1.1320(b): received lots keep the supplier's TLC (the bench's supplier lots are SL<n>).
    assert received and all(r["Traceability Lot Code"].startswith("SL") for r in received)
    assert all(r["Internal Lot Code"].startswith(PREFIX) for r in received)
