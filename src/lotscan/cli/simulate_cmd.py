"""`lotscan simulate`: stand-in hardware on a pseudo-terminal or a TCP socket."""

from __future__ import annotations

import itertools
import time

import click

from lotscan.devices.profiles import ProfileError, load_profile
from lotscan.devices.simulate import (
    DEMO_CODES,
    BadgeSimulator,
    PtyPort,
    R2000Simulator,
    ScannerSimulator,
    SimPort,
    TcpPort,
    pallet_epcs,
)

DEMO_GTINS = ("19521234001017", "19521234001031", "09521234001348")  # demo master data


def _port(socket_address: str | None, link: str | None) -> SimPort:
    if socket_address:
        host, _, port = socket_address.rpartition(":")
        try:
            return TcpPort(host or "127.0.0.1", int(port))
        except (ValueError, OSError) as exc:
            raise click.ClickException(f"cannot listen on {socket_address}: {exc}") from exc
    return PtyPort(link)


def _announce(port: SimPort, profile: str) -> None:
    click.echo(f"simulated device ready at {port.address}", err=True)
    click.echo(f"  try: lotscan devices test {profile} --port {port.address}", err=True)


def common(func):  # type: ignore[no-untyped-def]
    func = click.option(
        "--socket",
        "socket_address",
        metavar="HOST:PORT",
        help="Listen on TCP (a serial device server) instead of a pty; port 0 picks one.",
    )(func)
    func = click.option(
        "--link",
        type=click.Path(dir_okay=False),
        help="Keep a stable symlink to the pty here, like /dev/serial/by-id.",
    )(func)
    func = click.option(
        "--interval",
        type=float,
        default=1.0,
        show_default=True,
        help="Seconds between scans / badge reads / pallets.",
    )(func)
    func = click.option(
        "--count", type=int, default=0, help="Stop after this many (default: run until Ctrl-C)."
    )(func)
    return func


@click.group("simulate", context_settings={"help_option_names": ["-h", "--help"]})
def simulate() -> None:
    """Pretend to be a scanner, an R2000 UHF reader or a badge reader, on a pseudo-terminal
    (default) or a TCP socket, so a station, a demo or a test can run without hardware.

    \b
    lotscan simulate scanner --profile honeywell-serial
    lotscan simulate rfid --tags 24 --noise --split
    lotscan simulate badge --socket 127.0.0.1:7000
    """


@simulate.command("scanner")
@click.option(
    "--profile",
    default="honeywell-serial",
    show_default=True,
    help="Send what a scanner with this profile sends (suffix, AIM ids, GS substitute).",
)
@click.option(
    "--code",
    "codes",
    multiple=True,
    help=r"A code to send (GS as \x1d); repeatable. Default: a mix of GS1 labels.",
)
@click.option("--aim", default=None, help="AIM id for --code values, e.g. ]C1.")
@click.option("--split", is_flag=True, help="Split each scan over two writes.")
@common
def scanner(
    profile: str,
    codes: tuple[str, ...],
    aim: str | None,
    split: bool,
    socket_address: str | None,
    link: str | None,
    interval: float,
    count: int,
) -> None:
    """Send barcode scans the way a serial scanner does.

    \b
    Examples:
      lotscan simulate scanner --count 2 --interval 0.5
    """
    try:
        scanner_profile = load_profile(profile)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from exc
    items = [(aim, c.encode().decode("unicode_escape")) for c in codes] or list(DEMO_CODES)
    with _port(socket_address, link) as port:
        _announce(port, profile)
        sim = ScannerSimulator(port, scanner_profile, split=split)
        try:
            for n, (aim_id, code) in enumerate(itertools.cycle(items), start=1):
                time.sleep(interval)
                try:
                    sim.send(code, aim_id=aim_id)
                except OSError as exc:
                    click.echo(f"write failed ({exc}); is a reader connected?", err=True)
                    continue
                click.echo(f"sent {code!r}", err=True)
                if count and n >= count:
                    break
        except KeyboardInterrupt:
            pass


@simulate.command("rfid")
@click.option("--profile", default="r2000-uhf", show_default=True, help="R2000 profile (address).")
@click.option(
    "--tags",
    type=int,
    default=12,
    show_default=True,
    help="SGTIN-96 tags in the field (a pallet of three demo GTINs).",
)
@click.option("--noise", is_flag=True, help="Sprinkle line noise between frames.")
@click.option("--split", is_flag=True, help="Split replies over two writes.")
@click.option("--corrupt-every", type=int, default=0, help="Corrupt every Nth tag report's checksum.")
@click.option("--rssi", type=int, default=-55, show_default=True, help="RSSI of every tag, dBm.")
@common
def rfid(
    profile: str,
    tags: int,
    noise: bool,
    split: bool,
    corrupt_every: int,
    rssi: int,
    socket_address: str | None,
    link: str | None,
    interval: float,
    count: int,
) -> None:
    """Answer R2000 commands: each real-time inventory round reports the tags in the field.
    Every --interval seconds the pallet leaves and a new one (new serials) arrives.

    \b
    Examples:
      lotscan simulate rfid --count 1
    """
    try:
        address = load_profile(profile).address
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from exc
    per_gtin = max(1, tags // len(DEMO_GTINS))
    with _port(socket_address, link) as port:
        _announce(port, profile)
        sim = R2000Simulator(
            port,
            address=1 if address == 0xFF else address,
            noise=noise,
            split=split,
            corrupt_every=corrupt_every,
        ).start()
        try:
            for n in itertools.count(1):
                epcs = pallet_epcs(DEMO_GTINS, per_gtin, first_serial=n * 1000)[:tags]
                sim.set_tags([(epc, rssi) for epc in epcs])
                click.echo(f"pallet {n}: {len(epcs)} tags in the field", err=True)
                time.sleep(interval)
                sim.set_tags([])
                time.sleep(min(1.0, interval))
                if count and n >= count:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            sim.stop()
            click.echo(
                f"{sim.rounds} inventory rounds answered, {sim.reports_sent} tag reports sent", err=True
            )


@simulate.command("badge")
@click.option("--card", "cards", multiple=True, help="10-hex-digit card id; repeatable.")
@common
def badge(
    cards: tuple[str, ...], socket_address: str | None, link: str | None, interval: float, count: int
) -> None:
    """Present operator badges to an RDM6300-style 125 kHz reader.

    \b
    Examples:
      lotscan simulate badge --count 1
    """
    cards = cards or ("0F00A3B2C1", "0F00123456")
    with _port(socket_address, link) as port:
        _announce(port, "rdm6300-badge")
        sim = BadgeSimulator(port)
        try:
            for n, card in enumerate(itertools.cycle(cards), start=1):
                time.sleep(interval)
                try:
                    sim.present(card)
                except (OSError, ValueError) as exc:
                    raise click.ClickException(f"cannot send card {card}: {exc}") from exc
                click.echo(f"presented {card}", err=True)
                if count and n >= count:
                    break
        except KeyboardInterrupt:
            pass
