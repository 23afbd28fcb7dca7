"""`lotscan central serve` settings: one default each (audit: deferred, as documented), options
over LOTSCAN_CENTRAL_* over the --config file, and mistakes named with exit 2, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lotscan.central import app as central_app
from lotscan.central.config import CentralSettings
from lotscan.central.deps import Settings

LOTSCAN = str(Path(sys.executable).with_name("lotscan"))
ROOT = Path(__file__).resolve().parents[3]


def show(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOTSCAN_CENTRAL_")}
    return subprocess.run(
        [LOTSCAN, "central", "serve", "--show", *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        check=False,
    )


def test_audit_mode_has_one_default_and_it_is_deferred(tmp_path: Path) -> None:
    assert CentralSettings().audit == "deferred"
    assert Settings().audit_inline is False  # what create_app and the routers use by default
    app = central_app.create_app(f"sqlite:///{tmp_path / 'c.db'}")
    assert app.state.settings.audit_inline is False
    shipped = json.loads(show("--config", str(ROOT / "config" / "central.toml")).stdout)
    assert shipped["audit"] == "deferred"
    assert json.loads(show().stdout)["audit"] == "deferred"


def test_options_win_over_the_environment_which_wins_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "central.toml"
    config.write_text('[central]\nport = 9001\naudit = "inline"\nthreads = 4\n', encoding="utf-8")
    result = show("--config", str(config), "--threads", "8", LOTSCAN_CENTRAL_AUDIT="deferred")
    shown = json.loads(result.stdout)
    assert (shown["port"], shown["audit"], shown["threads"]) == (9001, "deferred", 8)
    assert shown["origins"]["port"] == f"file {config}"
    assert shown["origins"]["audit"] == "env LOTSCAN_CENTRAL_AUDIT"
    assert shown["origins"]["threads"] == "option --threads"
    assert shown["origins"]["host"] == "default"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[central]\nprot = 9000\n", "unknown key 'prot' in [central]; did you mean 'port'?"),
        ('[central]\naudit = "sometimes"\n', "[central] audit = 'sometimes' is not allowed"),
        ("[central]\nport = 70000\n", "use a TCP port, 1 to 65535"),
        ("[centrl]\nport = 9000\n", "unknown table [centrl]; the settings go in [central]"),
    ],
)
def test_a_central_settings_mistake_is_named_and_exits_2(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "central.toml"
    config.write_text(toml, encoding="utf-8")
    result = show("--config", str(config))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_bad_environment_value_names_the_variable() -> None:
    result = show(LOTSCAN_CENTRAL_THREADS="many")
    assert result.returncode == 2
    assert "env LOTSCAN_CENTRAL_THREADS: [central] threads = 'many' is not allowed" in result.stderr
