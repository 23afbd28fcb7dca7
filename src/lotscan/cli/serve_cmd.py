"""`lotscan central serve`: run the central lot service with its settings resolved and checked
(lotscan.central.config), in one process or several uvicorn workers."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from lotscan.central.db import normalise_url
from lotscan.cli.central_cmd import open_engine
from lotscan.cli.common import SettingsProblem, refuse_a_busy_port


@click.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    envvar="LOTSCAN_CENTRAL_CONFIG",
    help="TOML file with a [central] table (see config/central.toml); options and "
    "LOTSCAN_CENTRAL_* variables win over it.",
)
@click.option("--db", "db", help="Central database: a SQLite path/URL or postgresql+psycopg://user@host/db.")
@click.option("--host", help="Interface to listen on (0.0.0.0: all). [default: 127.0.0.1]")
@click.option("--port", type=int, help="[default: 8080]")
@click.option("--ssl-certfile", type=click.Path(exists=True, dir_okay=False), help="TLS certificate (PEM).")
@click.option("--ssl-keyfile", type=click.Path(exists=True, dir_okay=False), help="TLS private key (PEM).")
@click.option("--changelog-days", type=float, help="How long central keeps the change log. [default: 30]")
@click.option("--max-body-mb", type=float, help="Largest request body accepted. [default: 8]")
@click.option("--threads", type=int, help="Request threads per worker. [default: 16]")
@click.option("--workers", type=int, help="Worker processes (PostgreSQL only; use the cores). [default: 1]")
@click.option(
    "--audit",
    type=click.Choice(["inline", "deferred"]),
    help="Chain pushed events into the audit log right after each push commits (deferred: pushes "
    "of a site do not queue behind the chain head; anything a crash leaves unchained is sealed at "
    "start-up and every minute), or inside the push's own transaction (inline). [default: deferred]",
)
@click.option("--log-level", help="debug, info, warning, error or critical. [default: info]")
@click.option(
    "--proxy-headers/--no-proxy-headers", default=None, help="Trust X-Forwarded-* (behind a proxy)."
)
@click.option(
    "--show", is_flag=True, help="Print the effective settings and where each came from (JSON), and exit."
)
def serve(config_file: str | None, show: bool, **options: Any) -> None:
    """Run the HTTP API (OpenAPI at /docs, health at /health). Migrates the database first.

    Every setting and its default is in lotscan/central/config.py: an option here wins over
    LOTSCAN_CENTRAL_<KEY> (e.g. LOTSCAN_CENTRAL_AUDIT=inline), which wins over --config's file.

    \b
    Examples:
      lotscan central serve --host 0.0.0.0 --port 8080
    """
    import uvicorn

    from lotscan.central.app import app_from_env
    from lotscan.central.config import CentralConfigError, load_central_settings, origins

    try:
        settings = load_central_settings(config_file, **options)
    except CentralConfigError as exc:
        raise SettingsProblem(str(exc)) from None
    if show:
        where = origins(config_file, **options)
        click.echo(json.dumps({**settings.model_dump(), "origins": where}, indent=2))
        return
    if bool(settings.ssl_certfile) != bool(settings.ssl_keyfile):
        raise click.UsageError("give both --ssl-certfile and --ssl-keyfile, or neither")
    if settings.workers > 1 and not normalise_url(settings.db).startswith("postgresql"):
        raise click.UsageError("--workers > 1 needs PostgreSQL; SQLite has one writer anyway")
    refuse_a_busy_port(settings.host, settings.port)
    open_engine(settings.db).dispose()  # migrate once, before any worker starts
    # The app is built from these in each worker process (and in this one when --workers is 1).
    os.environ.update(settings.to_environment())
    uvicorn_options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "ssl_certfile": settings.ssl_certfile,
        "ssl_keyfile": settings.ssl_keyfile,
        "log_config": None,
        "access_log": False,
        "proxy_headers": settings.proxy_headers,
        "timeout_graceful_shutdown": 5,
        "timeout_keep_alive": 75,  # stations sync every few seconds: keep their connections open
    }
    if settings.workers > 1:
        app = "lotscan.central.app:app_from_env"
        uvicorn.run(app, factory=True, workers=settings.workers, **uvicorn_options)
    else:
        uvicorn.run(app_from_env(), **uvicorn_options)
