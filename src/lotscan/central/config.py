"""How `lotscan central serve` runs: every setting with its one default, type and range.

Where a value comes from, first match wins: a command-line option, then the environment
(LOTSCAN_CENTRAL_<KEY>, e.g. LOTSCAN_CENTRAL_DB, LOTSCAN_CENTRAL_AUDIT), then the [central]
table of the --config file (see config/central.toml), then the default written here. Unknown
keys, wrong types and values out of range are refused with the file, the key and what is
allowed. Each uvicorn worker process reads the same settings back from the environment."""

from __future__ import annotations

import difflib
import os
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from lotscan import paths
from lotscan.textfiles import NotUtf8Error, read_utf8_text

ENV_PREFIX = "LOTSCAN_CENTRAL_"
AuditMode = Literal["inline", "deferred"]


class CentralConfigError(ValueError):
    """Central settings that cannot be used; one line per mistake."""


class CentralSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    db: str = Field(default_factory=paths.central_database_url, description="a database URL or SQLite path")
    host: str = Field("127.0.0.1", description="the interface to listen on (0.0.0.0: all)")
    port: int = Field(8080, ge=1, le=65535, description="a TCP port, 1 to 65535")
    changelog_days: float = Field(30.0, gt=0, description="days (> 0) central keeps the change log")
    max_body_mb: float = Field(8.0, gt=0, le=1024, description="megabytes, up to 1024")
    threads: int = Field(16, ge=1, le=512, description="request threads per worker, 1 to 512")
    workers: int = Field(1, ge=1, le=64, description="worker processes, 1 to 64 (PostgreSQL only)")
    audit: AuditMode = Field(
        "deferred",
        description='"deferred" (chain right after each push commits) or "inline" (in the push)',
    )
    log_level: Literal["debug", "info", "warning", "error", "critical"] = Field(
        "info", description="debug, info, warning, error or critical"
    )
    ssl_certfile: str | None = Field(None, description="a TLS certificate file (PEM)")
    ssl_keyfile: str | None = Field(None, description="a TLS private key file (PEM)")
    proxy_headers: bool = Field(False, description="true or false: trust X-Forwarded-* headers")

    @property
    def audit_inline(self) -> bool:
        return self.audit == "inline"

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)

    def to_environment(self) -> dict[str, str]:
        """The settings as LOTSCAN_CENTRAL_* variables, for worker processes to read back."""
        return {
            ENV_PREFIX + name.upper(): str(value).lower() if isinstance(value, bool) else str(value)
            for name, value in self.model_dump().items()
            if value is not None
        }


# the defaults create_app() and the routers use when no settings are given: the same as serve's
DEFAULT_AUDIT: AuditMode = CentralSettings.model_fields["audit"].default
DEFAULT_MAX_BODY_BYTES = int(CentralSettings.model_fields["max_body_mb"].default * 1024 * 1024)
DEFAULT_CHANGELOG_RETENTION = timedelta(days=CentralSettings.model_fields["changelog_days"].default)
DEFAULT_THREADS: int = CentralSettings.model_fields["threads"].default


# LOTSCAN_CENTRAL_* variables that are not settings of serve: read by the command line itself
OTHER_VARIABLES = ("CONFIG", "URL")  # serve's --config file; the admin commands' --server


def load_central_settings(config_file: str | os.PathLike[str] | None, **options: Any) -> CentralSettings:
    """Options given on the command line (None = not given) over the environment, over the
    file's [central] table, over the defaults. An unknown LOTSCAN_CENTRAL_* variable is refused."""
    _refuse_unknown_variables()
    from_file = _read_table(Path(config_file)) if config_file else {}
    given = {k: v for k, v in options.items() if v is not None}
    from_env = {k for k in CentralSettings.model_fields if ENV_PREFIX + k.upper() in os.environ}
    values = {k: v for k, v in from_file.items() if k not in from_env} | given
    try:
        return CentralSettings(**values)
    except ValidationError as exc:
        where = str(config_file) if config_file else "central settings"
        raise CentralConfigError("\n".join(_explain(exc, where))) from None


def origins(config_file: str | os.PathLike[str] | None, **options: Any) -> dict[str, str]:
    """Where each setting of `load_central_settings(config_file, **options)` comes from."""
    from_file = _read_table(Path(config_file)) if config_file else {}
    found = {}
    for key in CentralSettings.model_fields:
        if options.get(key) is not None:
            found[key] = "option --" + key.replace("_", "-")
        elif ENV_PREFIX + key.upper() in os.environ:
            found[key] = f"env {ENV_PREFIX}{key.upper()}"
        elif key in from_file:
            found[key] = f"file {config_file}"
        else:
            found[key] = "default"
    return found


def _refuse_unknown_variables() -> None:
    """Tester U20: LOTSCAN_CENTRAL_PORTT=1 was ignored without a word (the file's misspelt keys
    were refused). Names are compared as the settings read them: without regard to case."""
    known = [name.upper() for name in CentralSettings.model_fields] + list(OTHER_VARIABLES)
    lines = []
    for variable in sorted(os.environ):
        if not variable.upper().startswith(ENV_PREFIX):
            continue
        key = variable[len(ENV_PREFIX) :].upper()
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean {ENV_PREFIX}{close[0]}?" if close else "known: " + ", ".join(known)
        lines.append(f"env {variable}: not a central setting; {hint}")
    if lines:
        raise CentralConfigError("\n".join(lines))


def _read_table(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(read_utf8_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise CentralConfigError(f"{path}: not valid TOML: {exc}") from None
    except NotUtf8Error as exc:
        raise CentralConfigError(str(exc)) from None
    except OSError as exc:
        raise CentralConfigError(f"cannot read {path}: {exc.strerror}") from None
    unknown = sorted(set(data) - {"central"})
    if unknown:
        raise CentralConfigError(f"{path}: unknown table [{unknown[0]}]; the settings go in [central]")
    section = data.get("central", {})
    if not isinstance(section, dict):
        raise CentralConfigError(f"{path}: [central] must be a table")
    return section


def _explain(error: ValidationError, where: str) -> list[str]:
    lines = []
    known = list(CentralSettings.model_fields)
    for item in error.errors():
        key = str(item["loc"][0]) if item["loc"] else "?"
        if item["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(known)
            lines.append(f"{where}: unknown key {key!r} in [central]; {hint}")
            continue
        field = CentralSettings.model_fields.get(key)
        allowed = f"; use {field.description}" if field is not None and field.description else ""
        source = f"env {ENV_PREFIX}{key.upper()}" if ENV_PREFIX + key.upper() in os.environ else where
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{source}: [central] {key} = {item['input']!r} is not allowed: {message}{allowed}")
    return lines
