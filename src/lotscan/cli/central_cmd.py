"""`lotscan central ...`: administer the central lot service (`serve` is in serve_cmd.py, trace and
drill commands in trace_cmd.py and drill_cmd.py, loaded when used).

Admin commands work on the database directly (--db, on the central host) or, with --server and
--token, over HTTP with an admin token (the /api/v1/admin endpoints; see /docs).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Connection, Engine

from lotscan.central.db import CentralDbError, default_db_url, open_central, write_tx
from lotscan.central.errors import CentralError
from lotscan.cli.common import central_url, plain_text
from lotscan.cli.lazy import LazyGroup

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db_url",
        default=default_db_url,
        show_default="$LOTSCAN_CENTRAL_DB or ~/.local/share/lotscan/central.db",
        help="Central database: a SQLite path/URL or postgresql+psycopg://user@host/db.",
    )(func)


def remote_options(func: F) -> F:
    """--server/--token: do it over HTTP with an admin token instead of on the database."""
    func = click.option(
        "--token",
        envvar="LOTSCAN_ADMIN_TOKEN",
        help="Admin token for --server (or $LOTSCAN_ADMIN_TOKEN).",
    )(func)
    return click.option(
        "--server",
        envvar="LOTSCAN_CENTRAL_URL",
        callback=central_url,
        help="Central's URL: use the admin API instead of --db (or $LOTSCAN_CENTRAL_URL).",
    )(func)


def _call(server: str, token: str | None, method: str, path: str, **kwargs: Any) -> Any:
    import httpx

    if not token:
        raise click.UsageError("--server needs --token (an admin token: lotscan central token add)")
    try:
        response = httpx.request(
            method,
            server.rstrip("/") + "/api/v1/admin" + path,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            **kwargs,
        )
    except httpx.TransportError as exc:
        raise click.ClickException(f"central at {server} is unreachable: {exc}") from exc
    if response.status_code >= 400:
        try:
            message = response.json().get("message", response.text)
        except ValueError:
            message = response.text
        raise click.ClickException(f"central refused ({response.status_code}): {message}")
    return response.json()


def _in_path(code: str) -> str:
    """A lot code as one segment of a URL path: a GS1 lot may hold '/', '?', '%' or '#' (tester's
    W19: 'lot hold L2611/03 --server' got 404, '?' began a query string)."""
    from urllib.parse import quote

    return quote(code, safe="")


def open_engine(db_url: str, *, migrate: bool = True, create: bool | None = None) -> Engine:
    """Central's database at `db_url`, migrated unless `migrate` is False. A SQLite file that does
    not exist is made only when `create` (default: when migrating) and only in a folder that
    exists, unless it is the default path (tester U14: `lotscan central trace NOPE` made an empty
    central.db; U20: `central migrate --db /nonexistent/dir/c.db` made /nonexistent/dir)."""
    _refuse_a_sqlite_file_not_to_make(db_url, create=migrate if create is None else create)
    try:
        return open_central(db_url, migrate=migrate)
    except CentralDbError as exc:
        raise click.ClickException(str(exc)) from exc


def _refuse_a_sqlite_file_not_to_make(db_url: str, *, create: bool) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from lotscan import paths
    from lotscan.central.db import normalise_url

    try:
        parsed = make_url(normalise_url(db_url))
    except ArgumentError:  # a malformed URL: opening it says what is wrong
        return
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database).expanduser()
    if path.exists():
        return
    if not create:
        raise click.ClickException(
            f"no central database at {path}; nothing was created. Give the database with --db "
            f"(or $LOTSCAN_CENTRAL_DB), or create it with `lotscan central migrate --db {path}`"
        )
    if not path.parent.is_dir() and path.parent != paths.data_dir():
        raise CentralPathProblem(
            f"--db {path}: the folder {path.parent} does not exist; nothing was created. "
            "Create the folder first, or give a path in a folder that exists"
        )


class CentralPathProblem(click.ClickException):
    """A --db path that cannot be right (its folder is missing): a usage error, exit 2."""

    exit_code = 2


@contextmanager
def _transaction(
    db_url: str, begin: Callable[[Engine], AbstractContextManager[Connection]]
) -> Iterator[Connection]:
    """One transaction on a freshly opened central database; central's refusals become click errors."""
    engine = open_engine(db_url, create=begin is write_tx)
    try:
        with begin(engine) as conn:
            yield conn
    except CentralError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()


def _writing(db_url: str) -> AbstractContextManager[Connection]:
    return _transaction(db_url, write_tx)


def _reading(db_url: str) -> AbstractContextManager[Connection]:
    from lotscan.central.db import read_tx

    return _transaction(db_url, read_tx)


def _print(rows: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo("(none)")
        return
    from lotscan.textfiles import terminal_safe

    texts = [{c: terminal_safe(str(r[c])) if r.get(c) is not None else "-" for c in columns} for r in rows]
    widths = {c: max(len(c), *(len(t[c]) for t in texts)) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns))
    for t in texts:
        click.echo("  ".join(t[c].ljust(widths[c]) for c in columns))


# Traceability commands (lotscan.cli.trace_cmd) hang under `lotscan central` too.
TRACE_COMMANDS = {
    "trace": "lotscan.cli.trace_cmd:trace",
    "recall": "lotscan.cli.trace_cmd:recall",
    "export": "lotscan.cli.trace_cmd:export",
    "audit": "lotscan.cli.audit_cmd:audit",
    "drill": "lotscan.cli.drill_cmd:drill",
    "drills": "lotscan.cli.drill_cmd:drills",
    "recalls": "lotscan.cli.drill_cmd:recalls",
    "serve": "lotscan.cli.serve_cmd:serve",
}


@click.group(cls=LazyGroup, lazy=TRACE_COMMANDS)
def central() -> None:
    """The central lot service: serve the API, migrate, import, manage stations and lots.

    \b
    First steps:
      lotscan central migrate --db URL
      lotscan central import config/demo --db URL
      lotscan central station add --site PLANT1 --db URL     (prints a one-time code)
      lotscan central serve --db URL --port 8080
      lotscan enroll --server http://HOST:8080 --code CODE   (on the station)
    """


@central.command()
@db_option
def migrate(db_url: str) -> None:
    """Create or upgrade central's tables (Alembic), on SQLite or PostgreSQL.

    \b
    Examples:
      lotscan central migrate --db postgresql+psycopg://postgres@127.0.0.1/lotscan
    """
    from lotscan.central.db import current_revision

    engine = open_engine(db_url)
    click.echo(f"central database at revision {current_revision(engine)}")
    engine.dispose()


@central.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def import_(sources: tuple[Path, ...], db_url: str) -> None:
    """Load master data and tasks (CSV/JSON, as `lotscan cache import`) and log them for stations.

    \b
    Examples:
      lotscan central import config/demo
    """
    from lotscan.central.importing import import_into_central
    from lotscan.services.importer import NAMES, ImportDataError, read_source

    tables: dict[str, list[Any]] = {}
    try:
        for source in sources:
            for name, rows in read_source(source).items():
                tables.setdefault(name, []).extend(rows)
        with _writing(db_url) as conn:
            counts = import_into_central(conn, tables)
    except ImportDataError as exc:
        raise click.ClickException(f"{exc}\nNothing was imported.") from exc
    click.echo("imported: " + ", ".join(f"{counts[n]} {n}" for n in NAMES if counts.get(n)))


@central.group()
def station() -> None:
    """Register and revoke stations."""


@station.command("add")
@click.option("--site", required=True, help="Site code the station belongs to (it sees only this site).")
@click.option("--name", help="Station name (default: SITE-STnn).")
@db_option
@remote_options
def station_add(site: str, name: str | None, db_url: str, server: str | None, token: str | None) -> None:
    """Register a station and print its one-time enrolment code (valid 7 days).

    \b
    Examples:
      lotscan central station add --site PLANT1
    """
    from lotscan.central.tokens import add_station

    if server:
        answer = _call(server, token, "POST", "/stations", json={"site": site, "name": name})
        station_name, code = answer["station"], answer["enrolment_code"]
    else:
        with _writing(db_url) as conn:
            station_name, code = add_station(conn, site, name)
    click.echo(f"station {station_name} (site {site})\nenrolment code: {code}")
    click.echo(f"on the station: lotscan enroll --server URL --code {code}")


@station.command("revoke")
@click.argument("name")
@db_option
@remote_options
def station_revoke(name: str, db_url: str, server: str | None, token: str | None) -> None:
    """Revoke a station's token: it can no longer push or pull (its events stay).

    \b
    Examples:
      lotscan central station revoke PLANT1-ST01
    """
    from lotscan.central.tokens import revoke_station

    if server:
        _call(server, token, "POST", f"/stations/{name}/revoke")
    else:
        with _writing(db_url) as conn:
            revoke_station(conn, name)
    click.echo(f"station {name} revoked")


@station.command("out-of-service")
@click.argument("name")
@click.option("--back", is_flag=True, help="In service again: urgent changes wait for it again.")
@click.option("--by", default="central-cli", show_default=True, help="Who decides (audit chain).")
@db_option
def station_out_of_service(name: str, back: bool, by: str, db_url: str) -> None:
    """Mark a station out of service: holds and recalls no longer wait for it to acknowledge.

    \b
    Examples:
      lotscan central station out-of-service PLANT1-ST01
    """
    from lotscan.central.reach import set_out_of_service

    with _writing(db_url) as conn:
        set_out_of_service(conn, name, out=not back, by=by)
    click.echo(f"station {name} {'back in service' if back else 'marked out of service'}")


@central.command()
@db_option
@remote_options
@click.option("--json", "as_json", is_flag=True)
def stations(db_url: str, server: str | None, token: str | None, as_json: bool) -> None:
    """Who is online, last push and pull, lag (changes behind) and events waiting at the station.

    \b
    Examples:
      lotscan central stations
    """
    from lotscan.central.db import read_tx
    from lotscan.central.overview import stations_overview

    if server:
        rows = list(_call(server, token, "GET", "/stations"))
    else:
        engine = open_engine(db_url, create=False)
        with read_tx(engine) as conn:
            rows = stations_overview(conn)
        engine.dispose()
    for r in rows:
        r["online"] = "ONLINE" if r["online"] else "OFFLINE"
    columns = ["station", "site", "state", "online", "last_push_at", "last_seq", "lag_changes"]
    _print(rows, as_json, [*columns, "pending_at_station", "clock_skew_s"])


@central.group()
def token() -> None:
    """Admin API tokens (for /api/v1/admin/*)."""


@token.command("add")
@click.option("--name", required=True, help="Who or what uses it, e.g. 'sue' or 'erp-bridge'.")
@db_option
def token_add(name: str, db_url: str) -> None:
    """Create an admin token; it is shown once, only its hash is stored.

    \b
    Examples:
      lotscan central token add --name erp-bridge
    """
    from lotscan.central.tokens import add_admin_token

    with _writing(db_url) as conn:
        secret = add_admin_token(conn, name)
    click.echo(secret)


@token.command("revoke")
@click.argument("name")
@db_option
def token_revoke(name: str, db_url: str) -> None:
    """Revoke an admin token.

    \b
    Examples:
      lotscan central token revoke erp-bridge
    """
    from lotscan.central.tokens import revoke_admin_token

    with _writing(db_url) as conn:
        revoke_admin_token(conn, name)
    click.echo(f"admin token {name} revoked")


@central.group()
def operator() -> None:
    """Deactivate an operator (left, badge lost) or activate them again."""


def _operator_command(active: bool) -> click.Command:
    verb = "activate" if active else "deactivate"
    effect = "their pushed events are applied again" if active else "central refuses their pushed events"

    @click.command(
        verb,
        help=f"{verb.capitalize()} the operator with BADGE: {effect}.\n\n\b\nExamples:\n"
        f"  lotscan central operator {verb} 1003 --reason 'badge lost'",
    )
    @click.argument("badge")
    @click.option("--reason", callback=plain_text, required=True, help="Why: goes into the audit chain.")
    @click.option("--by", default="central-cli", show_default=True, help="Who decides.")
    @db_option
    def command(badge: str, reason: str, by: str, db_url: str) -> None:
        from lotscan.central.operators import set_active

        with _writing(db_url) as conn:
            set_active(conn, badge, active, by=by, reason=reason)
        click.echo(f"operator {badge} {verb}d")

    return command


operator.add_command(_operator_command(False))
operator.add_command(_operator_command(True))


@central.group()
def lot() -> None:
    """Change a lot's status; hold, recall and quarantine reach online stations within seconds."""


def _status_command(action: str) -> click.Command:
    @click.command(
        action,
        help=f"{action.capitalize()} LOT (all items with that lot code unless --item).\n\n\b\nExamples:\n"
        f"  lotscan central lot {action} FLO9313B --reason 'QA: mould on two sacks'",
    )
    @click.argument("lot_code")
    @click.option(
        "--reason", callback=plain_text, required=True, help="Why: goes into the lot's status history."
    )
    @click.option("--item", help="Item code, when the lot code exists for several items.")
    @click.option("--by", default="central-cli", show_default=True, help="Who decides.")
    @db_option
    @remote_options
    def command(
        lot_code: str,
        reason: str,
        item: str | None,
        by: str,
        db_url: str,
        server: str | None,
        token: str | None,
    ) -> None:
        from lotscan.central.status import ACTIONS, change_status

        if server:
            body = {"action": action, "reason": reason, "item": item}
            changed = _call(server, token, "POST", f"/lots/{_in_path(lot_code)}/status", json=body)
        else:
            with _writing(db_url) as conn:
                changed = change_status(conn, lot_code, ACTIONS[action], reason, by, item)
        for c in changed:
            click.echo(f"lot {c['lot']} of {c['item']}: {c['from']} -> {c['to']}")

    return command


for _action in ("hold", "release", "recall", "quarantine"):
    lot.add_command(_status_command(_action))


@lot.command("status")
@click.argument("lot_code")
@click.option("--item", help="Item code, when the lot code exists for several items.")
@click.option("--json", "as_json", is_flag=True)
@db_option
@remote_options
def lot_status(
    lot_code: str, item: str | None, as_json: bool, db_url: str, server: str | None, token: str | None
) -> None:
    """LOT's status, and which stations have its newest hold or recall (N of M; who not, offline since).

    \b
    Examples:
      lotscan central lot status FLO3961E
    """
    from lotscan.central.reach import lot_reach

    if server:
        found = list(
            _call(
                server,
                token,
                "GET",
                f"/lots/{_in_path(lot_code)}/reach",
                params={"item": item} if item else {},
            )
        )
    else:
        with _reading(db_url) as conn:
            found = lot_reach(conn, lot_code, item)
    if as_json:
        click.echo(json.dumps(found, indent=1, default=str))
        return
    for entry in found:
        head = f"lot {entry['lot']} of {entry['item']}: {entry['status']}"
        if entry["change_seq"] is None:
            click.echo(f"{head} (no urgent change to wait for)")
            continue
        state = "done" if entry["done"] else "NOT DONE"
        click.echo(
            f"{head}; acknowledged by {entry['acknowledged']} of {entry['stations']} station(s): {state}"
        )
        for s in entry["not_acknowledged"]:
            since = s["offline_since"] or "never seen"
            click.echo(f"  not yet: {s['station']} (site {s['site']}), offline since {since}")
        for name in entry["out_of_service"]:
            click.echo(f"  out of service (not waited for): {name}")


@central.command()
@db_option
@remote_options
@click.option("--site", help="Only this site.")
@click.option("--all", "include_resolved", is_flag=True, help="Include resolved items.")
@click.option("--json", "as_json", is_flag=True)
def flagged(
    db_url: str,
    server: str | None,
    token: str | None,
    site: str | None,
    include_resolved: bool,
    as_json: bool,
) -> None:
    """Reconciliation items: flagged events (negative stock, lot on hold, clock skew, ...).

    \b
    Examples:
      lotscan central flagged --site PLANT1
    """
    from lotscan.central.db import read_tx
    from lotscan.central.reconcile import open_items

    if server:
        params: dict[str, Any] = {"all": include_resolved}
        if site:
            params["site"] = site
        rows = list(_call(server, token, "GET", "/flagged", params=params))
    else:
        engine = open_engine(db_url, create=False)
        with read_tx(engine) as conn:
            rows = open_items(conn, site, include_resolved=include_resolved)
        engine.dispose()
    _print(rows, as_json, ["id", "station", "lot_code", "code", "message", "opened_at", "resolved_at"])


@central.command()
@click.argument("item_id", type=int)
@click.option("--resolution", required=True, help="What was done (counted, adjusted, scrapped, ...).")
@click.option("--by", default="central-cli", show_default=True)
@db_option
@remote_options
def resolve(
    item_id: int, resolution: str, by: str, db_url: str, server: str | None, token: str | None
) -> None:
    """Close a reconciliation item (it stays in the record, marked resolved).

    \b
    Examples:
      lotscan central resolve 12 --resolution counted
    """
    from lotscan.central.reconcile import resolve as close

    if server:
        _call(server, token, "POST", f"/flagged/{item_id}/resolve", json={"resolution": resolution})
    else:
        with _writing(db_url) as conn:
            close(conn, item_id, by, resolution)
    click.echo(f"reconciliation item {item_id} resolved")


@central.command()
@db_option
@click.option("--keep-days", default=30.0, show_default=True, help="Keep this many days of change log.")
def prune(db_url: str, keep_days: float) -> None:
    """Forget old change-log rows now (serve does it hourly). Stations behind will reload.

    \b
    Examples:
      lotscan central prune --keep-days 30
    """
    from lotscan.central.changelog import prune as run

    with _writing(db_url) as conn:
        removed = run(conn, timedelta(days=keep_days))
    click.echo(f"removed {removed} change-log rows")
