"""scripts/setup.sh on a machine that has everything: it must not touch apt or sudo (issue 12:
a `ldconfig | grep -q` pipefail race made it run `sudo apt-get` when nothing was missing)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_setup_calls_neither_apt_nor_sudo_when_nothing_is_missing(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("sudo", "apt-get"):
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> {calls}\nexit 1\n', encoding="utf-8")
        tool.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for _ in range(5):  # the old race failed now and then, not every time
        result = subprocess.run(
            ["bash", "scripts/setup.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stderr
        assert not calls.exists(), calls.read_text(encoding="utf-8")
