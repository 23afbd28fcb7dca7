"""Options and helpers every station command shares: settings, the cache, clean errors."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

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


def open_station_cache(settings: StationSettings, *, create: bool = False) -> Any:
    try:
        return open_cache(settings.database, create=create)
    except CacheError as exc:
        raise click.ClickException(str(exc)) from exc


def unescape(data: str) -> str:
    r"""Turn `\x1d`, `\u001d`, `\t`, `\\` escapes typed on a command line into characters."""
    if "\\" not in data:
        return data
    try:
        return codecs.decode(data.encode("latin-1", "backslashreplace"), "unicode_escape")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"bad escape in {data!r}: {exc.reason}") from exc
