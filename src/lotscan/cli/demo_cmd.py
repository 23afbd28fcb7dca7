"""`lotscan demo`: a station on the demo data, set up on first use."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from lotscan import paths
from lotscan.cli.common import open_station_cache, settings_or_exit
from lotscan.services.demo import demo_barcodes
from lotscan.services.importer import import_tables, read_source
from lotscan.store.schema import DEMO_CACHE_KEY
from lotscan.sync.local import set_state


def prepare_demo(database: Path, reset: bool, *, force: bool = False) -> None:
    if reset and database.exists() and not force:
        _confirm_dropping_unsynced(database)
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    if database.exists():
        return
    source = paths.demo_data_dir()
    settings = replace(settings_or_exit(), database=database)
    engine = open_station_cache(settings, create=True)
    with engine.begin() as conn:
        import_tables(conn, read_source(source))
        set_state(conn, DEMO_CACHE_KEY, "1")  # practice scans never go to a real central
    engine.dispose()
    click.echo(f"demo cache created at {database}", err=True)


def _confirm_dropping_unsynced(database: Path) -> None:
    """Events recorded on the demo and never synced are lost by a reset: ask first."""
    from lotscan.store import queries as q

    engine = open_station_cache(replace(settings_or_exit(), database=database))
    try:
        with engine.connect() as conn:
            waiting = q.pending_count(conn)
    finally:
        engine.dispose()
    if not waiting:
        return
    question = f"The demo cache {database} holds {waiting} event(s) not synced. Delete them?"
    try:
        agreed = click.confirm(question, default=False, err=True)
    except click.Abort:  # no answer: stdin ended (no terminal) or Ctrl-C
        raise NoAnswer(
            f"no answer came; nothing was deleted from {database}; "
            "to reset without asking: lotscan demo --reset --force"
        ) from None
    if not agreed:
        raise click.ClickException(
            "nothing was deleted; to reset without asking: lotscan demo --reset --force"
        )


class NoAnswer(click.ClickException):
    """`demo --reset` could not ask (no terminal, stdin ended): exit 2 as a usage error, without
    the usage header a mistyped option gets (tester tz, Z9m)."""

    exit_code = 2


@click.command()
@click.option("--reset", is_flag=True, help="Start again from the demo data (deletes the demo cache only).")
@click.option("--force", is_flag=True, help="With --reset: do not ask before deleting unsynced events.")
@click.option(
    "--headless",
    is_flag=True,
    help="Line-by-line station in this terminal instead of the full-screen UI (always when piped).",
)
def demo(reset: bool, force: bool, headless: bool) -> None:
    """Open a station on the demo data (a biscuit plant), creating it on first use.

    The demo cache lives in ~/.local/share/lotscan/demo.db; your own station cache is not
    touched. The demo barcodes are printed at start: type or paste them.

    \b
    Examples:
      lotscan demo --headless
    """
    database = paths.demo_database()
    prepare_demo(database, reset, force=force)
    settings = replace(settings_or_exit(), database=database)
    if not headless and sys.stdin.isatty() and sys.stdout.isatty():  # piped: the line station
        try:
            from lotscan.station.factory import run_station
        except ImportError:
            run_station = None  # type: ignore[assignment]  # a build without the station UI
        if run_station is not None:
            run_station(settings)
            return
    from lotscan.cli.interactive import run_interactive

    run_interactive(settings, demo_barcodes())
