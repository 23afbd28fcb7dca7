"""The work panel: what the current mode is working on.

Task lines checked off with quantities, the FEFO prompt in pick mode, and for a lookup the
lot, location, task or item that was scanned.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events
from textual.containers import ScrollableContainer

from lotscan.services.context import Workflow
from lotscan.station.views import Workspace
from lotscan.station.widgets.fixed import FixedStatic


def days_text(expiry: str | None, today: date) -> str:
    if not expiry:
        return "no expiry"
    days = (date.fromisoformat(expiry) - today).days
    if days < 0:
        return f"EXPIRED {-days}d ago"
    return "expires today" if days == 0 else f"{days}d left"


def _qty(value: Any) -> str:
    return f"{float(value):g}" if value is not None else "?"


BELOW_ZERO = "book stock below zero, count this shelf"
BELOW_ZERO_STYLE = "bold white on #a00000"


def stock_qty(qty: float, unit: str | None) -> Text:
    """A stock quantity; below zero (more consumed or picked than the cache knew of) it is a
    discrepancy, in its own style and words, never a quantity like any other (tester's #4)."""
    if qty >= 0:
        return Text(f"{qty:g}")
    return Text(f"{qty:g}{' ' + unit if unit else ''}: {BELOW_ZERO}", style=BELOW_ZERO_STYLE)


def pick_prompt_text(
    prompt: dict[str, Any] | None,
    today: date,
    *,
    tiny: bool = False,
    consume: bool = False,
    closed_short: int = 0,
) -> Text:
    """The next line to pick (or, `consume`, to consume into a work order: tester's T14) and
    the lot to take (FEFO). `tiny` (an RF gun's 20-29 columns, where the panel has two rows):
    the lot and its location first, in as few cells as can be. With nothing left, a list whose
    lines were `closed_short` says so rather than "complete", as a rescan does (tester W8)."""
    text = Text()
    if prompt is None:
        if consume:
            done = "Every input of this work order is consumed."
        elif closed_short:
            done = f"Pick list done ({closed_short} line{'s' if closed_short > 1 else ''} closed short)."
        else:
            done = "Pick list complete."
        text.append(f"{done} Scan the next {'work order' if consume else 'pick list'}.", style="bold")
        return text
    if tiny and prompt["lot"]:
        text.append("Take ", style="bold")
        text.append(str(prompt["lot"]), style="bold underline")
        text.append(" @", style="bold")
        text.append(str(prompt["location"]), style="bold underline")
        text.append(f" {_qty(prompt['remaining'])} {prompt['unit']}\n", style="bold")
        text.append(f"line {prompt['line_no']} {prompt['description'] or prompt['item']}")
        text.append(f", {_qty(prompt['available'])} there, {days_text(prompt['expiry'], today)}")
        return text
    text.append("NEXT ", style="bold reverse")
    text.append(f" line {prompt['line_no']} {prompt['description'] or prompt['item']}: ", style="bold")
    text.append(f"{_qty(prompt['remaining'])} {prompt['unit']}\n", style="bold")
    if prompt["lot"]:
        text.append("Take lot ", style="bold")
        text.append(str(prompt["lot"]), style="bold underline")
        text.append(" at ", style="bold")
        text.append(str(prompt["location"]), style="bold underline")
        text.append(f"  ({_qty(prompt['available'])} there, {days_text(prompt['expiry'], today)})")
    else:
        no_stock = "scan the lot you take" if consume else "short-pick the line (s)"
        text.append(f"No pickable stock of this item: {no_stock}.", style="bold")
    return text


MAX_LINES_SHOWN = 12
TINY_WIDTH = 30  # as the screen's -tiny class: an RF gun's 20-29 columns


def lines_text(details: dict[str, Any], width: int = 0) -> Text:
    """The task's lines with their quantities; a long task shows its first lines and a count.
    Given the panel's `width`, a description too long for its row is cut ("…") so the figures
    (and "closed short") stay on the line's one row, a handheld's 40 columns too."""
    text = Text()
    partner = f" ({details['partner']})" if details.get("partner") else ""
    lines = details["lines"]
    complete_count = sum(1 for ln in lines if _closed(ln))
    text.append(f"{details['task']}{partner} {details['status']}", style="bold")
    text.append(f"  {complete_count}/{len(lines)} lines done\n" if len(lines) > MAX_LINES_SHOWN else "\n")
    for line in lines[:MAX_LINES_SHOWN]:
        done, expected = float(line["done"]), float(line["expected"])
        short = _short(line)
        if short:  # closed short: the ordered quantity stays, and the line says so (tester V4)
            text.append("✘ ", style="bold yellow")
        elif _closed(line):
            text.append("✔ ", style="bold green")
        else:
            text.append("· ")
        what = line["description"] or line["item"] or "?"
        extra = f" lot {line['lot']}" if line.get("lot") else ""
        figures = f"{done:g}/{expected:g}"
        state = " closed short" if short else ""
        what = _fitted(what, width - cell_len(f"✘ {line['line_no']}  {figures}{state}"))
        text.append(f"{line['line_no']} {what} {figures}")
        text.append(state, style="bold yellow")
        text.append(f"{extra}\n")
    if len(lines) > MAX_LINES_SHOWN:
        text.append(f"… {len(lines) - MAX_LINES_SHOWN} more lines\n", style="dim")
    return text


def _fitted(what: str, room: int) -> str:
    """`what` in at most `room` cells, cut with "…"; whole when no width is known (room < 0
    from width 0) or when too little room is left to say anything (the row wraps then)."""
    if cell_len(what) <= room or room < 6:
        return what
    return set_cell_size(what, room - 1).rstrip() + "…"


def _short(line: dict[str, Any]) -> float:
    return float(line.get("short") or 0.0)


def _closed(line: dict[str, Any]) -> bool:
    """Nothing more is needed for the line: all of it done, or the rest closed short."""
    expected = float(line["expected"])
    return expected > 0 and float(line["done"]) + _short(line) >= expected


def lookup_text(details: dict[str, Any], today: date, width: int = 0) -> Text:
    kind = details.get("type")
    text = Text()
    if kind == "lot":
        text.append(f"Lot {details['lot']} ", style="bold")
        text.append(f"{details['description'] or details['item']}\n")
        text.append(f"Status {details['status'].upper()}", style="bold")
        expiry = details.get("expiry")
        text.append(f"  expiry {expiry} ({days_text(expiry, today)})\n" if expiry else "  no expiry\n")
        text.append(f"Stock {details['total']:g} {details['unit']}:\n", style="bold")
        for row in details["stock"]:
            flag = " HOLD" if row["hold"] else ("" if row["pickable"] else " not pickable")
            text.append(f"  {row['location']}: ")
            text.append_text(stock_qty(row["qty"], details["unit"]))
            text.append(f"{flag}\n")
        for side in ("parents", "children"):
            rows = details.get(side) or []
            if rows:
                text.append(f"{side.title()}: ", style="bold")
                text.append(", ".join(str(r.get("lot", r)) for r in rows[:6]) + "\n")
        events = details.get("events") or []
        if events:
            text.append("Last events:\n", style="bold")
            for event in events[:5]:
                text.append(f"  #{event['seq']} {event['type']} by {event['operator']} {event['at']}\n")
    elif kind == "location":
        text.append(f"Location {details['location']}: {len(details['contents'])} lot(s)\n", style="bold")
        for row in details["contents"][:30]:
            text.append(f"  {row['lot']} {row['description'] or row['item']} ")
            text.append_text(stock_qty(row["qty"], row.get("unit")))
            left = days_text(row["expiry"], today)
            if row.get("expired"):  # derived once, by the lookup; said once (tester Y6: "EXPIRED EXPIRED")
                text.append(f" {left if left.startswith('EXPIRED') else 'EXPIRED ' + left}\n")
            else:
                text.append(f" {row['status']} {left}\n")
    elif kind == "task":
        text.append_text(lines_text(details, width))
    elif kind == "item":
        text.append(f"{details['description'] or details['item']} ({details['gtin']})\n", style="bold")
        text.append("First to use (FEFO):\n", style="bold")
        for row in details["fefo"]:
            left = days_text(row["expiry"], today)
            text.append(f"  {row['lot']} at {row['location']} {row['qty']:g} {left}\n")
    elif kind == "operator":
        text.append(f"Operator {details.get('name')} ({details.get('role')})\n", style="bold")
    return text


def workspace_text(space: Workspace, lookup: dict[str, Any] | None, today: date, *, width: int = 0) -> Text:
    """What the panel shows; `width`, the panel's (0: not known yet), decides the RF gun's
    tiny layout and where task lines cut their descriptions."""
    first, rest = workspace_parts(space, lookup, today, width=width)
    text = first.copy()
    text.append_text(rest)
    return text


def workspace_parts(
    space: Workspace, lookup: dict[str, Any] | None, today: date, *, width: int = 0
) -> tuple[Text, Text]:
    """The panel's text in two parts: what is essential, on top (the next scan's settings, the
    line to pick and the lot to take with its place and quantity, the mode's instruction), and
    the rest (the task's lines, a lookup). The screen's rows go to the first part before the
    last scans get theirs (`lotscan.station.rows`)."""
    tiny = 0 < width < TINY_WIDTH
    first, rest = Text(), Text()
    flow = space.workflow
    settings = []
    if space.qty is not None:
        settings.append(f"qty {space.qty:g}")
    if space.override:
        settings.append(f"override {space.override}")
    if space.reason:
        settings.append(f"reason: {space.reason}")
    if space.location and flow is not Workflow.MOVE:
        settings.append(f"at {space.location}")
    if settings:
        first.append("Next scan: " + ", ".join(settings) + "\n", style="bold yellow")
    if flow in (Workflow.PICK, Workflow.CONSUME) and space.task:
        consume = flow is Workflow.CONSUME
        lines = space.task_details["lines"] if space.task_details else []
        closed_short = sum(1 for line in lines if _short(line))
        first.append_text(
            pick_prompt_text(space.pick_prompt, today, tiny=tiny, consume=consume, closed_short=closed_short)
        )
        first.append("\n")
    if flow is Workflow.LOOKUP:
        if lookup:
            rest.append_text(lookup_text(lookup, today, width))
        else:
            first.append("Scan anything to see what it is: a lot, a location, a task, a badge.")
        return first, rest
    if flow is Workflow.MOVE:
        source = f" from {space.location}" if space.location else ""
        if space.pending_move and space.move_needs_source:
            taken_from = f"Moving lot {space.pending_move}: scan the location you take it from."
            first.append(taken_from, style="bold")
        elif space.pending_move:
            first.append(f"Moving lot {space.pending_move}{source}: scan the new location.", style="bold")
        else:
            first.append(f"Scan the lot to move{source}, then the location it goes to.")
        return first, rest
    if flow is Workflow.COUNT:
        where = space.location or "(scan the location first)"
        first.append(f"Counting {where}. Set the quantity (q), then scan each lot.\n")
        if space.counting:
            rest.append_text(lookup_text(space.counting, today, width))
        return first, rest
    if flow in (Workflow.HOLD, Workflow.RELEASE, Workflow.QUARANTINE):
        if not space.reason:
            first.append(
                "Give the reason first (r), then scan the lot: each lot needs its reason.", style="bold"
            )
        else:
            first.append(f"{flow.value.title()} with reason '{space.reason}': scan the lot.")
        return first, rest
    if space.task_details:
        rest.append_text(lines_text(space.task_details, width))
    elif space.open_tasks:
        rest.append("Open tasks (press t to choose, or scan one):\n", style="bold")
        for task in space.open_tasks[:8]:
            partner = f" {task['partner']}" if task.get("partner") else ""
            rest.append(f"  {task['code']}{partner}\n")
    if flow is Workflow.PRODUCE and space.task:
        rest.append("Press p to record an output lot (q sets its quantity).", style="bold")
    return first, rest


class WorkPanel(FixedStatic):
    """Its essential lines are at its top: the app gives them rows first, and a new essential
    text scrolls the panel back to its top, so they are in view (issue 14, tester Y3)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.space: Workspace | None = None
        self.lookup: dict[str, Any] | None = None
        self.today: date | None = None
        self.first_rows = 0  # the rows of the essential part at the panel's width
        self.first_text = ""  # the essential part, as words
        self._first: Text | None = None
        self._lines = -1  # the height of the text shown, in lines at the panel's width
        self._width = 0  # the width it was worded for

    def show(self, space: Workspace, lookup: dict[str, Any] | None, today: date) -> None:
        self.space, self.lookup, self.today = space, lookup, today
        width = self._width = self.content_size.width
        first, rest = workspace_parts(space, lookup, today, width=width)
        text = first.copy()
        text.append_text(rest)
        text.rstrip()  # a last line's newline would be a blank row the panel asks for
        first.rstrip()
        self.first_text = first.plain
        self.first_rows = self.rows_for(first) if first.plain else 0
        if first != self._first:
            self._first = first
            parent = self.parent
            if isinstance(parent, ScrollableContainer):
                parent.scroll_home(animate=False, immediate=True)
        # A layout pass so it scrolls when longer than the panel; it comes after the banner's frame.
        # Only when its height changes: a layout pass costs more than the rest of a scan's frames
        # together, and a served station draws many sessions on one core.
        lines = self.rows_for(text) if width > 0 else -1
        same_height = lines >= 0 and lines == self._lines
        self._lines = lines
        self.set_text(text, layout=not same_height)

    def rows_key(self) -> object:
        return self.first_rows, self.rows_needed()

    def on_resize(self, event: events.Resize) -> None:
        """Another width: the lot to take is worded for it (an RF gun's, from 30 columns down)."""
        if self.content_size.width != self._width and self.space is not None and self.today is not None:
            self.show(self.space, self.lookup, self.today)
