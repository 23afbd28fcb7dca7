"""Where the project's data folders (config/, drivers/) are: $LOTSCAN_HOME, else the checkout."""

from __future__ import annotations

import os
from pathlib import Path


def project_home() -> Path:
    env = os.environ.get("LOTSCAN_HOME")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parents[2]


def demo_data_dir() -> Path:
    return project_home() / "config" / "demo"
