"""What `lotscan bench validate` prints (issue 14, item 8, and item 7's "human output is formatted
text, never a raw dict"): validation and recorded p50/p99, the same look-ups as bare sqlite3
statements (the floor), our judgement over that floor, and the machine's load while it ran (the
acceptance asks for the figures "with the machine's load at the time"). Run as a user types it,
on a small bench cache: the figures themselves are the lead's to measure at 1M lots."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli


def bench(tmp_path: Path, *more: str):
    args = ["bench", "validate", "--lots", "1000", "--scans", "30", "--cache-dir", str(tmp_path), *more]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result


def test_the_json_holds_both_phases_the_floor_the_ratio_and_the_load(tmp_path: Path) -> None:
    figures = json.loads(bench(tmp_path, "--json").stdout)
    for phase in ("validation", "recorded", "floor"):
        assert figures[phase]["count"] == 30, figures[phase]
        assert 0 < figures[phase]["p50_us"] <= figures[phase]["p99_us"], figures[phase]
    ratio = figures["validation_over_floor"]
    assert ratio["p50"] == round(figures["validation"]["p50_us"] / figures["floor"]["p50_us"], 2)
    assert ratio["p99"] == round(figures["validation"]["p99_us"] / figures["floor"]["p99_us"], 2)
    load = figures["load_average"]
    assert load["cpus"] >= 1 and len(load["before"]) == len(load["after"]) == 3, load
    assert sum(figures["validation"]["verdicts"].values()) == 30


def test_the_human_output_is_text_with_the_same_figures(tmp_path: Path) -> None:
    said = bench(tmp_path).stdout
    assert "{" not in said and "'" not in said, said  # the verdict counts were a Python dict
    lines = said.splitlines()
    for phase in ("validation", "recorded", "floor"):
        line = next(line for line in lines if line.startswith(phase))
        assert re.search(r"p50 +[0-9.]+ us +p99 +[0-9.]+ us", line), line
    verdicts = next(line for line in lines if line.startswith("validation "))
    assert re.search(r"(ACCEPTED|WARNING|REJECTED) [0-9]+", verdicts), verdicts
    assert re.search(r"validation / floor: p50 [0-9.]+x  p99 [0-9.]+x", said), said
    assert re.search(r"load average [0-9.]+ [0-9.]+ [0-9.]+ \(1, 5, 15 min\) on [0-9]+ CPUs", said), said
