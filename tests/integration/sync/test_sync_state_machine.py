"""Hypothesis drives two stations and central through faults: requests dropped before and after
central commits, duplicated and stale (reordered) requests, a station killed between its commit
and its push, central restarts and forced reloads.

Invariants: every event has its effect exactly once, per-station order is kept, no outbox event
is lost, and after a quiet period every cache equals central's state.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select, update

from lotscan.central import changelog
from lotscan.central.db import write_tx
from lotscan.central.schema import changes, received_events
from lotscan.services.context import Workflow
from lotscan.services.station import StationService
from lotscan.store.db import open_cache
from lotscan.store.schema import Event
from lotscan.sync.client import SyncError
from tests.central.support import Central, Station, fresh_database, state_of
from tests.plant import FLOUR

FAULTS = ("none", "drop_before", "drop_after", "duplicate")
LOTS = (("F-EARLY", "A1"), ("F-LATE", "A2"))


class FaultyTransport(httpx.BaseTransport):
    """Talks to whatever central is running now, failing requests as planned."""

    def __init__(self, central: Central):
        self.central = central
        self.plan: list[str] = []
        self.pushes: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.plan.pop(0) if self.plan else "none"
        if request.url.path.endswith("/sync/push"):
            self.pushes.append(request)
        if fault == "drop_before":
            raise httpx.ConnectError("dropped before central saw it", request=request)
        response = self._send(request)
        if fault == "duplicate":
            response = self._send(request)
        if fault == "drop_after":
            raise httpx.ReadTimeout("answer lost after central committed", request=request)
        return response

    def _send(self, request: httpx.Request) -> httpx.Response:
        response = self.central.transport.handle_request(request)
        response.read()
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)


class SyncMachine(RuleBasedStateMachine):
    backend = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="lotscan-sm-"))
        self.resources = contextlib.ExitStack()
        self.central = Central(self.resources.enter_context(fresh_database(self.backend, self.directory)))
        self.central.import_plant(self.directory)
        self.transport = FaultyTransport(self.central)
        self.stations = [Station(self.central, self.directory, f"ST{i}") for i in (1, 2)]
        self.recorded: list[set[str]] = [set(), set()]

    def teardown(self) -> None:
        try:
            self._quiet_and_converge()
        finally:
            for s in self.stations:
                s.engine.dispose()
            self.central.close()
            self.resources.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    # ----------------------------------------------------------------- rules

    @rule(
        who=st.integers(0, 1),
        lot=st.sampled_from(LOTS),
        qty=st.integers(1, 40),
    )
    def scan(self, who: int, lot: tuple[str, str], qty: int) -> None:
        station = self.stations[who]
        verdict = station.scan(
            f"(01){FLOUR}(10){lot[0]}", Workflow.CONSUME, task="WO-1", location=lot[1], qty=qty
        )
        self.recorded[who] |= set(verdict.event_ids)

    @rule(who=st.integers(0, 1), faults=st.lists(st.sampled_from(FAULTS), max_size=4))
    def sync(self, who: int, faults: list[str]) -> None:
        self.transport.plan = list(faults)
        with contextlib.suppress(SyncError):  # transient: the worker would retry later
            self.stations[who].sync(self.transport)
        self.transport.plan = []

    @precondition(lambda self: bool(self.transport.pushes))
    @rule(index=st.integers(0, 10_000))
    def stale_request_arrives_late(self, index: int) -> None:
        old = self.transport.pushes[index % len(self.transport.pushes)]
        self.transport._send(httpx.Request(old.method, old.url, headers=old.headers, content=old.content))

    @rule(who=st.integers(0, 1))
    def station_killed_after_commit_before_push(self, who: int) -> None:
        station = self.stations[who]
        station.scan(f"(01){FLOUR}(10)F-EARLY", Workflow.CONSUME, task="WO-1", location="A1", qty=1)
        with station.engine.connect() as conn:
            self.recorded[who] |= set(conn.execute(select(Event.id)).scalars())
        station.engine.dispose()  # power lost: only what was committed survives
        station.engine = open_cache(station.path)
        station.service = StationService(station.engine, station.settings)

    @rule()
    def central_restarts(self) -> None:
        self.central.restart()

    @rule()
    def central_forgets_its_change_log(self) -> None:
        with write_tx(self.central.engine) as conn:
            conn.execute(update(changes).values(created_at=changelog.utcnow().replace(year=2000)))
            changelog.prune(conn, changelog.timedelta(days=1))

    @rule(action=st.sampled_from(["hold", "release"]))
    def supervisor_changes_a_lot(self, action: str) -> None:
        self.central.http.post(
            "/api/v1/admin/lots/F-LATE/status",
            json={"action": action, "reason": "qa"},
            headers=self.central.admin(),
        )

    # ----------------------------------------------------------------- invariants

    @invariant()
    def no_outbox_event_is_lost_and_seqs_are_gapless(self) -> None:
        for who, station in enumerate(self.stations):
            with station.engine.connect() as conn:
                rows = conn.execute(select(Event.id, Event.seq).order_by(Event.seq)).all()
            assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
            assert self.recorded[who] <= {r.id for r in rows}

    @invariant()
    def central_holds_each_event_once_in_station_order_and_applied_it_once(self) -> None:
        with self.central.engine.connect() as conn:
            stored = conn.execute(
                select(
                    received_events.c.station, received_events.c.station_seq, received_events.c.id
                ).order_by(received_events.c.server_seq)
            ).all()
        for station in self.stations:
            mine = [r for r in stored if r.station == station.settings.station_id]
            assert [r.station_seq for r in mine] == list(range(1, len(mine) + 1))
            with station.engine.connect() as conn:
                ids = dict(conn.execute(select(Event.seq, Event.id)).all())
            assert all(ids[r.station_seq] == r.id for r in mine)
        self._stock_matches_applied_events()

    def _stock_matches_applied_events(self) -> None:
        import json

        with self.central.engine.connect() as conn:
            applied = conn.execute(
                select(received_events.c.payload).where(received_events.c.outcome.in_(("applied", "flagged")))
            ).scalars()
            used: dict[str, float] = {}
            for payload in applied:
                p = json.loads(payload)
                used[p["lot"]] = used.get(p["lot"], 0.0) + float(p["qty"])
        stock = state_of(self.central.engine)["stock"]
        assert stock[("FLOUR", "F-EARLY", "A1")] == 50 - used.get("F-EARLY", 0.0)
        assert stock[("FLOUR", "F-LATE", "A2")] == 80 - used.get("F-LATE", 0.0)

    # ----------------------------------------------------------------- quiet

    def _quiet_and_converge(self) -> None:
        self.transport.plan = []
        for _ in range(2):
            for station in self.stations:
                station.sync(self.transport)
        server = state_of(self.central.engine)
        for station in self.stations:
            assert station.pending() == 0
            assert state_of(station.engine) == server


class PostgresSyncMachine(SyncMachine):
    backend = "postgres"


FAULT_SETTINGS = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
SyncMachine.TestCase.settings = FAULT_SETTINGS
PostgresSyncMachine.TestCase.settings = settings(FAULT_SETTINGS, max_examples=10)
TestSyncUnderFaults = SyncMachine.TestCase
TestSyncUnderFaultsOnPostgres = pytest.mark.postgres(PostgresSyncMachine.TestCase)
