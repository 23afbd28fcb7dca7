"""Tester's #20: `lotscan bench validate` said nothing while it built a million lots (35 s):
it tells its progress on stderr, and stdout stays one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli


def test_bench_validate_tells_its_progress_on_stderr(tmp_path: Path) -> None:
    args = ["bench", "validate", "--lots", "1000", "--scans", "20", "--cache-dir", str(tmp_path), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    said = result.stderr
    for step in ("building a cache of 1,000 lots", "1,000 of 1,000 lots", "judging 20 scans", "recording 20"):
        assert step in said, said
    assert json.loads(result.stdout)["lots"] == 1000
