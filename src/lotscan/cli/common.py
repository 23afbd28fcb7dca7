"""Options and helpers every station command shares: settings, the cache, clean errors."""

from __future__ import annotations

import codecs
import math
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from lotscan import paths
from lotscan.settings import SettingsError, StationSettings, load_settings
from lotscan.store.db import CacheError, EmptyCacheError, NotACacheError, enrolled_lot_part, open_cache

F = TypeVar("F", bound=Callable[..., Any])


class SettingsProblem(click.ClickException):
    """Settings that cannot be used: a usage error (exit 2), shown without a traceback."""

    exit_code = 2


class Quantity(click.ParamType):
    """A quantity typed on the command line: a finite number, not negative (0: a count of none).
    Tester's #13c: `nan`, `inf`, `1e999` passed the option and ended as a refused scan, exit 1,
    instead of a usage error naming the option."""

    name = "quantity"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float) and math.isfinite(value) and value >= 0:
            return value
        try:
            number = float(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a number; give a quantity such as 12 or 2.5", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number; give a quantity such as 12 or 2.5", param, ctx)
        if number < 0:
            self.fail(f"{value!r} is negative; give a quantity of 0 or more", param, ctx)
        return number


CENTRAL_URL_FORM = "http://HOST:PORT or https://HOST:PORT, e.g. http://central.example:8080"


def central_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A --server option: an http(s) URL with a host, or a usage error showing the form (tester's
    #13d: `--server notaurl` was reported as "central unreachable")."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
        port = parts.port  # raises on a port that is not a number
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a valid URL ({exc}); give {CENTRAL_URL_FORM}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not a URL of central; give {CENTRAL_URL_FORM}")
    if port == 0:
        raise click.BadParameter(f"{value!r} has port 0; give {CENTRAL_URL_FORM}")
    return value.strip()


def plain_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A typed text option (--reason, --task...): refused with a usage error (exit 2) naming the
    control character when it holds one, before anything is recorded; central refuses the same
    characters (domain.control_characters), so a station never records what central will not take."""
    if value is None:
        return None
    from lotscan.domain.control_characters import control_character_problem

    problem = control_character_problem(value, "it")
    if problem is not None:
        raise click.BadParameter(f"{problem}. Nothing was recorded.")
    return value


ENROLMENT_CODE_FORM = "1A2B-3C4D-5E6F-7A8B, as `lotscan central station add` printed it"


def enrolment_code(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An --code option: letters, digits and dashes, 4 to 100 of them (what central takes), or a
    usage error showing the form (tester U8: `--code x` printed a pydantic traceback)."""
    if value is None:
        return None
    code = value.strip()
    if not 4 <= len(code) <= 100 or not all(c.isascii() and (c.isalnum() or c == "-") for c in code):
        shown = code if len(code) <= 40 else code[:40] + "..."
        raise click.BadParameter(f"{shown!r} is not an enrolment code (they look like {ENROLMENT_CODE_FORM})")
    return code


class PortInUse(click.ClickException):
    """A port another program listens on: a usage error (exit 2), naming the option to change."""

    exit_code = 2


def refuse_a_busy_port(host: str, port: int, option: str = "--port") -> None:
    """Tester's #13g: a busy port ended a server with log lines and exit 3. Say so before
    starting: `port 8080 is in use — choose another with --port`. An address that is not this
    machine's is said too."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise PortInUse(
            f"cannot listen on {host!r}: {exc.strerror}; give --host an address of this machine"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"port {port} is in use — choose another with {option}") from None
            if exc.errno == errno.EACCES:
                raise PortInUse(
                    f"port {port} needs administrator rights here — choose one above 1023 with {option}"
                ) from None
            raise PortInUse(
                f"cannot listen on {host}:{port}: {exc.strerror}; give --host an address of this machine"
            ) from None


def settings_or_exit(config_path: str | None = None, database: str | None = None) -> StationSettings:
    try:
        return load_settings(config_path, database=database, lot_station_of=enrolled_lot_part)
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


def open_station_cache(settings: StationSettings, *, create: bool = False, to_judge: bool = False) -> Any:
    """The cache, opened for a command. `to_judge` (scan, label): it must hold plant data; an
    empty file or empty cache is a usage error saying what the file is and what to do instead.
    Without `create`, an empty file is no cache to open, and is left as it is (tester tz, Z9i:
    `cache info` wrote the whole schema into it)."""
    database = Path(settings.database).expanduser()
    if not create and not to_judge and database.is_file() and database.stat().st_size == 0:
        raise SettingsProblem(
            f"{database} is an empty file (0 bytes), not a lotscan station cache. Nothing was "
            f"changed. To make it one, load your plant into it with `lotscan cache import FILE... "
            f"--db {database}` or enrol it with `lotscan enroll`."
        )
    try:
        return open_cache(settings.database, create=create, with_plant_data=to_judge)
    except EmptyCacheError as exc:
        raise SettingsProblem(
            f"{exc} Nothing was changed. To try the demo plant, run `lotscan demo` once and give "
            f"--db {paths.demo_database()}; to use this station, load your plant into the file with "
            f"`lotscan cache import FILE... --db {settings.database}` or enrol it with `lotscan enroll`."
        ) from exc
    except NotACacheError as exc:  # --db names the wrong file: a usage error
        raise SettingsProblem(str(exc)) from exc
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
