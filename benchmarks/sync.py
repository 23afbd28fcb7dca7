"""`lotscan bench sync`: sync throughput and latency against a real `lotscan central serve` process.

Figures (targets on PostgreSQL, 2 cores):
  push_10k          10,000 offline events pushed and acknowledged            <= 10 s
  stations_100      100 simulated stations pushing and pulling at once: p99 push <= 250 ms
  snapshot_*        enrolment snapshot of a site with N lots (real `lotscan enroll`) <= 60 s at 1M
  pull_100_*        incremental pull of 100 changes, at 10k and at 1M lots    <= 100 ms
  station_rss_mb    peak memory of the station processes while syncing        <= 200 MB
  validation_share  central's checks of each pushed event (central/validation.py) as a share
                    of central's whole push of the same 10,000 events, in-process  <= 10 %
All data is generated here, in a private PostgreSQL schema (dropped afterwards) or a temp dir.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import resource
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import httpx
from sqlalchemy import Engine, func, insert, select, text

from lotscan.central import push
from lotscan.central.db import make_engine, normalise_url, scratch_schema, upgrade, write_tx
from lotscan.central.importing import import_into_central
from lotscan.central.status import ACTIONS, change_status
from lotscan.central.tokens import StationIdentity, add_station
from lotscan.central.validation import Validator
from lotscan.protocol import EventIn, PushRequest
from lotscan.services.importer import read_source
from lotscan.store.db import open_cache
from lotscan.store.schema import Event, Item, Location, Lot, Stock
from lotscan.sync import local
from lotscan.sync.client import CentralClient
from lotscan.sync.engine import Syncer

SITE = "BENCH"
ITEMS = 100
LOCATIONS = 20
TARGETS = {
    "push_10k_s": 10.0,
    "stations_100_push_p99_ms": 250.0,
    "stations_100_push_p99_ms_audit_deferred": 250.0,
    "snapshot_1m_s": 60.0,
    "pull_100_ms": 100.0,
    "station_rss_mb": 200.0,
    "validation_share_pct": 10.0,
}


@click.command()
@click.option("--db", "db_url", help="Central database URL (default: a temporary SQLite file).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--events", default=10_000, show_default=True, help="Offline events for the push figure.")
@click.option("--stations", default=100, show_default=True, help="Simulated stations pushing and pulling.")
@click.option("--duration", default=20.0, show_default=True, help="Seconds the simulated stations run.")
@click.option(
    "--every", default=3.0, show_default=True, help="Mean seconds between a simulated station's rounds."
)
@click.option("--batch", default=3, show_default=True, help="Events per push of a simulated station.")
@click.option("--lots", default=1_000_000, show_default=True, help="Lots of the site for the big snapshot.")
@click.option("--keep", is_flag=True, help="Keep the generated database and caches (prints where).")
def command(
    db_url: str | None,
    as_json: bool,
    events: int,
    stations: int,
    duration: float,
    every: float,
    batch: int,
    lots: int,
    keep: bool,
) -> None:
    """Measure push, many-station, snapshot and incremental-pull figures of sync.

    \b
    Examples:
      lotscan bench sync --json
    """
    work = Path(tempfile.mkdtemp(prefix="lotscan-bench-sync-"))
    results: dict[str, Any] = {"database": "sqlite" if not db_url else make_engine(db_url).dialect.name}
    try:
        with _private_database(db_url, work, keep) as url:
            engine = make_engine(url)
            upgrade(engine)
            _seed(engine, work)
            workers = ("--workers", "2") if url.startswith("postgresql") else ()
            # The first server chains the audit log inside each push (inline); the second, after
            # each push commits (deferred, serve's default): two different settings, two figures.
            results["server"] = "lotscan central serve --audit inline " + " ".join(workers)
            with _server(url, work, *workers, "--audit", "inline") as base:
                say = (lambda *_: None) if as_json else click.echo
                say(f"push: {events} offline events ...")
                results["push"] = _bench_push(engine, base, work, events)
                results["validation"] = _bench_validation(engine, events, results["push"]["seconds"])
                # The two phases above rewrote the 100 stock rows the stations use some 20,000
                # times (the validation's half rolled back): vacuum, as autovacuum would before
                # long, so the stations do not wade through dead row versions the bench made.
                _vacuum(engine)
                say(f"stations: {stations} simulated stations for {duration:.0f} s ...")
                results["stations"] = asyncio.run(
                    _bench_stations(engine, base, stations, duration, every, batch)
                )
                say("snapshots and incremental pulls ...")
                results["scale"] = _bench_scale(engine, base, work, url, lots, say)
            say("stations again, audit chain appended right after each push commits ...")
            # Settled as before the first stations phase: the snapshot phase just loaded up to a
            # million lots, whose dead rows and dirty pages (written out by the next checkpoint,
            # fsyncs the pushes' commits would queue behind) belong to that load, not to this one.
            _vacuum(engine)
            with _server(url, work, *workers, "--audit", "deferred") as base:
                results["stations_audit_deferred"] = asyncio.run(
                    _bench_stations(engine, base, stations, duration, every, batch)
                )
            engine.dispose()
    except click.ClickException as failure:
        # Keep what was measured before the failure: a long run is not thrown away.
        results["error"] = failure.format_message()
        click.echo(json.dumps(results, indent=2), err=True)
        raise
    finally:
        if keep:
            click.echo(f"kept {work}", err=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["targets"] = _verdicts(results)
    if as_json:
        click.echo(json.dumps(results, indent=2))
    else:
        for name, verdict in results["targets"].items():
            mark = "OK" if verdict["ok"] else "MISSED"
            click.echo(f"{name:28} {verdict['value']!s:>10} (target <= {verdict['target']})  {mark}")


# --------------------------------------------------------------------------- setup


@contextmanager
def _private_database(db_url: str | None, work: Path, keep: bool) -> Iterator[str]:
    if not db_url:
        yield f"sqlite:///{work / 'central.db'}"
        return
    url = normalise_url(db_url)
    if not url.startswith("postgresql"):
        yield url
        return
    with scratch_schema(url, prefix="lotscan_bench", keep=keep) as private:
        yield private


def _seed(engine: Engine, work: Path) -> None:
    data = {
        "sites": [{"code": SITE}],
        "locations": [{"code": f"BL-{i:02d}", "site": SITE} for i in range(LOCATIONS)],
        "items": [{"code": f"BI-{i:03d}", "expiry_required": "no"} for i in range(ITEMS)],
        "operators": [{"badge": "1", "site": "*"}],
        "lots": [{"item": f"BI-{i:03d}", "lot": f"HOT-{i:03d}"} for i in range(ITEMS)],
        "stock": [
            {"item": f"BI-{i:03d}", "lot": f"HOT-{i:03d}", "location": "BL-00", "qty": 1e9}
            for i in range(ITEMS)
        ],
    }
    path = work / "seed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with write_tx(engine) as conn:
        import_into_central(conn, read_source(path))


def _vacuum(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # The bench's own tables (its private schema), not the whole shared database.
            conn.exec_driver_sql(
                "VACUUM ANALYZE stock, lots, received_events, changes, change_counter, audit_log, "
                "audit_heads, stations, lot_status_history, reconciliation_items"
            )
            # The pages the phases before wrote go to disk now, not during the next phase's
            # commits (a checkpoint the bulk writes would have brought on within minutes).
            conn.exec_driver_sql("CHECKPOINT")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(url: str, work: Path, *extra: str) -> Iterator[str]:
    port = _free_port()
    log = (work / "central.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lotscan",
            "central",
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--log-level",
            "warning",
            *extra,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: two workers importing the app on a busy 2-core machine take tens of seconds.
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                log.flush()
                tail = (work / "central.log").read_text(errors="replace").splitlines()[-15:]
                raise click.ClickException(
                    "central did not start within 120 s"
                    + (f" (exit code {process.returncode})" if process.poll() is not None else "")
                    + ("; its log ends:\n" + "\n".join(tail) if tail else "; it printed nothing")
                )
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(20)
        log.close()


def _code(engine: Engine, name: str | None = None) -> str:
    with write_tx(engine) as conn:
        return add_station(conn, SITE, name)[1]


def _enrolled_cache(engine: Engine, base: str, path: Path) -> tuple[Engine, str]:
    cache = open_cache(path)
    with CentralClient(base) as client:
        answer = client.enroll(_code(engine), path.stem)
    with cache.begin() as conn:
        local.set_state(conn, local.SERVER_URL, base)
        local.set_state(conn, local.TOKEN, answer.token)
    with CentralClient(base, answer.token) as client:
        Syncer(cache, client).reload()
    return cache, answer.token


# --------------------------------------------------------------------------- push


def _bench_push(engine: Engine, base: str, work: Path, count: int) -> dict[str, Any]:
    cache, token = _enrolled_cache(engine, base, work / "push-station.db")
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for seq in range(1, count + 1):
        item = f"BI-{seq % ITEMS:03d}"
        payload = {"item": item, "lot": f"HOT-{seq % ITEMS:03d}", "location": "BL-00", "qty": 1}
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "seq": seq,
                "station_id": "push-station",
                "operator": "1",
                "occurred_at": now,
                "type": "stock.consumed",
                "workflow": "consume",
                "lot_code": payload["lot"],
                "payload": json.dumps(payload),
                "verdict": "ACCEPTED",
                "reasons": "[]",
            }
        )
    with cache.begin() as conn:
        conn.execute(insert(Event), rows)
    started = time.perf_counter()
    with CentralClient(base, token) as client:
        report = Syncer(cache, client).push_pending()
    elapsed = time.perf_counter() - started
    with cache.connect() as conn:
        left = local.pending_count(conn)
    cache.dispose()
    return {
        "events": count,
        "seconds": round(elapsed, 2),
        "events_per_s": round(count / elapsed),
        "outcomes": report.outcomes,
        "left_pending": left,
    }


# --------------------------------------------------------------------------- many stations


async def _bench_stations(
    engine: Engine, base: str, count: int, duration: float, every: float, size: int
) -> dict[str, Any]:
    tokens = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for i in range(count):
            answer = await http.post("/api/v1/enroll", json={"code": _code(engine), "station_id": f"sim-{i}"})
            tokens.append(answer.json()["token"])
    push_ms: list[float] = []
    pull_ms: list[float] = []
    errors: list[str] = []
    acked = 0
    # Each station its own client and connection, as on the floor. One client shared by all 100
    # made the bench itself the bottleneck: httpcore's pool walks every connection on each
    # request, ~11 ms of the load generator's CPU per request here. The clients are made before
    # the clock starts, sharing one TLS context (plain HTTP here; each would load the CA bundle).
    tls = ssl.create_default_context()
    clients = [httpx.AsyncClient(base_url=base, timeout=30, verify=tls) for _ in tokens]
    stop_at = time.monotonic() + duration

    async def run(index: int, token: str, http: httpx.AsyncClient) -> None:
        nonlocal acked
        rng = random.Random(index)
        seq, cursor = 0, None
        unsent: list[dict[str, Any]] = []
        headers = {"Authorization": f"Bearer {token}"}
        await asyncio.sleep(rng.uniform(0, every))
        while time.monotonic() < stop_at:
            if unsent:  # the last push got no answer: send the same events again (exactly once)
                batch, unsent = unsent, []
            else:
                batch = []
            for _ in range(size if not batch else 0):
                seq += 1
                lot = index % ITEMS if rng.random() < 0.9 else rng.randrange(ITEMS)
                batch.append(
                    {
                        "id": str(uuid.uuid4()),
                        "seq": seq,
                        "operator": "1",
                        "occurred_at": datetime.now(UTC).isoformat(),
                        "type": "stock.consumed",
                        "payload": {
                            "item": f"BI-{lot:03d}",
                            "lot": f"HOT-{lot:03d}",
                            "location": "BL-00",
                            "qty": 1,
                        },
                    }
                )
            started = time.perf_counter()
            body = {"station_time": datetime.now(UTC).isoformat(), "events": batch}
            try:
                answer = await http.post("/api/v1/sync/push", json=body, headers=headers)
            except httpx.TransportError as exc:
                errors.append(f"push {type(exc).__name__}")
                unsent = batch
                await asyncio.sleep(rng.uniform(0.5 * every, 1.5 * every))
                continue
            push_ms.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                errors.append(f"push {answer.status_code}")
                unsent = batch
            else:
                acked += sum(1 for r in answer.json()["results"] if not r["duplicate"])
            if cursor is None:
                cursor = await _latest_cursor(http, headers)
            started = time.perf_counter()
            try:
                pulled = await http.post(
                    "/api/v1/sync/pull", json={"after": cursor, "limit": 500}, headers=headers
                )
            except httpx.TransportError as exc:
                errors.append(f"pull {type(exc).__name__}")
                await asyncio.sleep(rng.uniform(0.5 * every, 1.5 * every))
                continue
            pull_ms.append((time.perf_counter() - started) * 1000)
            if pulled.status_code == 200:
                cursor = pulled.json()["next_cursor"]
            else:
                errors.append(f"pull {pulled.status_code}")
            await asyncio.sleep(rng.uniform(0.5 * every, 1.5 * every))

    started = time.monotonic()
    try:
        await asyncio.gather(
            *(run(i, t, http) for i, (t, http) in enumerate(zip(tokens, clients, strict=True)))
        )
    finally:
        for http in clients:
            await http.aclose()
    elapsed = time.monotonic() - started
    return {
        "stations": count,
        "seconds": round(elapsed, 1),
        "load": (
            f"each station: push {size} consumptions (90% of its own lot, 10% of a lot all share), "
            f"pull, wait {0.5 * every:g}-{1.5 * every:g} s; repeat"
        ),
        "pushes": len(push_ms),
        "push_ms": _percentiles(push_ms),
        "pull_ms": _percentiles(pull_ms),
        "events_acked_per_s": round(acked / elapsed),
        "requests_per_s": round((len(push_ms) + len(pull_ms)) / elapsed),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
    }


async def _latest_cursor(http: httpx.AsyncClient, headers: dict[str, str]) -> int:
    answer = await http.get("/api/v1/sync/wait", params={"after": 0, "timeout": 0}, headers=headers)
    return int(answer.json()["latest"]) if answer.status_code == 200 else 0


def _bench_validation(engine: Engine, count: int, push_seconds: float) -> dict[str, Any]:
    """Central's per-event checks (schema, ids, operator, site) timed alone, and central's whole
    push (checks, effects, change log, audit chain) timed in-process on the same events, in the
    station's batches of 500, in one transaction rolled back afterwards: nothing is kept.

    The events are the push figure's (a station's consumptions: workflow, lot code, verdict), as
    central's route reads them: each batch the station's JSON body, parsed by the wire model, so
    the checks see what they see in a real push (e.g. pydantic's tzinfo on every time). The
    collector's time inside each phase is reported; the garbage the push figure's station left
    in this process is collected first, so neither phase pays a full collection of it."""
    station = StationIdentity(_validating_station(engine), SITE)
    now = datetime.now(UTC)
    batches = []
    for start in range(1, count + 1, 500):
        sent = [
            EventIn(
                id=str(uuid.uuid4()),
                seq=seq,
                operator="1",
                occurred_at=now,
                type="stock.consumed",
                workflow="consume",
                lot_code=f"HOT-{seq % ITEMS:03d}",
                payload={
                    "item": f"BI-{seq % ITEMS:03d}",
                    "lot": f"HOT-{seq % ITEMS:03d}",
                    "location": "BL-00",
                    "qty": 1,
                },
                verdict="ACCEPTED",
            )
            for seq in range(start, min(count, start + 499) + 1)
        ]
        body = json.dumps(PushRequest(station_time=now, events=sent).model_dump(mode="json"))
        batches.append(PushRequest.model_validate(json.loads(body)))
    checking = pushing = 0.0
    # This process's CPU in each phase besides the wall time: on a loaded machine the wall time is
    # mostly waiting (for the CPU, for the database's answer), the CPU is what the code costs here.
    # The database's own work for the push is in neither CPU figure.
    cpu = {"validation": 0.0, "push": 0.0}
    collecting = {"validation": 0.0, "push": 0.0}
    phase, began = ["validation"], [0.0]

    def collector(stage: str, _info: dict[str, Any]) -> None:
        if stage == "start":
            began[0] = time.perf_counter()
        else:
            collecting[phase[0]] += time.perf_counter() - began[0]

    gc.collect()
    gc.callbacks.append(collector)
    try:
        with engine.connect() as conn, conn.begin() as tx:
            for request in batches:
                phase[0] = "validation"
                started, used = time.perf_counter(), time.process_time()
                validator = Validator.for_batch(conn, station, request.events)
                for event in request.events:
                    validator.check(event)
                checking += time.perf_counter() - started
                cpu["validation"] += time.process_time() - used
                phase[0] = "push"
                started, used = time.perf_counter(), time.process_time()
                push.push(conn, station, request)
                pushing += time.perf_counter() - started
                cpu["push"] += time.process_time() - used
            tx.rollback()
    finally:
        gc.callbacks.remove(collector)
    return {
        "events": count,
        "validation_s": round(checking, 3),
        "per_event_us": round(checking / count * 1e6, 1),
        "central_push_in_process_s": round(pushing, 3),
        "share_of_push_pct": round(100 * checking / pushing, 1),
        "share_of_http_push_10k_pct": round(100 * checking / push_seconds, 1) if push_seconds else None,
        "garbage_collector_s": {name: round(spent, 3) for name, spent in collecting.items()},
        "cpu_s": {name: round(spent, 3) for name, spent in cpu.items()},
        "share_of_push_cpu_pct": round(100 * cpu["validation"] / cpu["push"], 1) if cpu["push"] else None,
    }


def _validating_station(engine: Engine) -> str:
    with write_tx(engine) as conn:
        return add_station(conn, SITE, f"bench-validate-{uuid.uuid4().hex[:6]}")[0]


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], 1),
        "mean": round(statistics.fmean(values), 1),
    }


# --------------------------------------------------------------------------- scale


def _bench_scale(engine: Engine, base: str, work: Path, url: str, lots: int, say: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    small = min(10_000, lots)
    _grow_lots(engine, small)
    name = f"{small // 1000}k"
    out[f"snapshot_{name}"] = _enroll_process(engine, base, work, f"snap-{name}")
    cache_small = open_cache(work / f"snap-{name}.db")
    out[f"pull_100_at_{name}"] = _incremental_pull(engine, cache_small, 0)
    if lots > small:
        say(f"  generating {lots:,} lots ...")
        started = time.perf_counter()
        _grow_lots(engine, lots)
        out["generate_s"] = round(time.perf_counter() - started, 1)
        name = f"{lots // 1_000_000}m" if lots >= 1_000_000 else f"{lots // 1000}k"
        say(f"  snapshot of {lots:,} lots ...")
        out[f"snapshot_{name}"] = _enroll_process(engine, base, work, f"snap-{name}")
        cache_big = open_cache(work / f"snap-{name}.db")
        out[f"pull_100_at_{name}"] = _incremental_pull(engine, cache_big, 100)
        cache_big.dispose()
    cache_small.dispose()
    out["station_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return out


def _grow_lots(engine: Engine, total: int) -> None:
    """Add generated lots (with one stock row each) until the site has `total` lots."""
    with write_tx(engine) as conn:
        have = int(conn.execute(select(func.count()).select_from(Lot)).scalar() or 0)
        if have >= total:
            return
        item_min = int(conn.execute(select(func.min(Item.id))).scalar() or 0)
        location_min = int(conn.execute(select(func.min(Location.id))).scalar() or 0)
        last_lot = int(conn.execute(select(func.max(Lot.id))).scalar() or 0)
        start, stop = have + 1, total
        if conn.dialect.name == "postgresql":
            # Generated inside the database: integers only, computed above.
            conn.execute(
                text(
                    "INSERT INTO lots (item_id, code, status, expiry, received_at) "
                    f"SELECT {item_min} + (g % {ITEMS}), 'GEN' || g, 'released', "
                    "current_date + (g % 700), now() "
                    f"FROM generate_series({int(start)}, {int(stop)}) g"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO stock (lot_id, location_id, qty, received_at) "
                    f"SELECT id, {location_min} + (id % {LOCATIONS}), 100, now() "
                    f"FROM lots WHERE id > {last_lot}"
                )
            )
            return
        now = datetime.now(UTC).replace(tzinfo=None)
        for chunk_start in range(start, stop + 1, 50_000):
            chunk = range(chunk_start, min(stop, chunk_start + 49_999) + 1)
            conn.execute(
                insert(Lot),
                [
                    {
                        "item_id": item_min + g % ITEMS,
                        "code": f"GEN{g}",
                        "status": "released",
                        "received_at": now,
                    }
                    for g in chunk
                ],
            )
        new_ids = conn.execute(select(Lot.id).where(Lot.id > last_lot)).scalars().all()
        for i in range(0, len(new_ids), 50_000):
            conn.execute(
                insert(Stock),
                [
                    {
                        "lot_id": lot_id,
                        "location_id": location_min + lot_id % LOCATIONS,
                        "qty": 100.0,
                        "received_at": now,
                    }
                    for lot_id in new_ids[i : i + 50_000]
                ],
            )


def _enroll_process(engine: Engine, base: str, work: Path, name: str) -> dict[str, Any]:
    code = _code(engine, name)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lotscan",
            "enroll",
            "--server",
            base,
            "--code",
            code,
            "--db",
            str(work / f"{name}.db"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise click.ClickException(f"enrolment of {name} failed: {done.stderr or done.stdout}")
    return {"seconds": round(elapsed, 2), "output": done.stdout.strip().splitlines()[-1]}


def _incremental_pull(engine: Engine, cache: Engine, offset: int) -> dict[str, Any]:
    with cache.connect() as conn:
        token = local.get_state(conn, local.TOKEN)
        server = local.get_state(conn, local.SERVER_URL)
    assert token and server
    with CentralClient(server, token) as client:
        syncer = Syncer(cache, client)
        syncer.pull_changes()  # catch up first
        with write_tx(engine) as conn:
            codes = conn.execute(
                select(Lot.code).where(Lot.code.like("GEN%")).order_by(Lot.id).offset(offset).limit(100)
            ).scalars()
            for code in list(codes):
                change_status(conn, code, ACTIONS["hold"], "bench", "bench")
        started = time.perf_counter()
        report = syncer.pull_changes()
        elapsed = time.perf_counter() - started
    return {"changes": report.pulled, "ms": round(elapsed * 1000, 1)}


def _verdicts(results: dict[str, Any]) -> dict[str, Any]:
    scale = results.get("scale", {})
    values = {
        "push_10k_s": results.get("push", {}).get("seconds"),
        "stations_100_push_p99_ms": results.get("stations", {}).get("push_ms", {}).get("p99"),
        "stations_100_push_p99_ms_audit_deferred": results.get("stations_audit_deferred", {})
        .get("push_ms", {})
        .get("p99"),
        "snapshot_1m_s": scale.get("snapshot_1m", {}).get("seconds"),
        "pull_100_ms": max((v["ms"] for k, v in scale.items() if k.startswith("pull_100_at_")), default=None),
        "station_rss_mb": scale.get("station_rss_mb"),
        "validation_share_pct": results.get("validation", {}).get("share_of_push_pct"),
    }
    return {
        name: {"value": value, "target": TARGETS[name], "ok": value is not None and value <= TARGETS[name]}
        for name, value in values.items()
    }
