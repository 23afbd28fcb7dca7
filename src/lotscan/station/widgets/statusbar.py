"""The status line: who and which mode, ONLINE/OFFLINE, events waiting, cache age, devices."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rich.text import Text
from textual import events

from lotscan.station.widgets.fixed import FixedStatic

DEVICE_MARKS = {"connected": "●", "connecting": "◌", "disconnected": "○", "error": "✖", "stopped": "■"}


def age_text(seconds: float | None) -> str:
    if seconds is None:
        return "never synced"
    if seconds < 90:
        return f"{seconds:.0f}s old"
    if seconds < 5400:
        return f"{seconds / 60:.0f}m old"
    if seconds < 172800:
        return f"{seconds / 3600:.0f}h old"
    return f"{seconds / 86400:.0f}d old"


@dataclass
class StatusFacts:
    operator: str = "nobody"
    mode: str = "lookup"
    task: str | None = None
    online: bool = False
    sync_detail: str = ""
    pending: int | None = None
    cache_age_s: float | None = None
    devices: dict[str, str] = field(default_factory=dict)
    clock: str = ""
    queued: int = 0
    sessions: str = ""  # a served station's sessions, on a supervisor's status line
    central: str = ""  # host:port of the central lot service, when configured
    offline_since: str = ""  # HH:MM the station last went offline
    refused: int = 0  # events central refused: set aside, listed for a supervisor (F11)


def central_address(url: str | None) -> str:
    """host:port of a server URL, as a person reads it on the status line."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.hostname is None:
        return url
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def not_enrolled(facts: StatusFacts) -> bool:
    """A station with no central at all (the demo): nothing is wrong with the network."""
    return "not enrolled" in facts.sync_detail or (not facts.central and not facts.sync_detail)


def offline_text(facts: StatusFacts) -> str:
    """What is wrong and since when: "OFFLINE: central 10.0.0.5:8080 unreachable since 14:02"."""
    if "not enrolled" in facts.sync_detail or (not facts.central and not facts.sync_detail):
        why = "not enrolled with central"
    else:
        why = f"central {facts.central or '(no address)'} unreachable"
    since = f" since {facts.offline_since}" if facts.offline_since else ""
    return f"OFFLINE: {why}{since}"


def status_text(facts: StatusFacts, width: int) -> Text:
    """The line at this width; a wide OFFLINE line drops the clock, then the cache age, then words
    before it would cut the address or the events waiting; a narrow one drops "since HH:MM"
    before it would cut the events waiting (40x16 with PL-4001: 'OFFLINE since 06:…')."""
    text = _status_text(facts, width, compact=0)
    for compact in (1, 2, 3):
        if facts.online or len(text.plain) <= width:
            break
        text = _status_text(facts, width, compact=compact)
    return text


def _status_text(facts: StatusFacts, width: int, *, compact: int) -> Text:
    narrow = width < 70
    text = Text(no_wrap=False)
    who = facts.operator if not narrow else facts.operator.split(" ")[0]
    text.append(f" {who} ", style="bold reverse")
    text.append(f" {facts.mode.upper()}", style="bold")
    if facts.task:
        text.append(f" {facts.task}")
    if facts.sessions and not narrow:
        text.append(f"  {facts.sessions}", style="bold")
    if facts.queued:
        text.append(f"  {facts.queued} queued", style="bold reverse")
    text.append("  ")
    pending = "?" if facts.pending is None else str(facts.pending)
    if facts.online:
        text.append("ONLINE", style="bold green")
        text.append(f" ⇡{pending}" if narrow else f"  {pending} to sync")
    elif not_enrolled(facts):  # tester U18: not "OFFLINE ... since" the app started
        text.append("LOCAL ONLY" if narrow else "NOT ENROLLED (local only)", style="bold yellow")
        events = f" event{'' if pending == '1' else 's'}"
        text.append(f" {pending} kept" if narrow else f": {pending}{events} kept", style="yellow")
    elif narrow:  # a handheld drops "since" before it would cut the events waiting
        since = f" since {facts.offline_since}" if facts.offline_since and compact < 1 else ""
        text.append(f"OFFLINE{since}", style="bold yellow")
        text.append(f" ⇡{pending}")
    else:
        text.append(offline_text(facts), style="bold yellow")
        events = "" if compact >= 3 else f" event{'' if pending == '1' else 's'}"
        text.append(f", {pending}{events} waiting", style="yellow")
    text.append(f"  {age_text(facts.cache_age_s)}" if not narrow and compact < 2 else "")
    for device, state in sorted(facts.devices.items()):
        mark = DEVICE_MARKS.get(state, "?")
        text.append(f"  {mark}{device}" if narrow else f"  {device} {mark}{state}")
    if facts.clock and not narrow and compact < 1:
        text.append(f"  {facts.clock}")
    if facts.sessions and narrow:  # last: a narrow line cuts it, not ONLINE/OFFLINE
        text.append(f"  {facts.sessions}", style="bold")
    return text


REFUSED_KEY = "F11"  # the supervisor's panel of refused events (keys.py: "refused")


def refused_text(facts: StatusFacts) -> Text:
    """ "2 refused by central — F11 flagged": events central refused, kept and listed (F11)."""
    if not facts.refused:
        return Text()
    return Text(f" {facts.refused} refused by central — {REFUSED_KEY} flagged ", style="bold white on red")


def sync_lines(facts: StatusFacts, width: int) -> Text:
    """The status line, and the refused count after it: on the same line where it fits whole,
    else on a second line of its own (a handheld's 40 columns), never cut."""
    line = status_text(facts, width)
    refused = refused_text(facts)
    if not refused:
        return line
    if len(line.plain) + 1 + len(refused.plain) <= width:
        return Text.assemble(line, " ", refused, no_wrap=False)
    return Text.assemble(line, "\n", refused, no_wrap=False)


class StatusBar(FixedStatic):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.facts = StatusFacts()

    def show(self, facts: StatusFacts) -> None:
        self.facts = facts
        self._render_facts()

    def on_resize(self, event: events.Resize) -> None:
        self._render_facts()

    def _render_facts(self) -> None:
        # A second row only while central's refusals wait: the app gives it (lotscan.station.rows).
        self.set_text(sync_lines(self.facts, self.size.width or 80))
