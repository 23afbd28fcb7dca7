"""`lotscan demo`: a station on the demo data, set up on first use."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from lotscan import paths
from lotscan.cli.common import open_station_cache, settings_or_exit
from lotscan.services.demo import demo_barcodes
from lotscan.services.importer import import_tables, read_source


def prepare_demo(database: Path, reset: bool) -> None:
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
    engine.dispose()
    click.echo(f"demo cache created at {database}", err=True)


@click.command()
@click.option("--reset", is_flag=True, help="Start again from the demo data (deletes the demo cache only).")
@click.option(
    "--headless", is_flag=True, help="Line-by-line station in this terminal instead of the full-screen UI."
)
def demo(reset: bool, headless: bool) -> None:
    """Open a station on the demo data (a biscuit plant), creating it on first use.

    The demo cache lives in ~/.local/share/lotscan/demo.db; your own station cache is not
    touched. The demo barcodes are printed at start: type or paste them.
    """
    database = paths.demo_database()
    prepare_demo(database, reset)
    settings = replace(settings_or_exit(), database=database)
    if not headless:
        try:
            from lotscan.station.factory import run_station
        except ImportError:
            run_station = None
        if run_station is not None:
            run_station(settings)
            return
    from lotscan.cli.interactive import run_interactive

    run_interactive(settings, demo_barcodes())
