"""Options and helpers every station command shares: settings, the cache, clean errors."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any, TypeVar

import click

from lotscan import paths
from lotscan.settings import SettingsError, StationSettings, load_settings
from lotscan.store.db import CacheError, open_cache

F = TypeVar("F", bound=Callable[..., Any])


class SettingsProblem(click.ClickException):
    """Settings that cannot be used: a usage error (exit 2), shown without a traceback."""

    exit_code = 2


def settings_or_exit(config_path: str | None = None, database: str | None = None) -> StationSettings:
    try:
        return load_settings(config_path, database=database)
    except SettingsError as exc:
        raise SettingsProblem(str(exc)) from None


def station_options(func: F) -> F:
    """--config and --db, resolved into a `settings` argument."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="station.toml to use (default: $LOTSCAN_CONFIG, then ~/.config/lotscan/station.toml).",
    )
    @click.option("--db", "database", help="Station cache file (overrides the config's database).")
    @wraps(func)
    def wrapper(*args: Any, config_path: str | None, database: str | None, **kwargs: Any) -> Any:
        return func(*args, settings=settings_or_exit(config_path, database), **kwargs)

    return wrapper  # type: ignore[return-value]


def cache_to_work_on(settings: StationSettings) -> StationSettings:
    """The cache a command that judges or labels works on: the configured one; when that does
    not exist, is the default and `lotscan demo` has made the demo cache, the demo cache (said
    on stderr). Otherwise a clear error naming the paths to give."""
    if settings.database.expanduser().exists():
        return settings
    demo = paths.demo_database()
    if settings.database == paths.station_database() and demo.exists():
        click.echo(f"no station cache at {settings.database}: using the demo cache {demo}", err=True)
        return replace(settings, database=demo)
    raise click.ClickException(
        f"no station cache at {settings.database}. Give the cache with --db PATH (the demo's is "
        f"{demo}, made by `lotscan demo`), or create it with `lotscan cache import FILE...`."
    )


def open_station_cache(settings: StationSettings, *, create: bool = False) -> Any:
    try:
        return open_cache(settings.database, create=create)
    except CacheError as exc:
        raise click.ClickException(str(exc)) from exc


def detail_lines(details: dict[str, Any], indent: str = "  ", limit: int = 20) -> list[str]:
    """A verdict's details as text a person reads: one fact a line, a row per list entry."""
    lines: list[str] = []
    for key, value in details.items():
        label = key.replace("_", " ")
        if isinstance(value, list):
            if not value:
                lines.append(f"{indent}{label}: none")
                continue
            lines.append(f"{indent}{label}:")
            lines.extend(f"{indent}  {_readable(entry)}" for entry in value[:limit])
            if len(value) > limit:
                lines.append(f"{indent}  ... and {len(value) - limit} more")
        else:
            lines.append(f"{indent}{label}: {_readable(value)}")
    return lines


def _readable(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_readable(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "; ".join(_readable(v) for v in value) or "none"
    return "none" if value is None else str(value)


def unescape(data: str) -> str:
    r"""Turn `\x1d`, `\u001d`, `\t`, `\\` escapes typed on a command line into characters."""
    if "\\" not in data:
        return data
    try:
        return codecs.decode(data.encode("latin-1", "backslashreplace"), "unicode_escape")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"bad escape in {data!r}: {exc.reason}") from exc
