"""`lotscan station --web` in a real headless Chromium (Debian's chromium + chromium-driver, no
browser download) on a 480x800 portrait page: the README's demo journey typed as keystrokes,
GS as Ctrl+] (as a DataWedge profile sends it), Enter as the suffix. Each verdict is read
from the page (the banner's colour block in a screenshot) and the recorded ones from the cache."""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.ui.served import Served, journey, served_station

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH, HEIGHT = 480, 800
# The banner's colours (src/lotscan/station/station.tcss): what a picker sees at arm's length.
BANNER = {
    "ACCEPTED": (0x00, 0xC0, 0x00),
    "WARNING": (0xFF, 0xBF, 0x00),
    "REJECTED": (0xD0, 0x00, 0x00),
    "NOTICE": (0x30, 0x30, 0x30),  # a badge, task or command: neutral, no verdict
}
SCREENSHOT = Path(tempfile.gettempdir()) / "lotscan-handheld-480x800.png"


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.fail("chromium and chromium-driver are missing: run scripts/setup.sh (it installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="lotscan-chromium-")
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.profile_dir = profile
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": True},
    )
    return driver


def banner_level(driver: Any, rows: int) -> tuple[str, bytes]:
    """The verdict colour filling the banner's first row (row 2 of the terminal), and its pixels.
    Only that row: the station shares its rows by what is essential (station/rows.py), so a
    notice (a task chosen) has a one-row banner and the prompt and panel below it."""
    screen = driver.execute_script(
        "const r = document.querySelector('.xterm-screen').getBoundingClientRect();"
        "return [r.left, r.top, r.width, r.height];"
    )
    left, top, width, height = screen
    row = height / rows
    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    region = image.crop((int(left), int(top + row * 1.1), int(left + width), int(top + row * 1.9)))
    data = region.tobytes()
    pixels = [data[i : i + 3] for i in range(0, len(data), 3)]
    counts = {
        level: sum(1 for p in pixels if max(abs(p[i] - rgb[i]) for i in range(3)) < 40)
        for level, rgb in BANNER.items()
    }
    level, count = max(counts.items(), key=lambda kv: kv[1])
    return (level if count > len(pixels) * 0.3 else "NONE"), region.tobytes()


def type_scan(driver: Any, keys: str) -> None:
    """One burst, as a keystroke-output scanner types it: GS as Ctrl+], Enter at the end."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    actions = ActionChains(driver, duration=0)
    for char in keys:
        if char == "\x1d":
            actions.key_down(Keys.CONTROL).send_keys("]").key_up(Keys.CONTROL)
        else:
            actions.send_keys(char)
    actions.send_keys(Keys.ENTER)
    actions.perform()


def wait_verdict(driver: Any, rows: int, before: bytes, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    last, since = b"", time.monotonic()
    while time.monotonic() < deadline:
        level, pixels = banner_level(driver, rows)
        if pixels != last:
            last, since = pixels, time.monotonic()
        elif pixels != before and level != "NONE" and time.monotonic() - since > 0.6:
            return level
        time.sleep(0.1)
    raise AssertionError("the banner never showed a new verdict")


def open_station(driver: Any, served: Served) -> int:
    driver.get(served.url)
    deadline = time.monotonic() + 30
    while "-first-byte" not in driver.execute_script("return document.body.className"):
        assert time.monotonic() < deadline, "the station never drew in the browser"
        time.sleep(0.1)
    time.sleep(1.0)
    [session] = served.registry()["sessions"]
    return int(session["size"].split("x")[1])


@pytest.mark.slow
def test_the_demo_journey_in_chromium_at_480x800(tmp_path: Path) -> None:
    driver = browser()
    try:
        with served_station(tmp_path) as served:
            rows = open_station(driver, served)
            assert driver.execute_script("return [innerWidth, innerHeight]") == [WIDTH, HEIGHT]
            assert driver.execute_script("return document.documentElement.scrollWidth") <= WIDTH
            # the page focuses the terminal itself: a wedge's first scan must land, with no tap first
            assert driver.execute_script("return document.activeElement.className") == "xterm-helper-textarea"
            steps = journey()
            assert any("\x1d" in keys for _, keys, _ in steps)
            for what, keys, levels in steps:
                _, before = banner_level(driver, rows)
                type_scan(driver, keys)
                level = wait_verdict(driver, rows, before)
                assert level in levels, f"{what}: the page shows {level}"
                if what.startswith("Consume: flour lot that is RECALLED"):
                    driver.save_screenshot(str(SCREENSHOT))
            [session] = served.registry()["sessions"]
            assert (session["transport"], session["operator"]) == ("web", "1001")
            rows_recorded = served.events()
    finally:
        driver.quit()
        shutil.rmtree(driver.profile_dir, ignore_errors=True)
    assert Image.open(SCREENSHOT).size == (WIDTH, HEIGHT)
    lots = [r.lot_code for r in rows_recorded]
    assert "FL25001" in lots and "FL25003" in lots and "FG3526E" in lots and "FLO3961E" not in lots
    assert [r.seq for r in rows_recorded] == list(range(1, len(rows_recorded) + 1))
    assert all(r.operator == "1001" for r in rows_recorded)
    raw = next(r.raw for r in rows_recorded if r.lot_code == "FL25001")
    assert "\x1d" in raw  # Ctrl+] in the browser arrived as GS and was kept
