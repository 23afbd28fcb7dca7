"""How the station screen's rows are shared: one pure function, no Textual here.

Issue 14: at 40x16 (and on 20- to 32-column RF guns) nothing essential is cut. The screen is,
top to bottom: the status line, the verdict banner, the prompt, the scan line, the body (the
work panel and the last scans: side by side from 70 columns, one under the other below), the
keys. Each region says how many rows its text needs at its width; `share_rows` hands the
terminal's rows out in this order, each getting what it asks as far as rows are left, so what
is cut first is the last in the list:

1. the status line (1 row; 2 on a handheld while central's refusals wait) and the scan line;
2. the keys, every one of them, wrapped (`?Help` included);
3. the verdict: the banner's whole text (its word, its codes, the sentence, the next action);
4. the prompt, wrapped;
5. the work panel's essential lines, at its top: the line to pick and the lot to take, with
   its place and quantity (pick, consume), or the mode's instruction (move, count, hold);
6. the newest of the last scans (the lot it named), under its title where it has one;
7. the banner up to its usual height (8 rows with block letters, 5 without), so a verdict's
   colour stays a block seen from a distance, when the rows above left some; a notice (a task
   chosen, a quantity set: no verdict) on one column has no usual height, its text is all;
8. the rest of the work panel (the task's lines, a lookup), then the other last scans;
9. any rows still left: the work panel (side by side, the body takes them all).

A region's blank rows so only ever come from rows nobody needs. The app applies the heights on
a resize and whenever a region's text changes (`StationApp.share_rows`); the work panel keeps
its essential lines in view (they are at its top). docs/station.md says the same.
"""

from __future__ import annotations

from dataclasses import dataclass

ONE_COLUMN_BELOW = 70  # narrower: the last scans go under the work panel
STATUS_ROWS = 1
SCAN_ROWS = 1
BANNER_USUAL = 5  # a verdict's colour block, when no essential needs the rows
BANNER_USUAL_LARGE = 8  # with the level in block letters (80x24 and larger)


@dataclass(frozen=True)
class Needs:
    """The rows each region's text takes at its width now."""

    keys: int
    banner: int
    prompt: int
    work_first: int  # the work panel's essential lines, at its top
    work: int  # all its lines
    scans_first: int  # the newest of the last scans, with the title when there is one
    scans: int  # all of them
    banner_usual: int = BANNER_USUAL
    status: int = STATUS_ROWS


@dataclass(frozen=True)
class Rows:
    """Each region's height in rows; `one_column`: the last scans under the work panel (their
    heights add up), else beside it (both are the body's height)."""

    status: int
    banner: int
    prompt: int
    scan: int
    work: int
    scans: int
    keys: int
    one_column: bool

    @property
    def body(self) -> int:
        return self.work + self.scans if self.one_column else max(self.work, self.scans)


def one_column(width: int) -> bool:
    return width < ONE_COLUMN_BELOW


def banner_usual(*, large: bool, notice: bool, width: int) -> int:
    """The rows the banner keeps when no essential needs them (step 7)."""
    if large:
        return BANNER_USUAL_LARGE
    return 0 if notice and one_column(width) else BANNER_USUAL


def share_rows(width: int, height: int, needs: Needs) -> Rows:
    """The terminal's `height` rows shared in the order of the module's docstring."""
    left = max(0, height)

    def grant(wanted: int) -> int:
        nonlocal left
        given = max(0, min(wanted, left))
        left -= given
        return given

    status = grant(needs.status)
    scan = grant(SCAN_ROWS)
    keys = grant(needs.keys)
    banner = grant(needs.banner)
    prompt = grant(needs.prompt)
    if one_column(width):
        work = grant(needs.work_first)
        scans = grant(needs.scans_first)
        banner += grant(needs.banner_usual - banner)
        work += grant(needs.work - work)
        scans += grant(needs.scans - scans)
        work += grant(left)
        return Rows(status, banner, prompt, scan, work, scans, keys, one_column=True)
    body = grant(max(needs.work_first, needs.scans_first))
    banner += grant(needs.banner_usual - banner)
    body += grant(left)
    return Rows(status, banner, prompt, scan, body, body, keys, one_column=False)
