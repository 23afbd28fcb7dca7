"""What the work panel shows, gathered in the service thread (reads only, no UI here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lotscan.codes.scan import InternalCode, Scan, ScanKind
from lotscan.domain.status import LotStatus
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.session import WORKFLOW_TASKS, StationSession

# The workflows whose panel names the FEFO lot to take and where, before the scan.
PROMPTED = (Workflow.PICK, Workflow.CONSUME)


@dataclass(frozen=True)
class Workspace:
    workflow: Workflow
    task: str | None = None
    task_details: dict[str, Any] | None = None
    pick_prompt: dict[str, Any] | None = None
    open_tasks: list[dict[str, Any]] = field(default_factory=list)
    location: str | None = None
    pending_move: str | None = None
    reason: str | None = None
    qty: float | None = None
    override: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    counting: dict[str, Any] | None = None
    move_needs_source: bool = False  # the lot to move is in several places: scan where from


def task_details(session: StationSession, code: str) -> dict[str, Any] | None:
    """A task and its lines, through the lookup workflow (which writes nothing)."""
    scan = Scan(kind=ScanKind.ORDER, raw=code, internal=InternalCode("task", code))
    verdict = session.service.handle(scan, ScanContext(Workflow.LOOKUP))
    return verdict.details or None


def location_details(session: StationSession, code: str) -> dict[str, Any] | None:
    """What a location holds, through the lookup workflow (which writes nothing)."""
    scan = Scan(kind=ScanKind.LOCATION, raw=code, internal=InternalCode("location", code))
    verdict = session.service.handle(scan, ScanContext(Workflow.LOOKUP))
    return verdict.details or None


# A status a sync round can bring that takes a lot out of the FEFO prompt, as said on screen.
_TAKEN_OUT = {
    LotStatus.RECALLED.value: "recalled",
    LotStatus.HOLD.value: "put on hold",
    LotStatus.QUARANTINE.value: "quarantined",
    LotStatus.REJECTED.value: "rejected",
}


def prompt_moved_on(
    session: StationSession, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> str | None:
    """Why the FEFO prompt no longer names the lot it named: that lot was recalled, held,
    quarantined or rejected by central meanwhile (tester W14: the prompt kept naming a recalled
    lot until the next scan). "FLO3181D was recalled by central: take lot FLO3471A at RM-A07."
    None when the prompt names the same lot, or the lot left it for another reason."""
    if not before or not before.get("lot") or not after or after.get("lot") == before["lot"]:
        return None
    lot = str(before["lot"])
    word = _TAKEN_OUT.get(session.service.lot_status(str(before["gtin"]), lot) or "")
    if word is None:
        return None
    if after.get("lot"):
        then = f"take lot {after['lot']} at {after['location']} instead."
    else:
        then = f"no other lot of {after['description'] or after['item']} is in stock to take."
    return f"{lot} was {word} by central: {then}"


def gather(session: StationSession) -> Workspace:
    workflow, task = session.workflow, session.task
    details = task_details(session, task) if task else None
    # Pick and consume name the lot to take and where before the scan (FEFO; tester's T14).
    prompted = workflow in PROMPTED
    prompt = session.service.pick_prompt(task, ScanContext(workflow)) if task and prompted else None
    kinds = WORKFLOW_TASKS.get(workflow)
    listed = session.service.open_tasks(kinds) if kinds and not task and session.operator else []
    open_tasks = [t for t in listed if t["status"] == "open"][:20]  # a done list is not offered (Z9g)
    pending = session.pending_move
    return Workspace(
        workflow,
        task,
        details,
        prompt,
        open_tasks,
        session.location,
        (pending.lot or pending.sscc or pending.raw) if pending else None,
        session.reason,
        session.qty,
        session.override,
        session.service.summary(),
        location_details(session, session.location)
        if workflow is Workflow.COUNT and session.location
        else None,
        session.move_needs_source,
    )
