"""`lotscan station`: the full-screen station UI on the configured station cache."""

from __future__ import annotations

import click

from lotscan.cli.common import open_station_cache, station_options
from lotscan.settings import StationSettings


@click.command()
@station_options
def station(settings: StationSettings) -> None:
    """Open the station screen: scan a badge to sign in, then scan to work.

    Keys are shown at the bottom of the screen (F1 or ? for help, Ctrl+Q to quit).
    """
    open_station_cache(settings).dispose()  # a clear error now if the cache is missing or damaged
    from lotscan.station.factory import run_station

    run_station(settings)
