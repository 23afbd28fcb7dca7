"""The pull cursor follows commit order: no poller ever skips a committed change.

Change-log writers take their seqs from one counter row as their last step and hold its lock
until commit, so a later seq can never become visible before an earlier one.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lotscan.central import changelog, pull, push
from lotscan.central.db import read_tx, write_tx
from lotscan.central.schema import changes
from lotscan.central.tokens import StationIdentity
from lotscan.protocol import EventIn, PullRequest, PushRequest
from tests.central.support import Central, fresh_database


def test_a_second_writer_waits_for_the_first_to_commit_so_seqs_follow_commit_order(central) -> None:
    entry = [changelog.Entry(("site", "P1"), {"code": "P1", "name": "", "gln": None}, "P1")]
    got: dict[str, int] = {}
    with write_tx(central.engine) as first:
        got["first"] = changelog.append(first, entry)

        def second() -> None:
            with write_tx(central.engine) as conn:
                got["second"] = changelog.append(conn, entry)

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        assert "second" not in got  # blocked behind the first writer's uncommitted seq
        with read_tx(central.engine) as reader:
            assert changelog.read_page(reader, got["first"] - 1, "P1", 10) == []
    thread.join(10)
    assert got["second"] == got["first"] + 1
    with read_tx(central.engine) as reader:
        assert [row[0] for row in changelog.read_page(reader, got["first"] - 1, "P1", 10)] == [
            got["first"],
            got["second"],
        ]


def _receipts(station: int, start: int, count: int) -> list[EventIn]:
    now = datetime.now(UTC)
    return [
        EventIn(
            id=str(uuid.UUID(int=station << 64 | seq)),
            seq=seq,
            occurred_at=now,
            type="stock.received",
            operator="100",
            payload={"item": "SUGAR", "lot": f"S{station}-{seq}", "location": "DOCK", "qty": 1},
        )
        for seq in range(start, start + count)
    ]


@pytest.mark.postgres
@pytest.mark.slow
def test_many_pushers_and_pullers_in_parallel_never_miss_a_change(tmp_path) -> None:
    with fresh_database("postgres", tmp_path) as url:
        central = Central(url)
        try:
            central.import_plant(tmp_path)
            pushers, pullers, batches, batch = 8, 4, 12, 10
            stations = []
            for _ in range(pushers):
                name, _token = central.enroll()
                stations.append(StationIdentity(name, "P1"))
            with read_tx(central.engine) as conn:
                start_cursor = changelog.latest_seq(conn)
            done = threading.Event()
            seen: list[list[int]] = [[] for _ in range(pullers)]
            errors: list[BaseException] = []

            def pusher(i: int) -> None:
                try:
                    for b in range(batches):
                        request = PushRequest(
                            station_time=datetime.now(UTC), events=_receipts(i, b * batch + 1, batch)
                        )
                        while True:
                            try:
                                with write_tx(central.engine) as conn:
                                    push.push(conn, stations[i], request)
                                break
                            except Exception as exc:  # deadlock or serialisation: transient, retry
                                if "deadlock" not in str(exc).lower():
                                    raise
                except BaseException as exc:
                    errors.append(exc)

            def puller(i: int) -> None:
                cursor = start_cursor
                try:
                    while True:
                        finished = done.is_set()
                        with read_tx(central.engine) as conn:
                            answer = pull.pull(conn, stations[0], PullRequest(after=cursor, limit=7))
                        seen[i] += [c.seq for c in answer.changes]
                        cursor = answer.next_cursor
                        if finished and not answer.has_more:
                            return
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=pusher, args=(i,)) for i in range(pushers)]
            threads += [threading.Thread(target=puller, args=(i,)) for i in range(pullers)]
            for t in threads:
                t.start()
            for t in threads[:pushers]:
                t.join(120)
            done.set()
            for t in threads[pushers:]:
                t.join(120)
            assert not errors, errors
            with read_tx(central.engine) as conn:
                committed = list(
                    conn.execute(select(changes.c.seq).where(changes.c.seq > start_cursor)).scalars()
                )
            assert len(committed) == pushers * batches * batch * 2  # a lot row and a stock row per receipt
            for got in seen:
                assert got == sorted(committed)
        finally:
            central.close()
