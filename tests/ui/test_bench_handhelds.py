"""`lotscan bench handhelds` runs end to end (a served station, web and SSH clients) on a small
cache and prints its figures as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli


def test_bench_handhelds_json_on_a_small_cache(tmp_path: Path) -> None:
    args = ["bench", "handhelds", "--lots", "2000", "--web", "1", "--ssh", "1", "--seconds", "4"]
    result = CliRunner().invoke(cli, [*args, "--interval", "1", "--cache-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["sessions"] == {"web": 1, "ssh": 1}
    assert figures["scans_sent"] >= 4 and figures["verdicts_seen"] == figures["scans_sent"]
    assert figures["scans_recorded"] == figures["scans_sent"]
    assert figures["keystroke_to_verdict_web_ms"]["count"] > 0
    assert figures["keystroke_to_verdict_ssh_ms"]["count"] > 0
    assert figures["baseline_judge_and_commit_ms"]["count"] == 200
    assert figures["station_rss_with_sessions_mb"] > figures["station_rss_idle_mb"] > 0
    assert figures["station_cpu_percent_of_one_core"] > 0
