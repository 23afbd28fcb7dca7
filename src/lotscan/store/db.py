"""Opening the cache: SQLite in WAL mode with synchronous=FULL, migrated to the newest schema."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError


class CacheError(RuntimeError):
    """The cache cannot be opened; the message says why and what to do."""


class NotACacheError(CacheError):
    """The file is a database, but not a lotscan station cache: it is left as it is."""


class EmptyCacheError(NotACacheError):
    """A command that judges or labels was given a file with nothing to judge against: an empty
    file, a SQLite file with no tables, or a lotscan cache with no plant data. Left as it is."""


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "lotscan.store:migrations")
    return config


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    cursor.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite+pysqlite:///{path}")
    event.listen(engine, "connect", _set_pragmas)
    return engine


CHECKPOINT_EVERY_S = 2.0
# Past this many frames (4 KiB pages; about 430 recorded scans) a checkpoint that caught up with
# the log also restarts it, so the WAL is written from its start again instead of growing.
RESTART_AFTER_FRAMES = 4096
RESTART_WAIT_MS = 50
# A WAL left bigger than this (by a burst, or by an older lotscan that never restarted it) is
# cut back to it when the log restarts.
WAL_SIZE_LIMIT = 64 * 1024 * 1024


def _checkpoint_in_background(engine: Engine, path: Path) -> None:
    """Fold the WAL back into the database off the scan path.

    Connections of the cache never checkpoint themselves (wal_autocheckpoint=0), because an
    automatic checkpoint runs inside whichever commit crosses the threshold and would add
    milliseconds to that scan. This thread does it instead, PASSIVE so it never blocks a
    writer, and ends once the engine is gone.

    SQLite starts the log over only when a write begins after a checkpoint caught up with it.
    Scans recorded back to back (a busy station, `lotscan bench validate`) always have one in
    progress when the PASSIVE checkpoint ends, so the log never restarted: 28,000 frames
    (112 MB) after 3,000 recorded scans, growing by one append per commit. Once the log holds
    RESTART_AFTER_FRAMES and all of it is in the database, a RESTART checkpoint waits for the
    scan being written, folds in the few frames since, and lets the next commit start the log
    over: one scan in every few hundred waits for that. It waits RESTART_WAIT_MS at most for the
    writer and for readers (a long read would hold scans off meanwhile), else the next round
    tries again. Synchronous=FULL on this connection
    too: the database file is synced before the log is reused, so nothing committed is lost.
    """
    alive = weakref.ref(engine)
    stop = threading.Event()
    weakref.finalize(engine, stop.set)

    def loop() -> None:
        while not stop.wait(CHECKPOINT_EVERY_S) and alive() is not None:
            try:
                with sqlite3.connect(path, timeout=1.0) as db:
                    db.execute("PRAGMA synchronous=FULL")
                    _busy, frames, folded = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if frames >= RESTART_AFTER_FRAMES and folded == frames:
                        # RESTART holds scans off while it waits for readers: give up soon
                        # and try again at the next round rather than hold a scan for long.
                        db.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
                        db.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                db.close()
            except sqlite3.Error:
                continue

    threading.Thread(target=loop, name=f"wal-checkpoint {path.name}", daemon=True).start()


def open_cache(path: str | Path, *, create: bool = True, with_plant_data: bool = False) -> Engine:
    """Open (and if needed create and migrate) the station cache at `path`.

    Never deletes or rewrites a file it cannot read: a damaged cache is reported, not replaced,
    because it holds events that may not have been synced yet. `with_plant_data` is for the
    commands that judge or label against the cache: an empty file, or a cache with no items and
    no locations, is refused (EmptyCacheError) before a byte of it changes.
    """
    path = Path(path).expanduser()
    if not path.exists():
        if not create:
            raise CacheError(
                f"no station cache at {path}; run `lotscan cache import` or `lotscan demo` first"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create {path.parent}: {exc.strerror}") from exc
    _refuse_a_foreign_database(path, with_plant_data=with_plant_data)
    engine = make_engine(path)
    try:
        upgrade(engine)
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        detail = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        raise CacheError(
            f"{path} is not a usable lotscan cache ({detail}). Nothing was changed. "
            "Restore it from backup, or point --db at another file; "
            "do not delete it while it may hold unsynced events."
        ) from exc
    _checkpoint_in_background(engine, path)
    return engine


def _refuse_a_foreign_database(path: Path, *, with_plant_data: bool = False) -> None:
    """Tester's #13e: `--db` pointed at another program's SQLite file got lotscan's tables added
    to it. Only a new (empty) file or a lotscan cache is opened, so migrated; anything else is
    refused before a byte of it changes (read-only, before the WAL pragma), naming what it holds.

    Tester U14: an empty station.db (an empty file, or the cache an older lotscan left after a
    failed enrolment) was used by `lotscan scan` and `lotscan label`, which then refused every
    barcode as unknown. With `with_plant_data`, such a file is refused too, saying what it is."""
    if not path.is_file():
        return
    if path.stat().st_size == 0:
        if with_plant_data:
            raise EmptyCacheError(f"{path} is an empty file (0 bytes), not a lotscan station cache.")
        return
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        try:
            tables = sorted(
                name
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            )
            revisions = (
                [str(row[0]) for row in db.execute("SELECT version_num FROM alembic_version")]
                if "alembic_version" in tables
                else []
            )
            plant_rows = (
                db.execute(
                    "SELECT EXISTS (SELECT 1 FROM items) OR EXISTS (SELECT 1 FROM locations)"
                ).fetchone()[0]
                if {"items", "locations"} <= set(tables)
                else 0
            )
        finally:
            db.close()
    except sqlite3.Error:
        return  # not a database at all: opening it says so, and changes nothing
    if not tables:
        if with_plant_data:
            raise EmptyCacheError(
                f"{path} is an empty SQLite database (no tables), not a lotscan station cache."
            )
        return
    if revisions:
        scripts = ScriptDirectory.from_config(_alembic_config())
        if set(revisions) <= {script.revision for script in scripts.walk_revisions()}:
            if with_plant_data and not plant_rows:
                head = scripts.get_current_head()
                older = "" if revisions == [head] else f" of an older lotscan (schema {', '.join(revisions)})"
                raise EmptyCacheError(
                    f"{path} is an empty lotscan station cache{older}: it holds no plant data (no items, "
                    "no locations), so every barcode would be unknown."
                )
            return
    shown = ", ".join(tables[:6]) + (f" and {len(tables) - 6} more" if len(tables) > 6 else "")
    what = (
        f"a database of another schema (version {', '.join(revisions)}: a central database or a "
        "newer lotscan's)"
        if revisions
        else f"another program's SQLite database (tables: {shown})"
    )
    raise NotACacheError(
        f"{path} is not a lotscan station cache: it is {what}. Nothing was changed. "
        "Give --db a new file name, or the path of a lotscan cache."
    )


def enrolled_lot_part(path: str | Path) -> str | None:
    """The short part central gave this station for lot numbers at enrolment, read from the cache
    at `path` without opening it for writing; None when there is no such cache or enrolment."""
    from lotscan.store.schema import LOT_PART_KEY

    return read_sync_state(path, (LOT_PART_KEY,)).get(LOT_PART_KEY)


def read_sync_state(path: str | Path, keys: tuple[str, ...]) -> dict[str, str]:
    """The non-empty values of `keys` in the sync state of the cache at `path` (what central gave
    at enrolment), read without opening the cache for writing; empty when there is no such cache,
    or it is not (yet) a lotscan cache (opening it says what is wrong)."""
    path = Path(path).expanduser()
    if not path.is_file():
        return {}
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return {}
    try:
        marks = ", ".join("?" for _ in keys)
        rows = db.execute(f"SELECT key, value FROM sync_state WHERE key IN ({marks})", keys).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        db.close()
    return {str(key): str(value) for key, value in rows if value}


def begin_write(conn: Connection) -> None:
    """Take SQLite's write lock before the first read of a transaction.

    The checks a scan is judged on (status, stock, FEFO, the next station seq) then cannot be
    changed by another writer (the sync worker applying an urgent hold, a second `lotscan scan`)
    before the scan is recorded: the other writer waits for this commit. Sent straight to the
    driver connection (as `exec_driver_sql` would, without its per-call machinery).
    """
    driver = conn.connection.dbapi_connection
    assert driver is not None  # a connection in use has its driver connection
    driver.execute("BEGIN IMMEDIATE")


def upgrade(engine: Engine) -> None:
    config = _alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.begin() as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
