"""The status line: who and which mode, ONLINE/OFFLINE, events waiting, cache age, devices."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text

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


def status_text(facts: StatusFacts, width: int) -> Text:
    narrow = width < 70
    text = Text(no_wrap=False)
    who = facts.operator if not narrow else facts.operator.split(" ")[0]
    text.append(f" {who} ", style="bold reverse")
    text.append(f" {facts.mode.upper()}", style="bold")
    if facts.task:
        text.append(f" {facts.task}")
    if facts.sessions:
        text.append(f"  {facts.sessions}", style="bold")
    if facts.queued:
        text.append(f"  {facts.queued} queued", style="bold reverse")
    text.append("  ")
    text.append(
        "ONLINE" if facts.online else "OFFLINE",
        style="bold green" if facts.online else "bold yellow",
    )
    if facts.sync_detail and width >= 100:
        detail = facts.sync_detail.split(":")[0]
        text.append(f" ({detail[:24]})", style="yellow")
    pending = "?" if facts.pending is None else str(facts.pending)
    text.append(f" ⇡{pending}" if narrow else f"  {pending} to sync")
    text.append(f"  {age_text(facts.cache_age_s)}" if not narrow else "")
    for device, state in sorted(facts.devices.items()):
        mark = DEVICE_MARKS.get(state, "?")
        text.append(f"  {mark}{device}" if narrow else f"  {device} {mark}{state}")
    if facts.clock and not narrow:
        text.append(f"  {facts.clock}")
    return text


class StatusBar(FixedStatic):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.facts = StatusFacts()

    def show(self, facts: StatusFacts) -> None:
        self.facts = facts
        self.set_text(status_text(facts, self.size.width or 80))

    def on_resize(self) -> None:
        self.set_text(status_text(self.facts, self.size.width or 80))
