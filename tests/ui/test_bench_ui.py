"""`lotscan bench ui` runs end to end on a small cache and prints its figures as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli


def test_bench_ui_json_on_a_small_cache(tmp_path: Path) -> None:
    args = ["bench", "ui", "--lots", "2000", "--scans", "30", "--cache-dir", str(tmp_path), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["lots"] == 2000
    assert figures["scan_to_banner_ms"]["count"] + figures["location_lookup_ms"]["count"] == 31
    assert figures["scan_to_banner_ms"]["p50"] > 0 and figures["first_screen_s"] > 0
    assert figures["peak_rss_mb"] > 0
    # issue 14 acceptance: the figures "with the machine's load at the time"
    load = figures["load_average"]
    assert load["cpus"] >= 1 and len(load["before"]) == len(load["after"]) == 3, load
    assert (tmp_path / "cache-2000-1.db").exists()  # kept for the next run
