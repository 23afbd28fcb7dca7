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
# What `lotscan --help` says of each command, so it imports none of them (tester's #16: 5 s
# for the help, loading Textual, OpenCV and SQLAlchemy); a test keeps these equal to the
# commands' own help.
SUMMARIES = {
    "parse": "Explain what a scan means: symbology, kind, every GS1 field, and any problem.",
    "scan": "Judge DATA against the station cache; record it when accepted.",
    "cache": "The station's local lot cache (SQLite).",
    "config": "Show the effective station settings (file values over embedded defaults), each with "
    'where it came from (default, the file, $LOTSCAN_DB or --db); --json lists that under "origins".',
    "demo": "Open a station on the demo data (a biscuit plant), creating it on first use.",
    "bench": "Run a benchmark and print its figures (add --json for machine-readable output).",
    "station": "Open the station screen: scan a badge to sign in, then scan to work.",
    "decode": "Decode the barcodes in IMAGE files (PNG, JPEG, WebP, ...).",
    "devices": "List serial ports, input devices and cameras, with the profile that matches each, "
    "and the state of every device configured for this station.",
    "simulate": "Pretend to be a scanner, an R2000 UHF reader or a badge reader, on a pseudo-terminal "
    "(default) or a TCP socket, so a station, a demo or a test can run without hardware.",
    "central": "The central lot service: serve the API, migrate, import, manage stations and lots.",
    "enroll": "Enrol this station with central: get its token, then a full snapshot of its site.",
    "sync": "Send this station's waiting events to central and fetch what changed.",
    "label": "Make the GS1 label of LOT: GS1-128 and GS1 DataMatrix with GTIN, expiry, lot and quantity.",
}


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    summaries=SUMMARIES,
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
