"""A one-digit lot sequence is a width like any other (tester tz, Z12, issue 14): with
`pattern = "{date:%y%j}{seq:01}"` the 10th lot of the day became `2633310-ST-01`, one character
longer than the nine before it, where README promises "`{seq:0N}` numbers up to N digits of lots a
day; the next one is refused (LOT_NUMBERS_USED_UP), never widened"."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli

PRODUCE = [
    "scan",
    "(01)09521234001317",
    "-w",
    "produce",
    "--task",
    "WO-3001",
    "--operator",
    "1001",
    "--qty",
    "1",
]


def test_the_tenth_lot_of_a_one_digit_day_is_refused_not_widened() -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "lotscan" / "station.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[lots]\npattern = "{date:%y%j}{seq:01}"\n', encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--headless"], input="").exit_code == 0
    made = []
    for _ in range(9):
        result = runner.invoke(cli, PRODUCE)
        assert result.exit_code == 0, result.output
        made.append(result.output.split("Produced lot ")[1].split()[0])
    assert [lot[5] for lot in made] == [str(n) for n in range(1, 10)], made
    assert len({len(lot) for lot in made}) == 1, made
    tenth = runner.invoke(cli, PRODUCE)
    said = " ".join(tenth.output.split())
    assert tenth.exit_code == 1, said
    assert "LOT_NUMBERS_USED_UP" in said and "numbers 9 lots a day" in said and "lot 10 of the day" in said, (
        said
    )
    assert "Produced lot" not in said


def test_a_sequence_padded_with_spaces_is_refused_when_the_settings_load(tmp_path: Path) -> None:
    """Found beside Z12: `{seq:3}` pads with spaces, so lot 1 of a day was `26333  1-ST-01`, a lot
    number no GS1 label can carry (set 82 has no space); the load check looked only at lot 999."""
    config = tmp_path / "station.toml"
    config.write_text('[lots]\npattern = "{date:%y%j}{seq:3}"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["config", "--config", str(config)])
    said = " ".join(result.output.split())
    assert result.exit_code == 2, said
    assert "[lots] pattern" in said and "a space is outside GS1 character set 82" in said, said
    assert "Traceback" not in said
