"""`lotscan station`: the full-screen station UI on the configured station cache, in this
terminal, or served to handhelds (`--web` for browsers, `--ssh` for terminal emulation), and
`lotscan station sessions` listing a serving station's sessions."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click

from lotscan.cli.common import cache_to_work_on, open_station_cache, refuse_a_busy_port, station_options
from lotscan.paths import ssh_authorized_keys, ssh_host_key
from lotscan.settings import StationSettings

DEFAULT_WEB_PORT = 8080
DEFAULT_SSH_PORT = 8022


@click.group(invoke_without_command=True)
@station_options
@click.option("--web", is_flag=True, help="Serve the station to browsers (handhelds on the Wi-Fi).")
@click.option("--ssh", is_flag=True, help="Serve the station over SSH (RF guns, terminal emulation).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: all).")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help=f"Port (default {DEFAULT_WEB_PORT} for --web, {DEFAULT_SSH_PORT} for --ssh; with both, the web's).",
)
@click.option("--ssh-port", type=click.IntRange(1, 65535), help="SSH port when serving --web and --ssh.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), help="HTTPS certificate (PEM).")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), help="Its private key (PEM).")
@click.option(
    "--host-key",
    type=click.Path(dir_okay=False),
    help="SSH host key (created on first use; default in the data dir).",
)
@click.option(
    "--authorized-keys",
    type=click.Path(dir_okay=False),
    help="One public key per handheld, the comment naming it (default ~/.config/lotscan/authorized_keys).",
)
@click.option(
    "--processes",
    type=click.IntRange(0, 64),
    help="Session processes for --web/--ssh (default: one per CPU core; 0: all sessions in one process).",
)
@click.pass_context
def station(
    ctx: click.Context,
    settings: StationSettings,
    web: bool,
    ssh: bool,
    host: str,
    port: int | None,
    ssh_port: int | None,
    tls_cert: str | None,
    tls_key: str | None,
    host_key: str | None,
    authorized_keys: str | None,
    processes: int | None,
) -> None:
    """Open the station screen: scan a badge to sign in, then scan to work.

    Keys are shown at the bottom of the screen (F1 or ? for help, Ctrl+Q to quit).

    \b
    Examples:
      lotscan station                        # the station in this terminal
      lotscan station --web                  # browsers on http://127.0.0.1:8080/
      lotscan station --web --host 0.0.0.0   # ... reachable from the warehouse Wi-Fi
      lotscan station --ssh --authorized-keys keys.pub
      lotscan station sessions               # who is connected to a serving station
    """
    if ctx.invoked_subcommand is not None:
        return
    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError("give both --tls-cert and --tls-key, or neither")
    if not web and not ssh:
        given = (("--tls-cert", tls_cert), ("--host-key", host_key), ("--ssh-port", ssh_port))
        for name, value in (*given, ("--processes", processes is not None)):
            if value:
                raise click.UsageError(f"{name} is for --web or --ssh")
    settings = cache_to_work_on(settings)
    open_station_cache(settings).dispose()  # a clear error now if the cache is missing or damaged
    if not web and not ssh:
        from lotscan.station.factory import run_station

        run_station(settings)
        return
    if processes is None:
        processes = os.cpu_count() or 1
    _serve(settings, web, ssh, host, port, ssh_port, tls_cert, tls_key, host_key, authorized_keys, processes)


def _serve(
    settings: StationSettings,
    web: bool,
    ssh: bool,
    host: str,
    port: int | None,
    ssh_port: int | None,
    tls_cert: str | None,
    tls_key: str | None,
    host_key: str | None,
    authorized_keys: str | None,
    processes: int,
) -> None:
    from lotscan.station.serve.runner import SshOptions, WebOptions, run_served
    from lotscan.station.serve.ssh import SshKeyError

    if tls_cert and not web:
        raise click.UsageError("--tls-cert is for --web")
    web_options = WebOptions(host, port or DEFAULT_WEB_PORT, tls_cert, tls_key) if web else None
    if web_options:
        refuse_a_busy_port(host, web_options.port, "--port")
    ssh_options = None
    if ssh:
        chosen = ssh_port or (port if not web else None) or DEFAULT_SSH_PORT
        refuse_a_busy_port(host, chosen, "--ssh-port" if web else "--port")
        ssh_options = SshOptions(
            host,
            chosen,
            Path(host_key) if host_key else ssh_host_key(),
            Path(authorized_keys) if authorized_keys else ssh_authorized_keys(),
        )
    try:
        run_served(settings, web_options, ssh_options, processes)
    except SshKeyError as exc:  # a key file given (or defaulted) that cannot be used
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise click.ClickException(f"cannot listen on {host}: {exc.strerror or exc}") from exc


@station.command()
@station_options
@click.option("--json", "as_json", is_flag=True, help="The registry as JSON.")
def sessions(settings: StationSettings, as_json: bool) -> None:
    """List the sessions of the station serving this cache (--web/--ssh).

    \b
    Examples:
      lotscan station sessions
    """
    from lotscan.station.serve.hub import read_registry

    settings = cache_to_work_on(settings)
    registry = read_registry(settings)
    if registry is None:
        raise click.ClickException(
            f"no station is serving {settings.database}: start one with lotscan station --web or --ssh"
        )
    if as_json:
        click.echo(json.dumps(registry, indent=2))
        return
    endpoints = ", ".join(f"{k} {v}" for k, v in registry["endpoints"].items())
    click.echo(f"station {registry['station']} (pid {registry['pid']}): {endpoints}")
    click.echo(f"sync workers: {registry['sync_workers']}; sessions: {len(registry['sessions'])}")
    now = time.time()
    for row in registry["sessions"]:
        who = row["operator"] or "(not signed in)"
        idle = now - row["last_active"]
        device = f" {row['device']}" if row["device"] else ""
        click.echo(
            f"  {row['id']:<8} {row['peer']:<15} {row['terminal']:<14} {row['size']:<7} {who:<10} "
            f"{row['scans']:>4} scans  idle {idle:.0f}s{device}"
        )
