"""`lotscan bench trace`: trace, recall, mock recall drill, FSMA 204 export and audit verification
on a generated six-level genealogy (see tracegen.py), at one or more sizes. The baseline, timed on
the same data in the same run: the naive walk (one query per lot, as ERPNext and Odoo walk
genealogy) against the one-statement closure."""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from benchmarks.stats import peak_rss_mb
from benchmarks.tracegen import LEVELS, Shape, build, busy_candidates
from lotscan.central.db import normalise_url, open_central, read_tx, scratch_schema, write_tx
from lotscan.central.trace import audit, fsma
from lotscan.central.trace.audited import DECISION
from lotscan.central.trace.drill import drill
from lotscan.central.trace.genealogy import Direction, closure
from lotscan.central.trace.recall import recall
from lotscan.central.trace.reports import write_recall
from lotscan.central.trace.tables import audit_log
from lotscan.central.trace.trace import resolve_roots, trace

BUSY = 10_000
BUILT_MARKER = "tracebench_built"  # in a kept schema: the build finished (what it made, as JSON)
MONTH = (date(2026, 6, 1), date(2026, 6, 30))


@contextmanager
def fresh_database(url: str | None, directory: Path) -> Iterator[str]:
    """A private SQLite file, or a private schema in the given PostgreSQL database (dropped after)."""
    if url is None or not is_postgres(url):
        yield f"sqlite:///{directory / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return
    with scratch_schema(url, prefix="lotscan_tracebench") as private:
        yield private


def is_postgres(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "postgresql"


def kept_schema(url: str, prefix: str, events: int) -> tuple[str, bool]:
    """The schema `<prefix>_<events>` in the PostgreSQL database at `url`, kept between runs:
    (its URL, whether it already holds a complete genealogy of that size). A schema whose build
    did not finish (no marker table) is dropped and made anew."""
    schema = f"{prefix}_{events}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            built = conn.execute(
                text("SELECT to_regclass(:marker) IS NOT NULL"), {"marker": f'"{schema}".{BUILT_MARKER}'}
            ).scalar_one()
            if not built:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    separator = "&" if "?" in url else "?"
    return f"{normalise_url(url)}{separator}options=-csearch_path%3D{schema}", bool(built)


def _mark_built(engine: Engine, made: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {BUILT_MARKER} (made TEXT NOT NULL)"))
        conn.execute(text(f"INSERT INTO {BUILT_MARKER} (made) VALUES (:made)"), {"made": json.dumps(made)})


def _made(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(json.loads(conn.execute(text(f"SELECT made FROM {BUILT_MARKER}")).scalar_one()))


def timed(action: Callable[[], Any], repeat: int) -> tuple[dict[str, float], Any]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        samples.append(time.perf_counter() - started)
    return {
        "first_s": round(samples[0], 3),
        "median_s": round(statistics.median(samples), 3),
        "best_s": round(min(samples), 3),
    }, result


def _closure_size(engine: Engine, lot_code: str) -> int:
    with read_tx(engine) as conn:
        roots = [r.lot_id for r in resolve_roots(conn, [lot_code])]
        return len(closure(conn, roots, Direction.FORWARD, None)) - 1


_CHILDREN = text("SELECT child_lot_id FROM lot_links WHERE parent_lot_id = :lot")


def naive_walk(engine: Engine, lot_code: str) -> int:
    """The baseline: the forward closure one query per lot (what ERPNext and Odoo do)."""
    with read_tx(engine) as conn:
        frontier = [r.lot_id for r in resolve_roots(conn, [lot_code])]
        seen = set(frontier)
        while frontier:
            lot = frontier.pop()
            for (child,) in conn.execute(_CHILDREN, {"lot": lot}):
                if child not in seen:
                    seen.add(child)
                    frontier.append(child)
    return len(seen)


def pick_busy_lot(engine: Engine, shape: Shape) -> tuple[str, int]:
    """The common raw lot whose downstream is closest above 10,000 lots (else the largest)."""
    sizes = {code: _closure_size(engine, code) for code in list(busy_candidates(shape))[:12]}
    above = {c: n for c, n in sizes.items() if n >= BUSY}
    chosen = min(above, key=above.__getitem__) if above else max(sizes, key=sizes.__getitem__)
    return chosen, sizes[chosen]


def run_size(url: str, events: int, repeat: int, work: Path, *, reuse: bool = False) -> dict[str, Any]:
    """`reuse`: the database already holds this size's genealogy (a kept schema); else build it."""
    shape = Shape(events)
    engine = open_central(url)
    try:
        started = time.perf_counter()
        if reuse:
            made = _made(engine)
        else:
            made = build(engine, shape)
            _mark_built(engine, made)
        result: dict[str, Any] = {"events": made["events"], "lots": made["lots"], "levels": LEVELS}
        result["build_s"] = None if reuse else round(time.perf_counter() - started, 1)
        result["reused"] = reuse
        busy, downstream = pick_busy_lot(engine, shape)
        result["busy_lot"] = {"lot": busy, "downstream_lots": downstream}
        finished = shape.lot_code(LEVELS - 1, shape.common[0])

        def run_trace(code: str, direction: Direction) -> int:
            with read_tx(engine) as conn:
                found = trace(conn, resolve_roots(conn, [code]), [direction])
            return len(found.lots)

        result["trace_forward"], n = timed(lambda: run_trace(busy, Direction.FORWARD), repeat)
        result["trace_forward"]["lots"] = n
        result["trace_backward"], n = timed(lambda: run_trace(finished, Direction.BACKWARD), repeat)
        result["trace_backward"]["lots"] = n

        def recall_report() -> int:
            with read_tx(engine) as conn:
                report = recall(conn, [busy], "bench", "bench", dry_run=True)
            write_recall(report, work / "recall")
            return len(report.trace.shipments)

        result["recall_report"], n = timed(recall_report, repeat)
        result["recall_report"]["shipments"] = n

        def run_drill() -> dict[str, Any]:
            with write_tx(engine) as conn:
                report = drill(conn, [busy], work / "drill", by="bench", direction="forward")
                conn.rollback()  # the bench leaves no drill record behind
            return {
                "affected_lots": len({(x.item, x.lot) for x in report.trace.lots}),
                "differences": len(report.differences),
                "elapsed_s_reported": report.elapsed_s,
            }

        result["drill_forward"], facts = timed(run_drill, repeat)
        result["drill_forward"].update(facts)
        result["naive_walk"], n = timed(lambda: naive_walk(engine, busy), 1)
        result["naive_walk"]["lots"] = n
        result["naive_walk"]["ratio_to_trace"] = round(
            result["naive_walk"]["median_s"] / max(result["trace_forward"]["median_s"], 1e-6), 1
        )
        # Like for like: the naive walk finds the closure and nothing else; so does this statement
        # (the trace above also reads every lot, edge, stock row and shipment of it).
        result["closure_forward"], n = timed(lambda: _closure_size(engine, busy) + 1, repeat)
        result["closure_forward"]["lots"] = n
        result["naive_walk"]["ratio_to_closure"] = round(
            result["naive_walk"]["median_s"] / max(result["closure_forward"]["median_s"], 1e-6), 1
        )

        def export(where: fsma.Filter, name: str, xlsx: bool) -> int:
            with read_tx(engine) as conn:
                suffix = "xlsx" if xlsx else "csv"
                return fsma.write(conn, where, work / f"{name}.{suffix}", suffix)[0]

        result["fsma_one_tlc_xlsx"], n = timed(lambda: export(fsma.Filter(lots=(busy,)), "tlc", True), repeat)
        result["fsma_one_tlc_xlsx"]["rows"] = n
        month = fsma.Filter(start=MONTH[0], end=MONTH[1])
        result["fsma_month_xlsx"], n = timed(lambda: export(month, "month", True), 1)
        result["fsma_month_xlsx"]["rows"] = n
        result["fsma_month_csv"], n = timed(lambda: export(month, "month", False), 1)
        result["fsma_month_csv"]["rows"] = n

        def verify() -> int:
            with read_tx(engine) as conn:
                checked = audit.verify(conn)
            if not checked.ok:
                raise RuntimeError(
                    f"audit chain of the generated data does not verify: {checked.findings[:3]}"
                )
            return checked.records

        result["audit_verify"], n = timed(verify, 1)
        result["audit_verify"]["records"] = n

        def verify_stock() -> int:  # `audit verify --stock`: each lot and location replayed too
            with read_tx(engine) as conn:
                checked = audit.verify(conn, stock=True)
            if not checked.ok:
                raise RuntimeError(f"stock of the generated data does not verify: {checked.findings[:3]}")
            return checked.records

        result["audit_verify_stock"], n = timed(verify_stock, 1)
        result["audit_verify_stock"]["records"] = n
        with read_tx(engine) as conn:  # the master data recorded as decisions (audit_master_data)
            decided = select(func.count()).select_from(audit_log).where(audit_log.c.kind == DECISION)
            result["audit_verify"]["decisions"] = int(conn.execute(decided).scalar_one())
        return result
    finally:
        engine.dispose()


@click.command()
@click.option(
    "--events",
    "sizes",
    multiple=True,
    type=click.IntRange(min=1000),
    default=[100_000],
    show_default=True,
    help="Events to generate (repeat for several sizes, e.g. 100000 1000000).",
)
@click.option(
    "--db",
    "db_url",
    help="PostgreSQL URL to run in (a private schema, dropped afterwards); default: a temporary SQLite file.",
)
@click.option(
    "--repeat",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Runs of each timed query (first, median and best are reported).",
)
@click.option(
    "--keep",
    "keep_prefix",
    metavar="PREFIX",
    help="PostgreSQL only: keep each size's genealogy in schema PREFIX_<events> and reuse it on the "
    "next run with the same PREFIX (building 10M events takes minutes). Drop it with "
    "`DROP SCHEMA PREFIX_<events> CASCADE`.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def command(
    sizes: tuple[int, ...], db_url: str | None, repeat: int, keep_prefix: str | None, as_json: bool
) -> None:
    """Trace, recall, FSMA 204 and audit-verify timings on a generated 6-level genealogy.

    \b
    Examples:
      lotscan bench trace --json
      lotscan bench trace --events 100000 --events 1000000 --json \
          --db postgresql+psycopg://postgres@127.0.0.1/test
      lotscan bench trace --events 1000000 --keep tracebench \
          --db postgresql+psycopg://postgres@127.0.0.1/test
    """
    if keep_prefix is not None and (db_url is None or not is_postgres(db_url)):
        raise click.UsageError("--keep needs a PostgreSQL --db (a kept schema lives there)")
    if keep_prefix is not None and not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", keep_prefix):
        raise click.UsageError(f"--keep {keep_prefix!r}: lower-case letters, digits and _ (a schema name)")
    results = []
    for events in sizes:
        with tempfile.TemporaryDirectory(prefix="lotscan-bench-trace-") as work:
            if keep_prefix is not None and db_url is not None:
                url, reuse = kept_schema(db_url, keep_prefix, events)
                result = run_size(url, events, repeat, Path(work), reuse=reuse)
            else:
                with fresh_database(db_url, Path(work)) as url:
                    result = run_size(url, events, repeat, Path(work))
            result["backend"] = make_url(url).get_backend_name()
            results.append(result)
            if not as_json:
                _print(result)
    if as_json:
        click.echo(json.dumps({"benchmark": "trace", "results": results, "rss_mb": peak_rss_mb()}))


def _print(r: dict[str, Any]) -> None:
    made = "reused" if r["reused"] else f"built in {r['build_s']} s"
    click.echo(
        f"{r['events']:,} events, {r['lots']:,} lots on {r['backend']} ({made}); "
        f"busy lot {r['busy_lot']['lot']} reaches {r['busy_lot']['downstream_lots']:,} lots"
    )
    for key in (
        "trace_forward",
        "trace_backward",
        "recall_report",
        "drill_forward",
        "closure_forward",
        "naive_walk",
        "fsma_one_tlc_xlsx",
        "fsma_month_xlsx",
        "fsma_month_csv",
        "audit_verify",
        "audit_verify_stock",
    ):
        extra = {k: v for k, v in r[key].items() if not k.endswith("_s")}
        click.echo(f"  {key:<18} median {r[key]['median_s']:>7} s  first {r[key]['first_s']:>7} s  {extra}")
