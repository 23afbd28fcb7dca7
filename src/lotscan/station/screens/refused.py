"""The events central refused, as the supervisor's panel shows them (F11 or f): newest first,
each with what it was, when and by whom, central's reason code and its sentence. The events
stay at the station as failed (never sent again); the next pull corrects the cache."""

from __future__ import annotations

from rich.text import Text

from lotscan.sync.local import SetAside

NONE_REFUSED = "Central has refused none of this station's events."


def refused_text(refused: list[SetAside]) -> Text:
    if not refused:
        return Text(NONE_REFUSED)
    text = Text()
    for index, event in enumerate(refused):
        if index:
            text.append("\n\n")
        text.append(event.code, style="bold reverse")
        text.append(f"  #{event.seq} {event.type}\n", style="bold")
        when = f"{event.occurred_at:%Y-%m-%d %H:%M} UTC"
        text.append(f"{when}, operator {event.operator or '-'}\n")
        if event.what:
            text.append(f"{event.what}\n")
        text.append(event.sentence)
    return text
