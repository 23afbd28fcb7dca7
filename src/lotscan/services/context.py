"""What a workflow needs besides the scan: who, which task, where, how many, and when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cached_property


class Workflow(StrEnum):
    RECEIVE = "receive"
    MOVE = "move"
    CONSUME = "consume"
    PRODUCE = "produce"
    PICK = "pick"
    SHIP = "ship"
    HOLD = "hold"
    RELEASE = "release"
    QUARANTINE = "quarantine"
    COUNT = "count"
    LOOKUP = "lookup"

    @classmethod
    def parse(cls, name: str) -> Workflow:
        try:
            return cls(name.strip().lower())
        except ValueError:
            known = ", ".join(w.value for w in cls)
            raise ValueError(f"unknown workflow {name!r}; choose one of: {known}") from None


STATUS_WORKFLOWS = {
    Workflow.HOLD: "hold",
    Workflow.RELEASE: "released",
    Workflow.QUARANTINE: "quarantine",
}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ScanContext:
    workflow: Workflow
    operator: str | None = None
    task: str | None = None
    location: str | None = None
    to_location: str | None = None
    qty: float | None = None
    override: str | None = None
    override_by: str | None = None  # the approving supervisor's badge; the operator when None
    # The refusing codes the approver was shown (tester X5): the override passes no other. None:
    # approved before any refusal (the command line's --override), as before.
    override_covers: frozenset[str] | None = None
    reason: str | None = None
    origin: Mapping[str, str] | None = None  # harvest facts typed for the next receipt (domain.harvest)
    now: datetime = field(default_factory=_now)  # station clock, UTC, naive

    @cached_property
    def today(self) -> date:
        """The station's local calendar day, the one `expired` is judged on everywhere (the UI
        and the label interpreter use the local date too); `now` itself is kept in UTC. Worked
        out once per scan (a judgement asks for it several times)."""
        return self.now.replace(tzinfo=UTC).astimezone().date()

    def with_(self, **changes: object) -> ScanContext:
        return replace(self, **changes)  # type: ignore[arg-type]
