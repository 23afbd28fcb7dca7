"""One sync round of a station: push the outbox in seq order, then pull changes (or reload).

Every step commits locally before the next request, so a crash anywhere loses nothing: events
stay `pending` until central's answer is stored, and central acknowledges a re-sent seq without
applying it again.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from lotscan.protocol import MAX_KEYS, EventIn, EventResult, PullRequest, PushRequest, PushResponse
from lotscan.store.db import open_cache
from lotscan.sync import local
from lotscan.sync.client import CentralClient, GapRefused, Refused, ReloadNeeded, SyncError

log = logging.getLogger(__name__)


# Statuses that say "this request is malformed" (not "who are you" or "come back later").
EVENT_REFUSALS = (400, 413, 422)


class NotEnrolled(RuntimeError):
    """The station has no token yet."""


@dataclass
class Report:
    pushed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    pulled: int = 0
    reloaded: bool = False
    resent_from: int | None = None
    deferred_pull: bool = False

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


class Syncer:
    def __init__(self, engine: Engine, client: CentralClient, *, batch: int = 500, page: int = 1000):
        self.engine = engine
        self.client = client
        self.batch = batch
        self.page = page

    def sync_once(self) -> Report:
        report = Report()
        with self.engine.connect() as conn:
            needs_snapshot = local.get_state(conn, local.SNAPSHOT_NEEDED) == "1"
        if needs_snapshot:
            self.reload()
            report.reloaded = True
        self.push_pending(report)
        try:
            self.pull_changes(report)
        except ReloadNeeded as exc:  # cursor older than central's log, or ahead of it (central restored)
            log.warning("%s: reloading a snapshot (unsent events are kept)", exc)
            self.reload()
            report.reloaded = True
            self.pull_changes(report)
        # Events recorded during the pull (and any set back by a gap) go out in the same round.
        self.push_pending(report)
        return report

    def push_pending(self, report: Report | None = None) -> Report:
        """Send the outbox in seq order, one batch in flight at a time.

        While a batch is on the wire, a helper thread stores the previous batch's answers and
        reads the next batch, so the station's own work overlaps central's.
        """
        report = report or Report()
        gaps = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lotscan-outbox") as helper:
            recording: Future[None] | None = None
            try:
                events = self._batch_after(0)
                while events:
                    upcoming = helper.submit(self._batch_after, events[-1].seq)
                    try:
                        answer = self._push(events)
                    except GapRefused as gap:
                        gaps += 1
                        upcoming.result()
                        if recording is not None:
                            recording.result()
                            recording = None
                        if gaps > 3:
                            raise
                        with self.engine.begin() as conn:
                            report.resent_from = gap.expected_seq
                            local.resend_from(conn, gap.expected_seq)
                        events = self._batch_after(0)
                        continue
                    if recording is not None:
                        recording.result()
                    recording = helper.submit(self._record, answer.results)
                    report.pushed += len(answer.results)
                    for r in answer.results:
                        report.outcomes[r.outcome] = report.outcomes.get(r.outcome, 0) + 1
                    events = upcoming.result()
            finally:
                if recording is not None:
                    recording.result()
        return report

    def _push(self, events: list[EventIn]) -> PushResponse:
        """Push a batch; a batch central refuses as malformed (4xx) is sent again one event at a
        time, and an event refused on its own goes as `unsendable`: central records its seq as
        set aside, the station keeps the event as failed, and the queue goes on (never retried)."""
        try:
            return self.client.push(PushRequest(station_time=datetime.now(UTC), events=events))
        except Refused as refused:
            if refused.status not in EVENT_REFUSALS:
                raise
            if len(events) == 1:
                return self.client.push(
                    PushRequest(
                        station_time=datetime.now(UTC),
                        events=[local.unsendable(events[0], f"central refused it: {refused}")],
                    )
                )
            log.warning(
                "central refused a batch of %d events (%s): sending them one by one", len(events), refused
            )
        answers = [self._push([event]) for event in events]
        return answers[-1].model_copy(update={"results": [r for a in answers for r in a.results]})

    def _batch_after(self, seq: int) -> list[EventIn]:
        with self.engine.connect() as conn:
            return local.next_batch(conn, self.batch, after_seq=seq)

    def _record(self, results: list[EventResult]) -> None:
        with self.engine.begin() as conn:
            local.record_results(conn, results)

    def pull_changes(self, report: Report | None = None) -> Report:
        report = report or Report()
        retries = 0
        while True:
            with self.engine.connect() as conn:
                cursor = local.get_int(conn, local.CURSOR)
                known_last = local.get_int(conn, local.STATION_LAST_SEQ)
                mine = local.unconfirmed(conn, known_last)
                resets = local.reset_keys(conn)
                pending = local.pending_count(conn)
            keys = list(dict.fromkeys(local.keys_of(mine) + resets))
            if len(keys) > MAX_KEYS:
                # Too many own events waiting to rebase them on server rows: push them first.
                report.deferred_pull = True
                return report
            answer = self.client.pull(
                PullRequest(after=cursor, limit=self.page, keys=[list(k) for k in keys]), pending=pending
            )
            with self.engine.begin() as conn:
                applied = local.apply_pull(conn, answer, {e.seq for e in mine}, resets)
            if not applied:
                # A scan was recorded meanwhile, or central holds fewer of our events than we
                # thought: remember what central said and ask again with the right rows.
                retries += 1
                if retries > 10:
                    raise SyncError("the cache kept changing during the pull; will try again later")
                with self.engine.begin() as conn:
                    local.set_state(conn, local.STATION_LAST_SEQ, str(answer.station_last_seq))
                continue
            retries = 0
            report.pulled += len(answer.changes)
            if not answer.has_more:
                return report

    def _checkpoint(self) -> None:
        try:
            with self.engine.connect() as conn:
                local.checkpoint(conn)
        except Exception as exc:  # a busy reader only delays it; SQLite checkpoints later anyway
            log.info("WAL checkpoint after the snapshot deferred: %s", exc)

    def reload(self) -> dict[str, int]:
        """Replace the cache's server state with a snapshot; unsent events stay and are re-applied.

        A cache that already has master data (a station that scans) gets the download in a side
        database first, so scanning goes on meanwhile; only the final copy inside SQLite holds
        the cache's write lock. An empty cache (enrolment) loads straight away, twice as fast.
        """
        with self.engine.connect() as conn:
            busy = local.has_master_data(conn)
        if not busy:
            with self.client.snapshot() as lines, self.engine.begin() as conn:
                counts = local.load_snapshot(conn, lines)
            self._checkpoint()
            return counts
        cache = Path(self.engine.url.database or "station.db")
        side = cache.with_name(f"{cache.name}.snapshot-{uuid.uuid4().hex[:8]}")
        side_engine = open_cache(side)
        try:
            with self.client.snapshot() as lines, side_engine.begin() as conn:
                header, counts = local.stage_snapshot(conn, lines)
            side_engine.dispose()
            with self.engine.connect() as conn:
                local.swap_in_snapshot(conn, str(side), header)
            self._checkpoint()
            return counts
        finally:
            side_engine.dispose()
            for leftover in (side, Path(f"{side}-wal"), Path(f"{side}-shm")):
                leftover.unlink(missing_ok=True)
