"""Row keys: the natural keys rows travel by, and which rows an event touches.

Rows travel by natural keys, never by database ids, because ids differ between a station and
central. A key is a tuple: ("lot", item, lot), ("stock", item, lot, location),
("task_line", task, line_no), ("container", sscc), ("serial", item, serial),
("links", event_id), ("task", code), ("item", code), ("location", code), ("site", code),
("operator", badge).
"""

from __future__ import annotations

from typing import Any

from lotscan.domain.events.payloads import EventType

Key = tuple[str, ...]


def stock_places(event_type: str, payload: dict[str, Any]) -> list[str]:
    """The location codes an event's payload names. A status change's `from`/`to` are lot
    statuses, not places."""
    fields = ("location",) if event_type == EventType.LOT_STATUS_CHANGED else ("location", "from", "to")
    return [str(payload[name]) for name in fields if payload.get(name)]


def event_keys(event_type: str, payload: dict[str, Any], event_id: str) -> list[Key]:
    """Every row `apply_event` may touch for this event (a superset is fine)."""
    keys: list[Key] = []
    item, lot = payload.get("item"), payload.get("lot")
    if item is not None and lot is not None:
        if event_type not in LOT_UNCHANGED:
            keys.append(("lot", str(item), str(lot)))
        for place in stock_places(event_type, payload):
            keys.append(("stock", str(item), str(lot), place))
    if payload.get("task") and payload.get("line_no") is not None:
        keys.append(("task_line", str(payload["task"]), str(payload["line_no"])))
    if payload.get("sscc"):
        keys.append(("container", str(payload["sscc"])))
    if item is not None and payload.get("serial"):
        keys.append(("serial", str(item), str(payload["serial"])))
    # Only a relabel's new_lot is a lot code (a receipt's new_lot is a flag: "this lot is new").
    if event_type == EventType.LOT_RELABELLED and item is not None and payload.get("new_lot"):
        keys.append(("lot", str(item), str(payload["new_lot"])))
        if payload.get("location"):
            keys.append(("stock", str(item), str(payload["new_lot"]), str(payload["location"])))
    # lot.split outputs and lot.merged inputs: lots of the same item, at their own or the event's location
    for part in _dicts(payload.get("outputs")) + _dicts(
        payload.get("inputs") if event_type == EventType.LOT_MERGED else None
    ):
        if item is not None and part.get("lot"):
            keys.append(("lot", str(item), str(part["lot"])))
            where = part.get("location") or payload.get("location")
            if where:
                keys.append(("stock", str(item), str(part["lot"]), str(where)))
    if event_type in LINKING_EVENTS:
        keys.append(("links", event_id))
    return keys


LINKING_EVENTS = (EventType.LOT_PRODUCED, EventType.LOT_SPLIT, EventType.LOT_MERGED, EventType.LOT_RELABELLED)
# Event types whose effect only moves stock of an existing lot: the lot row itself is untouched.
LOT_UNCHANGED = (
    EventType.STOCK_MOVED,
    EventType.STOCK_CONSUMED,
    EventType.STOCK_PICKED,
    EventType.STOCK_SHIPPED,
    EventType.LABEL_REQUESTED,
)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
