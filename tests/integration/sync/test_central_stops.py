"""Tester's V5: `lotscan central serve` told to stop (SIGTERM, or Ctrl-C) while stations hold
long-polls (`/sync/wait`) waited out uvicorn's 5 s grace, then logged an asyncio CancelledError
traceback per wait. Now the waits are answered at once ("nothing urgent", as a timeout), the
process exits promptly with one calm line, and a syncing station says "central went away" once,
retries, and says "central is back" when a new process answers on the same port.

Real processes and real HTTP: `lotscan central serve`, a long-poll client of our own, and a
station's sync worker (push, pull and its own long-poll), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from lotscan.sync import local
from lotscan.sync.worker import SyncWorker
from tests.central.processes import Server, free_port
from tests.central.support import Central, Station, auth

pytestmark = pytest.mark.slow

GRACE_S = 5.0  # uvicorn's timeout_graceful_shutdown in `lotscan central serve`


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "ctrl-c"])
def test_central_told_to_stop_answers_the_long_polls_at_once_and_the_station_retries_calmly(
    central: Central, tmp_path: Path, caplog: pytest.LogCaptureFixture, sig: signal.Signals
) -> None:
    port = free_port()
    server = Server(central.url, port, tmp_path / "central.log")
    server.start()
    station = Station(central, tmp_path, "ST1")
    with station.engine.begin() as conn:
        local.set_state(conn, local.SERVER_URL, server.url)
    worker = SyncWorker(
        station.engine,
        station.settings,
        interval_s=0.5,
        backoff_base_s=0.2,
        backoff_cap_s=0.5,
        long_poll_s=30,
    )
    answered: list[tuple[float, httpx.Response | Exception]] = []

    def long_poll() -> None:
        try:
            answer = httpx.get(
                f"{server.url}/api/v1/sync/wait",
                params={"after": 0, "timeout": 30},
                headers=auth(station.token),
                timeout=40,
            )
            answered.append((time.monotonic(), answer))
        except httpx.HTTPError as exc:
            answered.append((time.monotonic(), exc))

    caplog.set_level(logging.INFO, logger="lotscan.sync")
    poller = threading.Thread(target=long_poll)
    restarted: Server | None = None
    try:
        worker.start()
        _until(lambda: worker.status.online, "the first sync round")
        poller.start()
        time.sleep(1.0)  # our long-poll and the worker's are waiting inside central now
        assert not answered, answered

        assert server.process is not None
        told = time.monotonic()
        server.process.send_signal(sig)
        server.process.wait(GRACE_S + 10)
        exited_after = time.monotonic() - told
        server.process = None
        poller.join(10)

        # Before: the waits outlived uvicorn's grace, were cancelled at 5 s (500s, a traceback
        # each) and the process exited after it. Now they are answered at once and the shutdown
        # is over in a moment (measured in central's own log: the process's exit after it is
        # slower on a loaded machine, so it is held to the grace only).
        ((at, answer),) = answered
        assert isinstance(answer, httpx.Response), answer
        assert answer.status_code == 200 and answer.json()["changed"] is False, answer.text
        assert at - told < GRACE_S - 2, f"the long-poll was answered {at - told:.1f} s after the signal"
        lines = [json.loads(line) for line in (tmp_path / "central.log").read_text().splitlines()]
        stamped = {entry["msg"]: datetime.fromisoformat(entry["ts"]) for entry in lines}
        stopping = f"central is stopping ({sig.name}): the stations' long-polls are answered now"
        assert stopping in stamped, stamped
        finished = next(ts for msg, ts in stamped.items() if msg.startswith("Finished server process"))
        assert (finished - stamped[stopping]).total_seconds() < 1.0, lines[-6:]
        assert exited_after < GRACE_S, f"central took {exited_after:.1f} s to stop (grace {GRACE_S} s)"
        for entry in lines:
            assert entry["level"] in ("info", "debug") and "exc" not in entry, entry
            assert "timeout graceful shutdown" not in entry["msg"], entry

        _until(lambda: not worker.status.online, "the station to see central gone")
        restarted = Server(central.url, port, tmp_path / "central-again.log")
        restarted.start()
        _until(lambda: worker.status.online, "the station back online")
    finally:
        worker.stop()
        server.stop()
        if restarted is not None:
            restarted.stop()

    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.name.startswith("lotscan.sync")]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], said
    went = [m for _, m in said if m.startswith("central went away")]
    assert len(went) == 1, said
    assert f"central at {server.url} is unreachable" in went[0] and went[0].endswith(
        "retrying until it is back"
    )
    assert [m for _, m in said if m == "central is back"] == ["central is back"], said


def _until(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {seconds:.0f} s"
        time.sleep(0.05)
