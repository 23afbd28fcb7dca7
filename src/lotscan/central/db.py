"""Central's database: SQLite (embedded, the default) or PostgreSQL, migrated by Alembic."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, TextClause, create_engine, event, insert, select, text
from sqlalchemy.engine import Compiled, Dialect, make_url
from sqlalchemy.exc import DBAPIError

from lotscan import paths
from lotscan.central.schema import change_counter


class CentralDbError(RuntimeError):
    """The central database cannot be used; the message says what to do."""


def default_db_url() -> str:
    return paths.central_database_url()


def normalise_url(url: str) -> str:
    """Accept a bare path for SQLite and plain postgresql:// (meaning psycopg 3)."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, pool_size: int = 20) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise CentralDbError(f"unsupported database {url!r}: use sqlite:///PATH or postgresql+psycopg://...")
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy's begin() emit BEGIN itself, so reads inside a transaction see one snapshot.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the write lock up front: a deferred transaction upgrading later can fail busy.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that sees one consistent snapshot, on both databases."""
    with engine.connect() as conn, conn.begin():
        if not is_sqlite(engine):
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield conn


class Tail:
    """The statements that end a write transaction: those that take the locks every writer waits
    for (the change counter, an audit chain's head), put off to the very end.

    `commit` sends them and the COMMIT in one round trip on PostgreSQL (psycopg's pipeline
    mode), so those locks are held only for the database's own time (the statements and the
    commit's WAL flush), never across a round trip to Python, whose thread may wait for a core
    or the GIL while every other writer waits for it. `run` executes them in the transaction
    and leaves the commit to the caller (SQLite, and callers that go on writing).
    """

    def __init__(self) -> None:
        self.statements: list[tuple[TextClause, Mapping[str, Any]]] = []

    def add(self, statement: TextClause, params: Mapping[str, Any]) -> None:
        self.statements.append((statement, params))

    def run(self, conn: Connection) -> None:
        for statement, params in self.statements:
            conn.execute(statement, dict(params))
        self.statements = []

    def commit(self, conn: Connection) -> None:
        """Run the statements and commit the transaction: the last thing the transaction does
        (the caller's `begin()` block then ends it with nothing left to commit; on SQLite it
        commits there). A failure rolls it all back and is raised as
        SQLAlchemy's error for it (OperationalError, IntegrityError ...), as `execute` would."""
        if conn.dialect.name != "postgresql":
            self.run(conn)  # SQLite: one writer at a time; the caller's `begin()` commits
            return
        raw: Any = conn.connection.driver_connection
        compiled = [(_compiled(clause, conn.dialect), values) for clause, values in self.statements]
        self.statements = []
        current = ""
        try:
            with raw.pipeline(), raw.cursor() as cursor:
                for query, params in compiled:
                    current = str(query)
                    cursor.execute(current, query.construct_params(dict(params)))
                current = "COMMIT"
                raw.commit()
        except conn.dialect.dbapi.Error as exc:  # type: ignore[union-attr]
            raise DBAPIError.instance(current, None, exc, conn.dialect.dbapi.Error) from exc  # type: ignore[union-attr]


@functools.lru_cache(maxsize=64)
def _compiled(clause: TextClause, dialect: Dialect) -> Compiled:
    """A tail's statement compiled once per process (they are module constants; compiling the
    change log's and the audit chain's appends cost about 0.3 ms of CPU each, every push)."""
    return clause.compile(dialect=dialect)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "lotscan.central:migrations")
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> str | None:
    """Apply pending migrations; returns the revision now in place."""
    config = _alembic_config()
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            if conn.execute(select(change_counter.c.id)).first() is None:
                conn.execute(insert(change_counter).values(id=1, value=0, floor=0))
    return head_revision()


def open_central(url: str, *, migrate: bool = True, pool_size: int = 20) -> Engine:
    engine = make_engine(url, pool_size=pool_size)
    try:
        if migrate:
            upgrade(engine)
        elif current_revision(engine) != head_revision():
            raise CentralDbError(
                f"central database {engine.url.render_as_string(hide_password=True)} is not migrated; "
                "run `lotscan central migrate --db URL` first"
            )
    except CentralDbError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        raise CentralDbError(f"cannot open central database: {exc}") from exc
    return engine


@contextmanager
def scratch_schema(url: str, *, prefix: str = "lotscan_scratch", keep: bool = False) -> Iterator[str]:
    """A private, throwaway schema in the PostgreSQL database at `url`, dropped afterwards
    (unless `keep`): the URL it yields puts everything there, so tests and benchmarks running at
    the same time on one database never see each other's tables."""
    url = normalise_url(url)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
