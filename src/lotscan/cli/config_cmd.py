"""`lotscan config`: the effective station settings and where they came from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from lotscan import paths
from lotscan.cli.common import station_options
from lotscan.settings import StationSettings


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
    data = settings.as_dict()
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
