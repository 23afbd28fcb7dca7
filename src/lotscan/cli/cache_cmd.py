"""`lotscan cache`: load master data and tasks into the station cache, and inspect it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy import func, select

from lotscan.cli.common import cache_to_work_on, open_station_cache, station_options
from lotscan.services.below_zero import below_zero_lines, stock_below_zero
from lotscan.services.importer import ORDER, ImportDataError, import_tables, read_source
from lotscan.settings import StationSettings
from lotscan.store import schema


@click.group()
def cache() -> None:
    """The station's local lot cache (SQLite)."""


@cache.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@station_options
def import_(sources: tuple[Path, ...], settings: StationSettings) -> None:
    """Load master data and tasks from CSV/JSON files or folders, all or nothing.

    \b
    Tables: sites, locations, items, operators, lots, stock, tasks, task_lines
    (CSV files named after the table, or JSON with a list per table).
    Dates may be ISO or relative (+30d, today). Re-importing updates rows in place.

    \b
    Examples:
      lotscan cache import config/demo
    """
    tables: dict = {}
    try:
        for source in sources:
            for name, rows in read_source(source).items():
                tables.setdefault(name, []).extend(rows)
    except ImportDataError as exc:
        raise click.ClickException(f"{exc}\nNothing was imported.") from exc
    engine = open_station_cache(settings, create=True)
    total = sum(len(rows) for rows in tables.values())
    try:
        with (
            engine.begin() as conn,
            click.progressbar(length=total, label="importing", file=sys.stderr) as bar,
        ):
            counts = import_tables(conn, tables, progress=lambda _name, n: bar.update(n))
    except ImportDataError as exc:
        raise click.ClickException(f"{exc}\nNothing was imported.") from exc
    summary = ", ".join(f"{counts[n]} {n}" for n in ORDER if counts.get(n))
    click.echo(f"imported into {settings.database}: {summary}")


@cache.command("info")
@click.option("--json", "as_json", is_flag=True)
@station_options
def info(as_json: bool, settings: StationSettings) -> None:
    """Row counts of the cache and how many events wait to sync.

    \b
    Examples:
      lotscan cache info
    """
    settings = cache_to_work_on(settings)
    engine = open_station_cache(settings)
    tables = {
        "items": schema.Item,
        "lots": schema.Lot,
        "locations": schema.Location,
        "stock": schema.Stock,
        "tasks": schema.Task,
        "operators": schema.Operator,
        "events": schema.Event,
    }
    with engine.connect() as conn:
        counts = {
            name: conn.execute(select(func.count()).select_from(model)).scalar()
            for name, model in tables.items()
        }
        counts["pending_events"] = conn.execute(
            select(func.count()).where(schema.Event.sync_state == "pending")
        ).scalar()
    if as_json:
        click.echo(json.dumps({"database": str(settings.database), **counts}))
    else:
        click.echo(f"cache {settings.database}")
        for name, count in counts.items():
            click.echo(f"  {name:15} {count}")


@cache.command("below-zero")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per shelf and lot.")
@station_options
def below_zero(as_json: bool, settings: StationSettings) -> None:
    """Shelves whose book stock went below zero (more taken than the cache knew was there):
    location, lot, item, quantity, and the station's last scan that took from it. Count each
    one (the station's count mode).

    \b
    Examples:
      lotscan cache below-zero
    """
    settings = cache_to_work_on(settings)
    engine = open_station_cache(settings)
    with engine.connect() as conn:
        shortfalls = stock_below_zero(conn)
    if as_json:
        for short in shortfalls:
            click.echo(json.dumps(short.as_row()))
    else:
        for line in below_zero_lines(shortfalls):
            click.echo(line)
