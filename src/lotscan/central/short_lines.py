"""Pick lines closed short before task_lines.qty_short existed (tester V4), put right from the
pick.short events central stored.

The old effect of a short pick wrote the line's qty_expected down to its qty_done, so the line
read "0/0" and the ordered quantity was lost from the row. Each stored short says how much it
closed short (short_qty, what the station had left on the line), so the row is restored to what
the effect does now: qty_short is the sum of the line's shorts, and qty_expected gets them back.
Each line put right goes into the change log, so stations learn it at their next pull.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import Connection, select, update

from lotscan.central import changelog
from lotscan.central.schema import received_events
from lotscan.domain.events import EventType, Key, PickShort, parse_payload
from lotscan.protocol import APPLIED, FLAGGED
from lotscan.store.schema import Task, TaskLine


def restore_closed_short_lines(conn: Connection) -> int:
    """Give back qty_expected and set qty_short on every line an applied pick.short closed
    while the effect still overwrote qty_expected. Returns how many lines were put right."""
    shorts: dict[tuple[str, int], float] = defaultdict(float)
    stored = conn.execute(
        select(received_events.c.payload)
        .where(
            received_events.c.type == EventType.PICK_SHORT.value,
            received_events.c.outcome.in_((APPLIED, FLAGGED)),
        )
        .order_by(received_events.c.server_seq)
    )
    for (text,) in stored:
        short = parse_payload(EventType.PICK_SHORT.value, json.loads(text))
        assert isinstance(short, PickShort)
        shorts[(short.task, short.line_no)] += short.short_qty
    keys: list[Key] = []
    for (task, line_no), qty in sorted(shorts.items()):
        task_id = conn.execute(select(Task.id).where(Task.code == task)).scalar()
        if task_id is None:
            continue
        changed = conn.execute(
            update(TaskLine)
            .where(TaskLine.task_id == task_id, TaskLine.line_no == line_no, TaskLine.qty_short == 0)
            .values(qty_expected=TaskLine.qty_expected + qty, qty_short=qty)
        )
        if changed.rowcount:
            keys.append(("task_line", task, str(line_no)))
    changelog.append(conn, changelog.entries_for(conn, keys))
    return len(keys)
