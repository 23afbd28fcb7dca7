"""Layering and types: the import-linter contracts hold, headless packages never load Textual, and
mypy passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADLESS = [
    "lotscan.domain",
    "lotscan.codes.interpret",
    "lotscan.store.db",
    "lotscan.store.effects",
    "lotscan.services.station",
    "lotscan.services.session",
    "lotscan.settings",
    "lotscan.cli.scan_cmd",
]


def test_import_linter_contracts_are_kept() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_headless_import_never_loads_textual() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in HEADLESS)
        + "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        + "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("LOTSCAN_MYPY_BESIDE") == "1", reason="scripts/test.sh runs mypy beside pytest"
)
def test_mypy_passes() -> None:
    """Type hints are checked: strict for domain, codes, store, services, protocol, settings and
    paths, default for the rest (the configuration is in pyproject.toml, [tool.mypy])."""
    mypy = Path(sys.executable).with_name("mypy")
    result = subprocess.run([str(mypy)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
