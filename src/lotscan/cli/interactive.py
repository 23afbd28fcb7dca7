"""A line-by-line station in a plain terminal: type or scan a line, see the verdict."""

from __future__ import annotations

import click

from lotscan.cli.common import open_station_cache, unescape
from lotscan.domain.verdict import Level
from lotscan.services.session import StationSession
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.station.wording import verdict_for_line

COLOURS = {Level.ACCEPTED: "green", Level.WARNING: "yellow", Level.REJECTED: "red"}
BELLS = {Level.ACCEPTED: "\a", Level.WARNING: "\a\a", Level.REJECTED: "\a\a\a"}


def run_interactive(settings: StationSettings, barcodes: list[tuple[str, str]] | None = None) -> None:
    engine = open_station_cache(settings)
    session = StationSession(StationService(engine, settings))
    click.echo(click.style("lotscan station", bold=True) + f" {settings.station_id} on {settings.database}")
    if barcodes:
        click.echo("Demo barcodes (type or paste one per line; /help for commands, Ctrl-D to quit):")
        for what, code in barcodes:
            click.echo(f"  {code:60} {what}")
    while True:
        who = session.operator.name if session.operator else "nobody"
        task = f" {session.task}" if session.task else ""
        click.echo(click.style(f"[{who} | {session.workflow.value}{task}] ", fg="cyan") + session.prompt)
        try:
            line = input("> " if session.awaiting_pin_for is None else "PIN> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not line.strip():
            continue
        try:
            outcome = session.submit(unescape(line))
        except Exception as exc:  # the cache is locked or broken: say so, keep the station up
            click.echo(
                click.style(" REJECTED ", bg="red", fg="black", bold=True)
                + f" Not recorded: the station could not do that ({exc}). Try again."
            )
            continue
        verdict = verdict_for_line(outcome.verdict)
        if outcome.notice and verdict.level is not Level.REJECTED:
            # A badge, task, location or command: said plainly, no verdict word.
            click.echo(click.style(" · ", bold=True) + verdict.message)
        else:
            codes = " ".join(r.code for r in verdict.reasons if r.level is verdict.level)
            # Nothing recorded nor refused (a lookup): not ACCEPTED, which means recorded (T13).
            said = "NOT RECORDED" if verdict.level is not Level.REJECTED and not verdict.recorded else ""
            status = _looked_up_status(verdict.details)
            codes = " ".join(c for c in (status, codes) if c)
            word = f" {said or verdict.level.value}{' ' + codes if codes else ''} "
            colour = COLOURS[verdict.level]
            if said:
                colour = "red" if status in ("RECALLED", "REJECTED") else "yellow" if status else "cyan"
            banner = click.style(word, bg=colour, fg="black", bold=True)
            click.echo(BELLS[verdict.level] + banner + " " + verdict.message)
        for reason in verdict.reasons[1:]:
            click.echo(f"   also {reason.code}: {reason.message}")
        if verdict.other_lot:
            s = verdict.other_lot
            click.echo(
                f"   FEFO: lot {s.lot_code} at {s.location} ({s.quantity:g} available, expiry {s.expiry})"
            )
        prompt = outcome.details.get("prompt") if outcome.details else None
        if prompt:
            click.echo(
                f"   next: line {prompt['line_no']} {prompt['description']}: "
                f"{prompt['remaining']:g} {prompt['unit']}"
                f" -> lot {prompt['lot']} at {prompt['location']}"
            )


def _looked_up_status(details: dict[str, object]) -> str:
    """A looked-up lot's status when it is not simply usable (RECALLED, HOLD, EXPIRED...)."""
    if details.get("type") != "lot":
        return ""
    status = str(details.get("status", "")).upper()
    if status == "RELEASED":
        return "EXPIRED" if details.get("expired") else ""
    return status
