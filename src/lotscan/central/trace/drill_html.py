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
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
th{background:#f3f3f3}.bad{background:#fde2e2}.ok{color:#176f2c}.warn{color:#a33}
summary{cursor:pointer}svg a rect{fill:#e8f0fe;stroke:#4a6fb5}svg a:hover rect{fill:#c9dafc}
svg rect.level{fill:#f6f6f6;stroke:#bbb}svg text{font-size:11px}
"""


def anchor(item: str, lot: str) -> str:
    return "lot-" + re.sub(r"[^A-Za-z0-9_-]", "_", f"{item}--{lot}")


def _link(item: str, lot: str) -> str:
    return f'<a href="#{anchor(item, lot)}">{escape(item)}/{escape(lot)}</a>'


def _table(columns: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for i, row in enumerate(rows):
        css = f' class="{classes[i]}"' if classes and classes[i] else ""
        body.append(f"<tr{css}>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


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
        _svg(result),
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
        ["Files", ", ".join(f'<a href="{escape(f)}">{escape(f)}</a>' for f in r["files"])],
    ]
    return "<h2>Summary</h2>" + _table(["", ""], rows)


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


def _svg(result: TraceResult) -> str:
    levels = _levels(result)
    if not levels:
        return "<p>No lots.</p>"
    column_width, row_height = 170, 26
    tallest = max(min(len(lots), SHOWN_PER_LEVEL) for lots in levels.values())
    width, height = column_width * len(levels) + 20, row_height * (tallest + 2) + 20
    position: dict[tuple[str, str], tuple[int, int]] = {}
    boxes, edges = [], []
    for column, (depth, lots) in enumerate(levels.items()):
        x = 10 + column * column_width
        label = "roots" if depth == 0 else (f"{-depth} up" if depth < 0 else f"{depth} down")
        boxes.append(f'<text x="{x}" y="20">level {depth} ({label}): {len(lots)} lot(s)</text>')
        if len(lots) > SHOWN_PER_LEVEL:
            y = 30
            boxes.append(
                f'<a href="#level-{depth}"><rect x="{x}" y="{y}" width="150" height="22" rx="4"/>'
                f'<text x="{x + 6}" y="{y + 15}">{len(lots)} lots: open the list</text></a>'
            )
            for key in lots:
                position[key] = (x, y + 11)
            continue
        for row, (item, lot) in enumerate(lots):
            y = 30 + row * row_height
            position[(item, lot)] = (x, y + 11)
            boxes.append(
                f'<a href="#{anchor(item, lot)}"><rect x="{x}" y="{y}" width="150" height="22" rx="4"/>'
                f'<text x="{x + 6}" y="{y + 15}">{escape(item)}/{escape(lot)}</text></a>'
            )
    drawn = set()
    for e in result.edges:
        a, b = position.get((e.parent_item, e.parent_lot)), position.get((e.child_item, e.child_lot))
        if a and b and (a, b) not in drawn:
            drawn.add((a, b))
            left, right = (a, b) if a[0] < b[0] else (b, a)
            edges.append(
                f'<line x1="{left[0] + 150}" y1="{left[1]}" x2="{right[0]}" y2="{right[1]}" stroke="#999"/>'
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        + "".join(edges)
        + "".join(boxes)
        + "</svg>"
    )


def _lots(result: TraceResult, report: dict[str, Any], events: dict[tuple[str, str], list]) -> str:
    balance = {(b["item"], b["lot"]): b for b in report["mass_balance"]}
    out = []
    for depth, lots in _levels(result).items():
        out.append(f'<details id="level-{depth}" open><summary>Level {depth}: {len(lots)} lot(s)</summary>')
        for item, lot in lots:
            b = balance.get((item, lot), {})
            rows = [
                [escape(e["at"]), escape(e["type"]), escape(e["term"]), _num(e["qty"]), escape(e["event_id"])]
                for e in events.get((item, lot), b.get("events", []))
            ]
            flag = ' class="warn"' if b.get("difference") else ""
            out.append(
                f'<details id="{anchor(item, lot)}"><summary{flag}>{escape(item)}/{escape(lot)}'
                f" ({len(rows)} event(s), difference {_num(b.get('difference', 0))})</summary>"
                + _table(["at", "event", "term", "qty", "event id"], rows)
                + "</details>"
            )
        out.append("</details>")
    return "\n".join(out)
