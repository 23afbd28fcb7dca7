"""Mock recall drill: how fast we find every affected unit, and whether the records add up.

One drill: trace the lots (forward, backward or both); a mass balance of every affected lot;
the FSMA 204 spreadsheet of the affected TLCs, the EPCIS extract, the notices to customers and
suppliers; drill.json and drill.html in one folder; one `drills` row (when, who, lots, elapsed
time, result, the report's SHA-256) and the same, chained, in the audit chain as a central decision
("recall.drill") for auditors. Nothing else changes unless `recall` is set,
which runs the real recall (lots set to recalled, stations told).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from lotscan.central.changelog import utcnow
from lotscan.central.errors import CentralError
from lotscan.central.reach import recall_reach
from lotscan.central.trace import epcis, fsma
from lotscan.central.trace.decisions import record_decision
from lotscan.central.trace.drill_html import render
from lotscan.central.trace.forked import alongside
from lotscan.central.trace.genealogy import Direction
from lotscan.central.trace.identifiers import CompanyPrefixes
from lotscan.central.trace.mass_balance import mass_balance
from lotscan.central.trace.notices import notices_for, write_notices
from lotscan.central.trace.recall import recall as run_recall
from lotscan.central.trace.records import Filter, lot_table_events
from lotscan.central.trace.tables import drills
from lotscan.central.trace.trace import TraceResult, json_default, resolve_roots, trace

DIRECTIONS = {
    "forward": [Direction.FORWARD],
    "backward": [Direction.BACKWARD],
    "both": [Direction.BACKWARD, Direction.FORWARD],
}
LOT_TABLE = "drill_lots"


@dataclass
class DrillReport:
    drill_id: int | None
    started_at: datetime
    by: str
    roots: list[str]
    direction: str
    elapsed_s: float
    trace: TraceResult
    mass_balance: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    suppliers: list[dict[str, Any]]
    missing_kdes: list[dict[str, Any]]
    recall_id: int | None = None
    stations_acknowledged: dict[str, Any] | None = None
    files: list[str] = field(default_factory=list)

    @property
    def differences(self) -> list[dict[str, Any]]:
        return [b for b in self.mass_balance if b["difference"] != 0]

    @property
    def result(self) -> str:
        return "differences" if self.differences else "balanced"

    def to_dict(self) -> dict[str, Any]:
        return {
            "drill_id": self.drill_id,
            "started_at": self.started_at,
            "by": self.by,
            "roots": self.roots,
            "direction": self.direction,
            "recall": self.recall_id is not None,
            "recall_id": self.recall_id,
            "elapsed_s": self.elapsed_s,
            "result": self.result,
            "affected_lots": len({(x.item, x.lot) for x in self.trace.lots}),
            "mass_balance": self.mass_balance,
            "customers": self.customers,
            "suppliers": self.suppliers,
            "stations_acknowledged": self.stations_acknowledged,
            "missing_kdes": self.missing_kdes,
            "files": self.files,
        }


def drill(
    conn: Connection,
    codes: list[str],
    out_dir: Path,
    *,
    by: str,
    direction: str = "both",
    item: str | None = None,
    recall: bool = False,
    reason: str | None = None,
    prefixes: CompanyPrefixes | None = None,
) -> DrillReport:
    """Run a drill inside the caller's (write) transaction; the clock runs from the first query
    to the last file written."""
    if direction not in DIRECTIONS:
        raise CentralError(f"direction {direction!r}: use forward, backward or both")
    if recall and not (reason or "").strip():
        raise CentralError("a drill with --recall runs a real recall: give its --reason")
    clock = time.perf_counter()
    started = utcnow()
    roots = resolve_roots(conn, codes, item)
    result = trace(conn, roots, DIRECTIONS[direction])
    _union_table(conn, direction)
    read = lot_table_events(conn, LOT_TABLE)  # once, for the balance and both exports
    out_dir.mkdir(parents=True, exist_ok=True)
    where = Filter(lot_table=LOT_TABLE)
    prepared = epcis.prepare(conn, where, prefixes, read)
    spreadsheet = fsma.prepare(conn, where, read)
    kept = out_dir / ".missing-kdes.json"  # the spreadsheet's process hands its Missing KDEs back
    (out_dir / LEFT_OUT).unlink(missing_ok=True)  # an earlier drill's, into the same folder
    with (
        alongside(lambda: _write_epcis(prepared, out_dir / "epcis.jsonld"), "the EPCIS extract"),
        alongside(
            lambda: _write_fsma(spreadsheet, out_dir / "fsma204.xlsx", kept), "the FSMA 204 spreadsheet"
        ),
    ):
        balance = mass_balance(conn, LOT_TABLE, read)
        recall_id = None
        if recall:
            recalled = run_recall(conn, codes, reason or "", by, item=item, dry_run=False)
            notices, recall_id = recalled.notices, recalled.recall_id
        else:
            notices = notices_for(
                conn, roots, result.lots, result.shipments, recall_id=None,
                reason=f"mock recall drill by {by}", issued_at=started, contact=None, by=by,
            )  # fmt: skip
        written = write_notices(notices, out_dir)
    missing = json.loads(kept.read_text(encoding="utf-8"))
    kept.unlink()
    report = DrillReport(
        drill_id=None,
        started_at=started,
        by=by,
        roots=[f"{r.item}/{r.lot}" for r in roots],
        direction=direction,
        elapsed_s=0.0,
        trace=result,
        mass_balance=[b.to_dict(with_events=b.difference != 0) for b in balance],
        customers=[_party(n) for n in notices if n.kind == "customer"],
        suppliers=[_party(n) for n in notices if n.kind == "supplier"],
        missing_kdes=[dict(zip(fsma.MISSING_COLUMNS, row, strict=True)) for row in missing],
        recall_id=recall_id,
        stations_acknowledged=recall_reach(conn, recall_id) if recall_id is not None else None,
    )
    report.drill_id = _record(conn, report, out_dir)
    report.files = ["fsma204.xlsx", "epcis.jsonld", *(str(p.relative_to(out_dir)) for p in written)]
    if (out_dir / LEFT_OUT).exists():
        report.files.append(LEFT_OUT)
    report.files += ["drill.json", "drill.html"]
    report.elapsed_s = round(time.perf_counter() - clock, 3)
    events = {(b.item, b.lot): b.events for b in balance}
    (out_dir / "drill.html").write_text(render(report.to_dict(), result, events), encoding="utf-8")
    # One line: json's C encoder (indent= would take its pure-Python one, seconds at 10,000 lots).
    data = json.dumps(report.to_dict(), default=json_default).encode("utf-8")
    (out_dir / "drill.json").write_bytes(data)
    conn.execute(
        update(drills)
        .where(drills.c.id == report.drill_id)
        .values(elapsed_s=report.elapsed_s, report_sha256=hashlib.sha256(data).hexdigest())
    )
    record_decision(
        conn,
        "recall.drill",
        by=by,
        subject="lots " + ", ".join(report.roots),
        detail={
            "drill_id": report.drill_id,
            "direction": direction,
            "elapsed_s": report.elapsed_s,
            "affected_lots": len({(x.item, x.lot) for x in result.lots}),
            "result": report.result,
            "differences": len(report.differences),
            "missing_kdes": len(report.missing_kdes),
            "recall_id": recall_id,
            "report_sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return report


LEFT_OUT = "epcis-left-out.txt"  # beside the extract when stored rows could not be exported


def _write_epcis(prepared: epcis.Prepared, path: Path) -> None:
    """The extract; and the stored rows it left out, one a line, in LEFT_OUT (none: no file)."""
    built = epcis.build(prepared)
    path.write_text(json.dumps(built.document), encoding="utf-8")
    if built.left_out:
        lines = "".join(f"left out: {row}\n" for row in built.left_out)
        path.with_name(LEFT_OUT).write_text(lines, encoding="utf-8")


def _write_fsma(spreadsheet: fsma.Prepared, path: Path, missing: Path) -> None:
    _count, rows = fsma.write_prepared(spreadsheet, path)
    missing.write_text(json.dumps(rows, default=json_default), encoding="utf-8")


def _union_table(conn: Connection, direction: str) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {LOT_TABLE}")
    on_commit = " ON COMMIT DROP" if conn.dialect.name == "postgresql" else ""
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {LOT_TABLE} (lot_id INTEGER PRIMARY KEY){on_commit}")
    parts = " UNION ".join(f"SELECT lot_id FROM trace_{d.value}" for d in DIRECTIONS[direction])
    conn.exec_driver_sql(f"INSERT INTO {LOT_TABLE} (lot_id) {parts}")


def _party(notice: Any) -> dict[str, Any]:
    return {
        "name": notice.to,
        "code": notice.to_code,
        "location_description": notice.to_description,
        "lots": [lot.tlc for lot in notice.lots],
    }


def _record(conn: Connection, report: DrillReport, out_dir: Path) -> int:
    """The drill's row; its elapsed time and the SHA-256 of drill.json are set when written."""
    return int(
        conn.execute(
            insert(drills).values(
                started_at=report.started_at,
                by=report.by,
                roots=json.dumps(report.roots),
                direction=report.direction,
                elapsed_s=report.elapsed_s,
                affected_lots=len({(x.item, x.lot) for x in report.trace.lots}),
                differences=len(report.differences),
                missing_kdes=len(report.missing_kdes),
                recall_id=report.recall_id,
                result=report.result,
                out_dir=str(out_dir),
                report_sha256="",
            )
        ).inserted_primary_key[0]  # type: ignore[index]  # one inserted row has its key
    )


def listed(conn: Connection) -> list[dict[str, Any]]:
    """Every drill, newest first."""
    rows = conn.execute(select(drills).order_by(drills.c.id.desc())).all()
    return [
        {
            "id": r.id,
            "started_at": r.started_at,
            "by": r.by,
            "lots": json.loads(r.roots),
            "direction": r.direction,
            "elapsed_s": r.elapsed_s,
            "affected_lots": r.affected_lots,
            "result": r.result,
            "differences": r.differences,
            "missing_kdes": r.missing_kdes,
            "recall_id": r.recall_id,
            "out_dir": r.out_dir,
            "report_sha256": r.report_sha256,
        }
        for r in rows
    ]
