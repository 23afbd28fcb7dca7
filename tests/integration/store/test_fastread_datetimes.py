"""Per-scan statements write a datetime in the very text SQLAlchemy writes (store.fastread
binds naive datetimes with `datetime.isoformat`): the duplicate check's window and an event's
time compare and sort with every row SQLAlchemy wrote, on a real SQLite cache."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from lotscan.store import fastread
from lotscan.store.db import open_cache
from lotscan.store.queries import _LAST_SAME_SCAN
from lotscan.store.schema import Event

SQLALCHEMY_DATETIME = sqlite.DATETIME().bind_processor(sqlite.dialect())


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.one_of(
        st.datetimes(),
        st.datetimes(timezones=st.just(UTC)),
        st.datetimes(timezones=st.just(timezone(timedelta(hours=-5)))),
        st.dates(),
        st.none(),
    )
)
def test_a_datetime_is_written_as_sqlalchemy_writes_it(value: datetime | date | None) -> None:
    process = fastread._bind_processor(Event.occurred_at.type)
    assert process is not None and SQLALCHEMY_DATETIME is not None
    assert process(value) == SQLALCHEMY_DATETIME(value)


def test_the_window_of_the_duplicate_check_compares_with_sqlalchemy_rows(tmp_path: Path) -> None:
    engine = open_cache(tmp_path / "c.db")
    at = datetime(2026, 11, 29, 7, 0, 0)  # a whole second: no microseconds in isoformat
    with engine.begin() as conn:
        conn.execute(
            Event.__table__.insert(),
            [
                {
                    "id": f"e{n}",
                    "seq": n,
                    "station_id": "S",
                    "occurred_at": at + timedelta(seconds=n),
                    "type": "stock.picked",
                    "workflow": "pick",
                    "raw": "(01)1",
                    "payload": "{}",
                    "verdict": "ACCEPTED",
                    "reasons": "[]",
                    "sync_state": "pending",
                }
                for n in (1, 2)
            ],
        )
    with engine.connect() as conn:
        stored = conn.execute(select(Event.occurred_at).order_by(Event.seq)).scalars().all()
        assert stored == [at + timedelta(seconds=1), at + timedelta(seconds=2)]
        for since, expected in [
            (at, at + timedelta(seconds=2)),
            (at + timedelta(seconds=2), at + timedelta(seconds=2)),
            (at + timedelta(seconds=2, microseconds=1), None),
        ]:
            params = {"raw": "(01)1", "since": since, "workflow": "pick"}
            assert fastread.scalar(conn, _LAST_SAME_SCAN, params) == expected
    engine.dispose()
