"""The demo data set's barcodes, with their relative expiry dates made real for today."""

from __future__ import annotations

import re
from datetime import date, timedelta

from lotscan.paths import demo_data_dir


def demo_barcodes(today: date | None = None) -> list[tuple[str, str]]:
    """(what, code) rows of config/demo/barcodes.md; {expiry:N} becomes today + N days (YYMMDD)."""
    today = today or date.today()
    try:
        table = (demo_data_dir() / "barcodes.md").read_text(encoding="utf-8")
    except OSError:
        return []
    rows = []
    for what, code in re.findall(r"^\| (.+?) \| `(.+?)` \|$", table, flags=re.MULTILINE):
        code = re.sub(
            r"\{expiry:(-?\d+)\}",
            lambda m: (today + timedelta(days=int(m.group(1)))).strftime("%y%m%d"),
            code,
        )
        rows.append((what, code))
    return rows
