"""A receipt's progress on its line is said with the figure it received (tester tz, Z9o, issue
14): `(3203)022046` (22.046 lb) read "Received 22.046 lb = 9.999897 KG ... line 1: 9.9999/500",
two precisions of one quantity in one sentence; and six significant digits turn a large line
into "1.23457e+06"."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from lotscan.cli.main import cli

POUNDS_LABEL = "(01)19521234001017(17)270925(10)FL25001(3203)022046"


def test_a_receipts_line_progress_says_the_figure_received() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--headless"], input="").exit_code == 0
    args = ["scan", POUNDS_LABEL, "-w", "receive", "--task", "ASN-1001", "--operator", "1001", "--json"]
    result = runner.invoke(cli, args)
    verdict = json.loads(result.output[result.output.index("{") :])
    message = verdict["message"]
    assert "22.046 lb = 9.999897 KG" in message, message
    progress = re.search(r"line 1: ([0-9.,]+)/([0-9.,]+)\.", message)
    assert progress is not None, message
    assert progress.groups() == ("9.999897", "500"), message  # the line's first receipt
    assert "9.9999/" not in message, message
