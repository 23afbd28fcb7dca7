"""`lotscan bench ui`: the real station app, headless, on a big cache.

Measures, per scan, from the moment the last key (Enter) of a keyboard-wedge burst is posted to
the moment the screen has been refreshed with the new verdict banner; the time from start to the
first complete screen (cache opened, app mounted, work panel filled); and peak RSS. The big cache
is built once per size in a child process (so building it does not count towards RSS) and copied
for each run, so the cached file is never changed.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from benchmarks import child_code
from benchmarks.bigcache import default_cache_dir, gtin_of, item_count, lot_code
from benchmarks.stats import load_average, peak_rss_mb
from lotscan.settings import StationSettings

PACE_S = 0.05  # a person cannot aim at the next label faster than this
TASKS = {"pick": "PL:PL-B1", "consume": "WO:WO-B1", "receive": "ASN:ASN-B1"}


def cached_database(lots: int, cache_dir: Path | None) -> Path:
    """The big cache for `lots`, built in a child process the first time."""
    directory = cache_dir or default_cache_dir()
    path = directory / f"cache-{lots}-1.db"
    code = child_code(
        "from pathlib import Path; from benchmarks.bigcache import build_cache; "
        "build_cache(Path(sys.argv[1]), int(sys.argv[2]))"
    )
    subprocess.run([sys.executable, "-c", code, str(path), str(lots)], check=True)
    return path


def scan_plan(lots: int, scans: int, seed: int) -> list[tuple[str, str]]:
    """Blocks of scans per workflow, each opened by its order code, like a shift would; each
    scan with its kind (badge, order, label, location)."""
    rng = random.Random(seed)
    items = min(item_count(lots), 200)  # the bench tasks list the first 200 items
    per_item = max(1, lots // item_count(lots))
    expiry = (date.today() + timedelta(days=300)).strftime("%y%m%d")
    plan: list[tuple[str, str]] = [("OP:100", "badge")]
    block = 25
    flows = ["lookup", "pick", "consume", "receive"]
    n = 0
    while len(plan) < scans + 1:
        flow = flows[(n // block) % len(flows)]
        if n % block == 0:
            plan.append(("/mode lookup", "command") if flow == "lookup" else (TASKS[flow], "order"))
        item = rng.randint(1, items)
        gtin = gtin_of(item)
        if flow == "receive":
            plan.append((f"01{gtin}17{expiry}10NEW{n:06d}\x1d30{rng.randint(1, 50)}", "label"))
        elif flow == "lookup" and rng.random() < 0.2:
            plan.append((f"LOC:R{rng.randrange(100):04d}", "location"))
        else:
            plan.append((f"(01){gtin}(10){lot_code(item, rng.randrange(per_item))}(30)1", "label"))
        n += 1
    return plan[: scans + 1]


async def drive(
    settings: StationSettings, plan: list[tuple[str, str]], started: float, pace_s: float = PACE_S
) -> dict[str, Any]:
    from textual import events
    from textual.keys import _character_to_key

    from lotscan.services.session import open_session
    from lotscan.station.app import StationApp

    session = open_session(settings)
    app = StationApp(session, start_devices=False, start_sync=False)
    shown: list[float] = []
    levels: dict[str, int] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while app._refreshing or app.query_one("#work").space is None:  # type: ignore[attr-defined]
            await asyncio.sleep(0.002)
        await pilot.pause()
        first_screen_s = time.perf_counter() - started
        banner, screen = app.banner, app.screen
        original_show, original_refresh = banner.show, screen._compositor_refresh
        waiting = []

        def show(verdict: Any, **how: Any) -> None:
            original_show(verdict, **how)
            waiting.append(True)

        def compositor_refresh() -> None:
            # The frame that carries the new banner is composed and written out here.
            original_refresh()
            if waiting:
                waiting.clear()
                shown.append(time.perf_counter())

        banner.show = show  # type: ignore[method-assign]
        screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]
        samples: list[tuple[str, float]] = []
        service: list[float] = []
        for text, kind in plan:
            before = len(shown)
            for char in text:
                key = "ctrl+right_square_bracket" if char == "\x1d" else _character_to_key(char)
                app.post_message(events.Key(key, char))
            last_key = time.perf_counter()
            app.post_message(events.Key("enter", "\r"))
            while len(shown) == before:
                await asyncio.sleep(0.0005)
            samples.append((kind, shown[-1] - last_key))
            service.append(app.last_service_s)
            verdict = banner.verdict
            if verdict is not None:
                levels[verdict.level.value] = levels.get(verdict.level.value, 0) + 1
            while app._refreshing:  # the work panel catches up before the next label is aimed at
                await asyncio.sleep(0.001)
            await asyncio.sleep(pace_s)
        await pilot.pause()
    session.service.engine.dispose()
    return {"first_screen_s": first_screen_s, "samples": samples, "service": service, "levels": levels}


async def first_screen_only(database: str) -> None:
    """In a child process: open the station, print READY once the first screen is complete."""
    from lotscan.services.session import open_session
    from lotscan.station.app import StationApp

    session = open_session(replace(StationSettings(), database=Path(database), station_id="BENCH"))
    app = StationApp(session, start_devices=False, start_sync=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while app._refreshing or app.query_one("#work").space is None:  # type: ignore[attr-defined]
            await asyncio.sleep(0.002)
        await pilot.pause()
        print("READY", flush=True)
    session.service.engine.dispose()


def first_screen_from_process_start(database: Path) -> float:
    """From starting a new Python process to the first complete screen: imports included."""
    code = child_code(
        "import asyncio; from benchmarks.ui import first_screen_only; "
        "asyncio.run(first_screen_only(sys.argv[1]))"
    )
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", code, str(database)], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "READY":
                elapsed = time.perf_counter() - started
                break
        else:
            raise click.ClickException("the station did not start in the child process")
        child.wait(30)
    return elapsed


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def timing(ordered: list[float]) -> dict[str, Any]:
    if not ordered:
        return {"count": 0}
    return {
        "count": len(ordered),
        "p50": round(percentile(ordered, 0.50) * 1000, 2),
        "p99": round(percentile(ordered, 0.99) * 1000, 2),
        "max": round(ordered[-1] * 1000, 2),
    }


@click.command()
@click.option("--lots", default=1_000_000, show_default=True, help="Lots in the bench cache.")
@click.option("--scans", default=400, show_default=True, help="Scans to time.")
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--pace-ms", default=PACE_S * 1000, show_default=True, help="Pause between scans (0: back to back)."
)
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where big caches live.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def command(lots: int, scans: int, seed: int, pace_ms: float, cache_dir: Path | None, as_json: bool) -> None:
    """Scan to verdict on screen, time to the first screen, and peak RSS of the station UI.

    \b
    Examples:
      lotscan bench ui --lots 100000 --json
    """
    source = cached_database(lots, cache_dir)
    with tempfile.TemporaryDirectory(prefix="lotscan-bench-ui-", ignore_cleanup_errors=True) as tmp:
        database = Path(tmp) / "station.db"
        shutil.copyfile(source, database)
        settings = replace(StationSettings(), database=database, station_id="BENCH")
        plan = scan_plan(lots, scans, seed)
        load_before = load_average()
        cold_start_s = first_screen_from_process_start(database)
        started = time.perf_counter()
        result = asyncio.run(drive(settings, plan, started, pace_ms / 1000))
    ordered = sorted(s for kind, s in result["samples"] if kind != "location")
    locations = sorted(s for kind, s in result["samples"] if kind == "location")
    figures = {
        "benchmark": "ui",
        "lots": lots,
        "scans": len(ordered),
        "pace_ms": pace_ms,
        "scan_to_banner_ms": timing(ordered),
        # The bench cache's racks hold ~lots/250 lots each, so a rack lookup lists thousands:
        # reported on its own, not mixed into the scan figure.
        "location_lookup_ms": timing(locations),
        # Of which: judging and committing in the service thread (the rest is queue and paint).
        "service_ms": timing(sorted(result["service"])),
        "first_screen_s": round(result["first_screen_s"], 3),
        "first_screen_from_process_start_s": round(cold_start_s, 3),
        "peak_rss_mb": peak_rss_mb(),
        "verdicts": result["levels"],
        # The figures depend on what else the machine runs: its load when the timing began and ended.
        "load_average": {"before": load_before, "after": load_average(), "cpus": os.cpu_count()},
        "targets": {"scan_to_banner_p99_ms": 50, "first_screen_s": 1.5, "peak_rss_mb": 200},
    }
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    times = figures["scan_to_banner_ms"]
    click.echo(
        f"{lots} lots, {len(ordered)} scans: scan to banner p50 {times['p50']} ms, p99 {times['p99']} ms; "
        f"first screen {figures['first_screen_s']} s; peak RSS {figures['peak_rss_mb']} MB"
    )
    load = figures["load_average"]
    click.echo(
        f"load average {' '.join(map(str, load['before']))} (1, 5, 15 min) on {load['cpus']} CPUs "
        f"when timing began, {' '.join(map(str, load['after']))} at the end"
    )
