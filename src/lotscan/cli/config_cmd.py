"""`lotscan config`: the effective station settings and where they came from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import click

from lotscan import paths
from lotscan.cli.common import station_options
from lotscan.settings import StationSettings
from lotscan.store.db import read_sync_state
from lotscan.sync import local


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the settings as one JSON object.")
@station_options
@click.pass_context
def config(ctx: click.Context, as_json: bool, settings: StationSettings) -> None:
    """Show the effective station settings (file values over embedded defaults), each with
    where it came from (default, the file, $LOTSCAN_DB or --db); --json lists that under "origins".

    \b
    The file is looked for at --config, then $LOTSCAN_CONFIG, then
    ~/.config/lotscan/station.toml; with none, embedded defaults apply.
    `lotscan config init` writes a commented example to the default place.

    \b
    Examples:
      lotscan config --json
    """
    if ctx.invoked_subcommand:
        return
    data = _with_enrolment(settings.as_dict(), settings.database)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"config file: {data.pop('config_file')}")
    origins = data.pop("origins", {})
    for section, values in data.items():
        click.echo(f"[{section}]")
        if isinstance(values, dict):
            for key, value in values.items():
                origin = origins.get(f"{section}.{key}")
                click.echo(f"  {key} = {json.dumps(value)}" + (f"    # {origin}" if origin else ""))
        else:
            for value in values:
                click.echo(f"  {json.dumps(value)}")


def _with_enrolment(data: dict[str, Any], database: Path) -> dict[str, Any]:
    """The station's name, site and server as central gave them at `lotscan enroll` (kept in the
    cache), over the file's and the defaults: what the station, its events and sync use (tester
    tz, Z6: `id = "ST-01"  # default` and `server_url = null` after enrolment)."""
    enrolled = read_sync_state(database, (local.STATION, local.SITE, local.SERVER_URL))
    origin = f"enrolled at central ({database})"
    for key, setting in ((local.STATION, "id"), (local.SITE, "site"), (local.SERVER_URL, "server_url")):
        if key in enrolled:
            data["station"][setting] = enrolled[key]
            data["origins"][f"station.{setting}"] = origin
    return data


@config.command("init")
@click.option(
    "--path", type=click.Path(dir_okay=False), help="Where to write (default: the default location)."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str | None, force: bool) -> None:
    """Write the commented example station.toml.

    \b
    Examples:
      lotscan config init --path station.toml
    """
    target = Path(path) if path else paths.station_config_file()
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; add --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.example_station_config(), target)
    click.echo(f"wrote {target}")
