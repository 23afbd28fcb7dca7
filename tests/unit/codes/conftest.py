"""Shared helpers for the scan-interpretation tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

STANDARDS = Path(__file__).resolve().parents[3].parent / "shared" / "standards"
TODAY = date(2026, 6, 23)


@pytest.fixture
def standards() -> Path:
    if not STANDARDS.is_dir():
        pytest.skip(f"standards test data not present at {STANDARDS} (../shared/standards)")
    return STANDARDS
