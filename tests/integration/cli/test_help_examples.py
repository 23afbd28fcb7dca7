"""Every example in a station command's --help runs as written (issue 14, item 7), on the demo
cache `lotscan demo` makes, through the real console script and a real shell.

Left out: `lotscan central ...` examples need a running central database with lots in it
(tests/trace covers those commands); `lotscan bench ...` examples are benchmarks of minutes on
a million lots, run on purpose, not in the suite (tests/ui/test_bench_ui.py and benchmarks/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.cli.main import cli
from lotscan.paths import demo_database

BIN = Path(sys.executable).parent
LEFT_OUT = {"central", "bench"}


def _commands(group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()):
    for name in group.list_commands(ctx):
        if name in LEFT_OUT:
            continue
        command = group.get_command(ctx, name)
        if command is None:
            continue
        sub = click.Context(command, info_name=name, parent=ctx)
        yield (*path, name), command.get_help(sub)
        if isinstance(command, click.Group):
            yield from _commands(command, sub, (*path, name))


def help_examples() -> list[tuple[str, str]]:
    root = click.Context(cli, info_name="lotscan")
    examples = []
    for path, text in _commands(cli, root):
        lines = text.splitlines()
        for index, line in enumerate(lines):
            if line.strip() != "Examples:":
                continue
            for example in lines[index + 1 :]:
                if not example.strip():
                    break
                examples.append((" ".join(path), example.strip()))
    return examples


EXAMPLES = help_examples()


def test_the_help_texts_have_examples_and_no_stray_escapes() -> None:
    assert {"parse", "scan", "label"} <= {command for command, _ in EXAMPLES}
    root = click.Context(cli, info_name="lotscan")
    for path, text in _commands(cli, root):
        assert "\\b" not in text and "\b" not in text, f"lotscan {' '.join(path)} --help"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("examples-home")
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
    }
    saved = {key: os.environ.get(key) for key in ("XDG_DATA_HOME", "XDG_CONFIG_HOME")}
    os.environ.update({key: env[key] for key in saved})
    try:
        prepare_demo(demo_database(), reset=False)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return env


@pytest.mark.slow
@pytest.mark.parametrize(("command", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_help_example_runs_as_written(
    command: str, example: str, demo_home: dict[str, str], tmp_path: Path
) -> None:
    done = subprocess.run(
        ["bash", "-c", example], cwd=tmp_path, env=demo_home, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"lotscan {command} --help: {example}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
