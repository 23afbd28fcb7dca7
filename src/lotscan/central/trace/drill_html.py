"""drill.html: the one page a QA manager opens after a mock recall drill. Summary first, then the
mass balance (differences first), customers and suppliers, a genealogy picture (SVG) of the
affected lots collapsed by level, and every lot with its events (each lot in the picture and the
tables links to them). Static HTML, no scripts, no outside resources."""

from __future__ import annotations

import re
from collections import defaultdict
from html import escape
from typing import Any

from lotscan.central.trace.mass_balance import TERMS
from lotscan.central.trace.trace import TraceResult

SHOWN_PER_LEVEL = 12  # lots drawn one by one in a level; more collapse into one box
STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
td:first-child{white-space:nowrap}
th{background:#f3f3f3}.bad{background:#fde2e2}.ok{color:#176f2c}.warn{color:#a33}
summary{cursor:pointer}.picture{overflow-x:auto;border:1px solid #ddd;padding:4px}
svg a rect{fill:#e8f0fe;stroke:#4a6fb5}svg a:hover rect{fill:#c9dafc}svg a rect.bad{fill:#fde2e2;stroke:#a33}
svg a rect.more{fill:#f6f6f6;stroke:#888;stroke-dasharray:4 2}
svg text{font-family:"DejaVu Sans Mono",monospace;font-size:12px}svg text.item{font-size:10px;fill:#555}
svg text.head{font-family:system-ui,sans-serif;font-size:12px;fill:#333}
.lot{padding:.1em 0}.lot table{display:none;margin:.3em 0 .8em 1.5em}
.lot:target table,.lot.bad table{display:table}.lot:target{background:#fff3b0}
"""


def anchor(item: str, lot: str) -> str:
    return "lot-" + re.sub(r"[^A-Za-z0-9_-]", "_", f"{item}--{lot}")


def _link(item: str, lot: str) -> str:
    return f'<a href="#{anchor(item, lot)}">{escape(item)}/{escape(lot)}</a>'


def _table(columns: list[str] | None, rows: list[list[str]], classes: list[str] | None = None) -> str:
    """A table; without columns, the first cell of each row is its header (no empty head row)."""
    head = "<tr>" + "".join(f"<th>{escape(c)}</th>" for c in columns) + "</tr>" if columns else ""
    body = []
    for i, row in enumerate(rows):
        css = f' class="{classes[i]}"' if classes and classes[i] else ""
        cells = [
            f"<th>{cell}</th>" if j == 0 and not columns else f"<td>{cell}</td>" for j, cell in enumerate(row)
        ]
        body.append(f"<tr{css}>" + "".join(cells) + "</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _files(files: list[str]) -> str:
    """The report's files, the notices as one entry (their index) however many there are."""
    notices = [f for f in files if f.startswith("notices/")]
    shown = [f'<a href="{escape(f)}">{escape(f)}</a>' for f in files if not f.startswith("notices/")]
    if notices:
        shown.insert(
            -2 if len(shown) >= 2 else len(shown),
            f'<a href="notices/index.json">notices/</a> ({len(notices)} files)',
        )
    return ", ".join(shown)


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else escape(str(value))


def render(
    report: dict[str, Any], result: TraceResult, events: dict[tuple[str, str], list] | None = None
) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Mock recall drill #{report['drill_id']}</title><style>{STYLE}</style></head><body>",
        f"<h1>Mock recall drill #{report['drill_id']}</h1>",
        _summary(report),
        _balance(report),
        "<h2>Customers</h2>",
        _parties(report["customers"]),
        "<h2>Suppliers</h2>",
        _parties(report["suppliers"]),
        "<h2>Genealogy</h2>",
        _svg(result, {(b["item"], b["lot"]) for b in report["mass_balance"] if b["difference"] != 0}),
        "<h2>Lots and their events</h2>",
        _lots(result, report, events or {}),
        "</body></html>",
    ]
    return "\n".join(parts)


def _summary(r: dict[str, Any]) -> str:
    differences = [b for b in r["mass_balance"] if b["difference"] != 0]
    verdict = (
        '<span class="ok">every lot balances</span>'
        if not differences
        else f'<span class="warn">{len(differences)} lot(s) do not balance</span>'
    )
    acknowledged = r.get("stations_acknowledged")
    reach = (
        "-"
        if not acknowledged
        else escape(f"{acknowledged.get('acknowledged')} of {acknowledged.get('stations')}")
    )
    rows = [
        ["Lots traced", ", ".join(escape(x) for x in r["roots"]) + f" ({escape(r['direction'])})"],
        ["Started", escape(str(r["started_at"]))],
        ["By", escape(r["by"])],
        ["Elapsed", f"{r['elapsed_s']:.3f} s"],
        ["Affected lots", str(r["affected_lots"])],
        ["Mass balance", verdict],
        ["Customers / suppliers", f"{len(r['customers'])} / {len(r['suppliers'])}"],
        ["Missing FSMA 204 KDEs", str(len(r["missing_kdes"]))],
        ["Real recall", f"recall #{r['recall_id']}" if r["recall"] else "no (a drill changes nothing)"],
        ["Stations acknowledged", reach],
        ["Files", _files(r["files"])],
    ]
    return "<h2>Summary</h2>" + _table(None, rows)


def _balance(r: dict[str, Any]) -> str:
    columns = ["lot", "unit", *(t.replace("_", " ") for t in TERMS), "difference"]
    rows, classes = [], []
    for b in r["mass_balance"]:
        terms = [b[t] for t in (*TERMS, "difference")]
        rows.append([_link(b["item"], b["lot"]), escape(b["unit"]), *(_num(t) for t in terms)])
        classes.append("bad" if b["difference"] != 0 else "")
    differences = sum(1 for c in classes if c)
    shown = (
        _table(columns, rows[:differences], classes[:differences])
        if differences
        else "<p>No differences.</p>"
    )
    rest = _table(columns, rows[differences:])
    note = (
        "received + produced + opening = consumed + shipped + adjusted + on hand "
        "(opening: stock imported into central, not made by an event)"
    )
    return (
        f"<h2>Mass balance</h2><p>{note}; differences first.</p>{shown}"
        f"<details><summary>All {len(rows) - differences} balanced lot(s)</summary>{rest}</details>"
    )


def _parties(parties: list[dict[str, Any]]) -> str:
    if not parties:
        return "<p>None.</p>"
    rows = [
        [escape(p["name"]), escape(p["location_description"]), escape(", ".join(p["lots"]))] for p in parties
    ]
    return _table(["name", "location description", "lots (TLC)"], rows)


def _levels(result: TraceResult) -> dict[int, list[tuple[str, str]]]:
    """Signed depth: backward lots below zero, the roots at zero, forward lots above."""
    levels: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for lot in result.lots:
        depth = -lot.depth if lot.direction == "backward" else lot.depth
        levels[depth].add((lot.item, lot.lot))
    return {d: sorted(lots) for d, lots in sorted(levels.items())}


CHAR_WIDTH = 7.3  # px of one character at 12px in the SVG's monospace font (DejaVu Sans Mono: 0.6em)
BOX_HEIGHT, ROW_HEIGHT, GAP = 34, 42, 48
TOP = 46  # room for a level's two-line heading


def _box_width(lots: list[tuple[str, str]]) -> int:
    longest = max([len(text) for key in lots for text in key] + [len("9999 more: the list")])
    return int(longest * CHAR_WIDTH) + 16


def _svg(result: TraceResult, differences: set[tuple[str, str]]) -> str:
    """Levels left to right (upstream first); in each, up to SHOWN_PER_LEVEL lots one by one (those
    with a mass-balance difference first), the rest in one box that opens the level's list. Each
    box is two lines, lot and item, as wide as the longest code, so no code is cut."""
    levels = _levels(result)
    if not levels:
        return "<p>No lots.</p>"
    position: dict[tuple[str, str], tuple[int, int, int]] = {}  # lot -> x, y (middle), box width
    boxes: list[str] = []
    x = 10
    tallest = 0
    for depth, lots in levels.items():
        ordered = sorted(lots, key=lambda key: key not in differences)
        drawn = ordered if len(ordered) <= SHOWN_PER_LEVEL else ordered[: SHOWN_PER_LEVEL - 1]
        width = _box_width(drawn)
        where = "roots" if depth == 0 else (f"{-depth} up" if depth < 0 else f"{depth} down")
        boxes.append(
            f'<text x="{x}" y="16" class="head">level {depth}: {where}</text>'
            f'<text x="{x}" y="32" class="head">{len(lots)} lot(s)</text>'
        )
        for row, (item, lot) in enumerate(drawn):
            y = TOP + row * ROW_HEIGHT
            position[(item, lot)] = (x, y + BOX_HEIGHT // 2, width)
            css = ' class="bad"' if (item, lot) in differences else ""
            boxes.append(
                f'<a href="#{anchor(item, lot)}"><title>{escape(item)}/{escape(lot)}</title>'
                f'<rect{css} x="{x}" y="{y}" width="{width}" height="{BOX_HEIGHT}" rx="4"/>'
                f'<text x="{x + 8}" y="{y + 15}" class="lot">{escape(lot)}</text>'
                f'<text x="{x + 8}" y="{y + 28}" class="item">{escape(item)}</text></a>'
            )
        rows = len(drawn)
        if len(ordered) > len(drawn):
            y = TOP + rows * ROW_HEIGHT
            for key in ordered[len(drawn) :]:
                position[key] = (x, y + BOX_HEIGHT // 2, width)
            boxes.append(
                f'<a href="#level-{depth}"><rect class="more" x="{x}" y="{y}" width="{width}" '
                f'height="{BOX_HEIGHT}" rx="4"/><text x="{x + 8}" y="{y + 15}" class="lot">'
                f"{len(ordered) - len(drawn)} more</text>"
                f'<text x="{x + 8}" y="{y + 28}" class="item">open the list</text></a>'
            )
            rows += 1
        tallest = max(tallest, rows)
        x += width + GAP
    edges, seen = [], set()
    for e in result.edges:
        a, b = position.get((e.parent_item, e.parent_lot)), position.get((e.child_item, e.child_lot))
        if a and b and a[0] != b[0] and (a, b) not in seen:
            seen.add((a, b))
            left, right = (a, b) if a[0] < b[0] else (b, a)
            x1, x2 = left[0] + left[2], right[0]
            edges.append(f'<line x1="{x1}" y1="{left[1]}" x2="{x2}" y2="{right[1]}" stroke="#999"/>')
    height = TOP + tallest * ROW_HEIGHT + 10
    return (
        f'<div class="picture"><svg xmlns="http://www.w3.org/2000/svg" width="{x}" height="{height}">'
        + "".join(edges)
        + "".join(boxes)
        + "</svg></div>"
    )


def _lots(result: TraceResult, report: dict[str, Any], events: dict[tuple[str, str], list]) -> str:
    """One line per lot, by level; its events show when the lot is the page's target (a click on
    it anywhere on the page: CSS :target, no script), and always for a lot with a difference."""
    balance = {(b["item"], b["lot"]): b for b in report["mass_balance"]}
    out = []
    for depth, lots in _levels(result).items():
        out.append(f'<section id="level-{depth}"><h3>Level {depth}: {len(lots)} lot(s)</h3>')
        for item, lot in lots:
            b = balance.get((item, lot), {})
            rows = [
                [escape(e["at"]), escape(e["type"]), escape(e["term"]), _num(e["qty"]), escape(e["event_id"])]
                for e in events.get((item, lot), b.get("events", []))
            ]
            css = "lot bad" if b.get("difference") else "lot"
            out.append(
                f'<div class="{css}" id="{anchor(item, lot)}">{_link(item, lot)}'
                f" {len(rows)} event(s), difference {_num(b.get('difference', 0))}"
                + _table(["at", "event", "term", "qty", "event id"], rows)
                + "</div>"
            )
        out.append("</section>")
    return "\n".join(out)
