"""The `lotscan` command."""

from __future__ import annotations

import click

from lotscan import __version__
from lotscan.cli.lazy import LazyGroup

COMMANDS = {
    "parse": "lotscan.cli.parse_cmd:parse",
    "scan": "lotscan.cli.scan_cmd:scan",
    "cache": "lotscan.cli.cache_cmd:cache",
    "config": "lotscan.cli.config_cmd:config",
    "demo": "lotscan.cli.demo_cmd:demo",
    "bench": "lotscan.cli.bench_cmd:bench",
    "station": "lotscan.cli.station_cmd:station",
    "decode": "lotscan.cli.decode_cmd:decode",
    "devices": "lotscan.cli.devices_cmd:devices",
    "simulate": "lotscan.cli.simulate_cmd:simulate",
    "central": "lotscan.cli.central_cmd:central",
    "enroll": "lotscan.cli.sync_cmd:enroll",
    "sync": "lotscan.cli.sync_cmd:sync",
    "label": "lotscan.cli.label_cmd:label",
}


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="lotscan")
def cli() -> None:
    """Lot-traceability scanning station.

    \b
    Start here:
      lotscan demo              interactive station on the demo data
      lotscan parse DATA        explain any barcode or RFID tag
      lotscan scan DATA -w W    judge a scan against the local lot cache
      lotscan config            show the effective station settings
    """


def main() -> None:
    cli()
