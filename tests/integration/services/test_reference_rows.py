"""The rows a station keeps between scans (operators, items, places, tasks: lotscan.store.reference)
never hide a change: what a pull, an import or a second program writes to the cache is what the
next scan is judged on."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, event, update
from sqlalchemy.pool import SingletonThreadPool

from lotscan import paths
from lotscan.cli.demo_cmd import prepare_demo
from lotscan.domain.verdict import Level
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.session import StationSession, open_session
from lotscan.services.station import StationService
from lotscan.settings import load_settings
from lotscan.store.db import _set_pragmas
from lotscan.store.schema import Operator

FLOUR_LOT = "(01)19521234001017(10)FLO9313B"


def _consuming_session() -> StationSession:
    """The demo: operator 1001 signed in, consuming for work order WO-3001."""
    prepare_demo(paths.demo_database(), reset=False)
    session = open_session(replace(load_settings(), database=paths.demo_database()))
    session.submit("OP:1001")
    session.submit("WO:WO-3001")
    return session


def _write_as_another_program(sql: str, *params: object) -> None:
    """What a pull from central or `lotscan cache import` in another process commits."""
    with sqlite3.connect(paths.demo_database()) as db:
        db.execute(sql, params)
    db.close()


@pytest.mark.parametrize(
    ("change", "params", "refused_for"),
    [
        # an operator deactivated at central, pulled
        ("UPDATE operators SET active = 0 WHERE badge = ?", ("1001",), "OPERATOR_INACTIVE"),
        # the work order closed at central, pulled
        ("UPDATE tasks SET status = 'closed' WHERE code = ?", ("WO-3001",), "TASK_CLOSED"),
        # the item's GTIN changed by an import
        ("UPDATE items SET gtin = '19521234999993' WHERE gtin = ?", ("19521234001017",), "UNKNOWN_ITEM"),
    ],
)
def test_a_change_written_by_another_program_is_judged_at_the_next_scan(
    change: str, params: tuple[str, ...], refused_for: str
) -> None:
    session = _consuming_session()
    first = session.submit(FLOUR_LOT).verdict
    assert first.level is not Level.REJECTED, first
    _write_as_another_program(change, *params)
    refused = session.submit(FLOUR_LOT).verdict
    assert refused.level is Level.REJECTED and not refused.recorded
    assert refused.reasons[0].code == refused_for


def test_a_change_written_on_the_stations_own_connection_is_seen() -> None:
    # One driver connection per thread (SingletonThreadPool): the pull and the scans share it,
    # so SQLite's data_version does not move; the connection's own change count does.
    prepare_demo(paths.demo_database(), reset=False)
    engine = create_engine(f"sqlite+pysqlite:///{paths.demo_database()}", poolclass=SingletonThreadPool)
    event.listen(engine, "connect", _set_pragmas)
    service = StationService(engine, replace(load_settings(), database=paths.demo_database()))
    ctx = ScanContext(Workflow.CONSUME, operator="1001", task="WO-3001")
    scan = service.interpret(FLOUR_LOT)
    assert service.handle(scan, ctx, dry_run=True).level is not Level.REJECTED
    with engine.begin() as conn:
        conn.execute(update(Operator).where(Operator.badge == "1001").values(active=False))
    refused = service.handle(scan, ctx, dry_run=True)
    assert refused.level is Level.REJECTED
    assert refused.reasons[0].code == "OPERATOR_INACTIVE"
    engine.dispose()
