"""Every station action with its function key and its single letter, shown on screen."""

from __future__ import annotations

from dataclasses import dataclass

from lotscan.domain.reasons import ReasonCode
from lotscan.domain.verdict import Level, Verdict
from lotscan.services.context import Workflow


@dataclass(frozen=True)
class Action:
    name: str
    fkey: str
    letter: str
    label: str
    short: str = ""


ACTIONS: tuple[Action, ...] = (
    Action("help", "f1", "?", "Help"),
    Action("modes", "f2", "m", "Mode"),
    Action("tasks", "f3", "t", "Task"),
    Action("qty", "f4", "q", "Qty"),
    Action("reason", "f5", "r", "Reason", "Why"),
    Action("override", "f6", "o", "Override", "Ovr"),
    Action("produce", "f7", "p", "Produce", "Make"),
    Action("short", "f8", "s", "Short"),
    Action("type", "f9", "e", "Type"),
    Action("signout", "f10", "x", "Sign out", "Out"),
    Action("refused", "f11", "f", "Refused by central", "Refused"),
    Action("below_zero", "f12", "z", "Stock below zero", "Below 0"),
)
BY_KEY: dict[str, Action] = {a.fkey: a for a in ACTIONS} | {a.letter: a for a in ACTIONS}
LETTERS = frozenset(a.letter for a in ACTIONS if a.letter.isalpha())

# In the mode menu: one letter per workflow (and the digit of its position).
MODE_KEYS: tuple[tuple[str, Workflow, str], ...] = (
    ("r", Workflow.RECEIVE, "Receive"),
    ("v", Workflow.MOVE, "Move / putaway"),
    ("c", Workflow.CONSUME, "Consume"),
    ("p", Workflow.PRODUCE, "Produce"),
    ("k", Workflow.PICK, "Pick"),
    ("s", Workflow.SHIP, "Ship"),
    ("h", Workflow.HOLD, "Hold *"),
    ("e", Workflow.RELEASE, "Release *"),
    ("q", Workflow.QUARANTINE, "Quarantine *"),
    ("n", Workflow.COUNT, "Count"),
    ("l", Workflow.LOOKUP, "Lookup"),
)

# Which actions make sense where; the key bar shows only these.
WORKFLOW_ACTIONS: dict[Workflow, tuple[str, ...]] = {
    Workflow.RECEIVE: ("tasks", "qty"),
    Workflow.MOVE: ("qty",),
    Workflow.CONSUME: ("tasks", "qty", "produce", "override"),
    Workflow.PRODUCE: ("tasks", "qty", "produce"),
    Workflow.PICK: ("tasks", "qty", "override", "short", "reason"),
    Workflow.SHIP: ("tasks", "qty"),
    Workflow.HOLD: ("reason",),
    Workflow.RELEASE: ("reason",),
    Workflow.QUARANTINE: ("reason",),
    Workflow.COUNT: ("qty",),
    Workflow.LOOKUP: (),
}


def visible_actions(workflow: Workflow, signed_in: bool, *, overridable: bool = False) -> list[Action]:
    """The actions that make sense now, the mode's own first (a narrow screen shows the first).
    Override only right after a refusal an override can pass (`overridable`), in any mode, and
    first, so a 40-column footer shows it too (tester U21: a receipt's QTY_EXCEEDS_TASK had none)."""
    own = tuple(name for name in WORKFLOW_ACTIONS[workflow] if name != "override") if signed_in else ()
    if overridable and signed_in:
        own = ("override", *own)
    common = ("modes", "signout", "type", "help") if signed_in else ("modes", "type", "help")
    by_name = {a.name: a for a in ACTIONS}
    return [by_name[name] for name in (*own, *common)]


def blocking_codes(verdict: Verdict | None) -> list[str]:
    """The codes of a refusal that no override can pass (LOT_EXPIRED, LOT_RECALLED...). An
    override refused (BAD_OVERRIDE: spent, or approved for other reasons, tester X5) is asked
    again: it blocks nothing by itself."""
    if verdict is None or verdict.level is not Level.REJECTED:
        return []
    spent = ReasonCode.BAD_OVERRIDE.value
    return [
        r.code for r in verdict.reasons if r.level is Level.REJECTED and not r.overridable and r.code != spent
    ]


def overridable_refusal(verdict: Verdict | None) -> bool:
    """A refusal a supervisor's override can pass: every refusing reason is overridable."""
    return (
        verdict is not None
        and verdict.level is Level.REJECTED
        and any(r.level is Level.REJECTED for r in verdict.reasons)
        and not blocking_codes(verdict)
    )
