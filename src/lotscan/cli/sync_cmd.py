"""`lotscan enroll` and `lotscan sync`: connect a station to the central lot service."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import click

from lotscan import paths
from lotscan.cli.common import (
    SettingsProblem,
    cache_to_work_on,
    central_url,
    enrolment_code,
    open_station_cache,
    station_options,
)
from lotscan.domain.lot_numbers import LotPatternError, check_lot_pattern
from lotscan.settings import StationSettings
from lotscan.store.schema import DEMO_CACHE_KEY
from lotscan.sync import local
from lotscan.sync.client import CentralClient, SyncError
from lotscan.sync.engine import Report, Syncer
from lotscan.sync.worker import SyncStatus, SyncWorker, read_status


@click.command()
@click.option(
    "--server", required=True, callback=central_url, help="Central's URL, e.g. https://central.example:8443"
)
@click.option(
    "--code",
    required=True,
    callback=enrolment_code,
    help="One-time enrolment code (lotscan central station add --site S).",
)
@click.option(
    "--ca",
    "ca_bundle",
    type=click.Path(exists=True, dir_okay=False),
    help="CA bundle to trust for HTTPS (a private CA or a self-signed certificate); remembered for sync.",
)
@station_options
def enroll(server: str, code: str, ca_bundle: str | None, settings: StationSettings) -> None:
    """Enrol this station with central: get its token, then a full snapshot of its site.

    \b
    Events already waiting in the cache are kept and sent after the snapshot.

    \b
    Examples:
      lotscan enroll --server http://central:8080 --code 1A2B-3C4D-5E6F-7A8B
    """
    database = settings.database.expanduser()
    is_demo = database.resolve() == paths.demo_database().resolve()
    engine = open_station_cache(settings) if database.exists() and not is_demo else None
    if is_demo or (engine is not None and _is_a_demo_cache(engine)):
        raise SettingsProblem(
            f"{settings.database} is the demo cache (made by `lotscan demo`): its practice scans must "
            f"not reach a real central, so it cannot be enrolled. Enrol a station cache of its own: "
            f"lotscan enroll --server URL --code CODE --db {paths.station_database()}"
        )
    if engine is None:
        _refuse_a_cache_that_cannot_be_made(database)
    verify: bool | str = ca_bundle or True
    try:
        with CentralClient(server, verify=verify) as client:
            answer = client.enroll(code, settings.station_id)
    except SyncError as exc:
        raise click.ClickException(f"enrolment failed: {exc}") from exc
    if engine is None:  # tester U14: made only now, so a failed enrolment leaves no empty cache behind
        engine = open_station_cache(settings, create=True)
    with engine.begin() as conn:
        again = local.store_enrolment(
            conn,
            server=server,
            token=answer.token,
            station=answer.station,
            site=answer.site,
            lot_part=answer.lot_part,
            ca_bundle=str(Path(ca_bundle).resolve()) if ca_bundle else None,
        )
    click.echo(f"enrolled as {answer.station} (site {answer.site}); loading the site snapshot ...")
    part = answer.lot_part or answer.station
    try:
        check_lot_pattern(settings.lot_pattern, station=part, line=settings.line)
    except LotPatternError as exc:
        click.echo(
            f"warning: lot numbers made here carry {part!r} for {{station}}, and {exc}; "
            "production is refused until [lots] pattern in station.toml is shortened",
            err=True,
        )
    if again:
        click.echo(
            f"{again} event(s) sent before are sent again: central applies those it never stored; "
            "those it holds from an earlier enrolment come back refused (ID_REUSED), not applied twice"
        )
    started = time.perf_counter()
    try:
        with CentralClient(server, answer.token, verify=verify) as client:
            counts = Syncer(engine, client).reload()
    except SyncError as exc:
        raise click.ClickException(
            f"enrolled, but the snapshot failed: {exc}. Run `lotscan sync --once` to fetch it."
        ) from exc
    summary = ", ".join(f"{n} {t}" for t, n in counts.items() if n)
    click.echo(f"snapshot loaded in {time.perf_counter() - started:.1f} s: {summary}")


def _refuse_a_cache_that_cannot_be_made(database: Path) -> None:
    """Before central spends the one-time code: the cache made after it must be writable where
    --db says (the nearest folder that exists), or the code would be used up for nothing."""
    folder = database.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise SettingsProblem(
            f"cannot create the station cache {database}: {folder} is not a writable folder"
        )


def _is_a_demo_cache(engine: Any) -> bool:
    """Tester's #13f: enrolling the demo cache pushed its practice scans to a real central."""
    with engine.connect() as conn:
        return local.get_state(conn, DEMO_CACHE_KEY) is not None


@click.command()
@click.option("--once", is_flag=True, help="One round (push, then pull) and exit; status 1 if it failed.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds when running.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@station_options
def sync(once: bool, interval: float, as_json: bool, settings: StationSettings) -> None:
    """Send this station's waiting events to central and fetch what changed.

    \b
    Without --once it keeps running (Ctrl-C to stop), retrying with backoff while offline.
    Inside `lotscan station` the same worker runs in the background.

    \b
    Examples:
      lotscan sync --once
      lotscan sync --once --json
    """
    settings = cache_to_work_on(settings)
    engine = open_station_cache(settings)

    def show(status: SyncStatus) -> None:
        if as_json:
            click.echo(json.dumps(_status_dict(status)))
        else:
            age = "never" if status.cache_age_s is None else f"{status.cache_age_s:.0f} s"
            error = f"  ({status.last_error})" if status.last_error else ""
            refused = f"  refused by central: {status.set_aside}" if status.set_aside else ""
            click.echo(f"{status.label}  waiting: {status.pending}{refused}  cache age: {age}{error}")

    worker = SyncWorker(engine, settings, show, interval_s=interval)
    if once:
        report = worker.sync_now()
        if report is not None and as_json:
            click.echo(json.dumps(report.as_dict()))
        elif report is not None:
            click.echo(_report_text(report))
        if report is None:
            raise SystemExit(1)
        return
    worker.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()
        click.echo(json.dumps(_status_dict(read_status(engine, online=False))) if as_json else "stopped")


def _report_text(report: Report) -> str:
    """One round in words: `pushed 3 (2 accepted, 1 duplicate), pulled 5 changes`."""
    said = ", ".join(f"{n} {outcome.replace('_', ' ')}" for outcome, n in sorted(report.outcomes.items()))
    text = f"pushed {report.pushed}" + (f" ({said})" if said else "") + f", pulled {report.pulled} changes"
    return text + (", reloaded a snapshot" if report.reloaded else "")


def _status_dict(status: SyncStatus) -> dict[str, Any]:
    return {
        "state": status.label,
        "pending": status.pending,
        "set_aside": status.set_aside,
        "cache_age_s": status.cache_age_s,
        "last_error": status.last_error,
        "enrolled": status.enrolled,
    }
