"""Traceability over HTTP: read-only trace and genealogy for stations (their token) and admins;
recall, exports and audit verification for admins. Mounted by central's app factory."""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from lotscan.central import reach
from lotscan.central.db import read_tx, write_tx
from lotscan.central.deps import Admin, Reader
from lotscan.central.errors import CentralError
from lotscan.central.routes.bodies import ERROR_RESPONSES, JsonRoute
from lotscan.central.trace import audit, drill, epcis, fsma
from lotscan.central.trace.genealogy import Direction
from lotscan.central.trace.identifiers import CompanyPrefixes, IdentifierError
from lotscan.central.trace.recall import recall
from lotscan.central.trace.trace import directions_for, json_default, resolve_roots, trace


class RecallRequest(BaseModel):
    lots: list[str] = Field(min_length=1, max_length=1000)
    reason: str = Field(min_length=1, max_length=1000)
    item: str | None = None
    dry_run: bool = True


router = APIRouter(prefix="/api/v1", tags=["trace"], route_class=JsonRoute, responses=ERROR_RESPONSES)


@router.get("/trace/{lot:path}")  # a GS1 lot code may hold "/" (tester W19)
def trace_lot(
    lot: str,
    request: Request,
    who: Reader,
    direction: Literal["both", "forward", "backward"] = "both",
    depth: Annotated[int | None, Query(ge=0)] = None,
    item: str | None = None,
) -> dict[str, Any]:
    """Backward to suppliers and receipts, forward to stock and shipments (lot code or SSCC)."""
    with read_tx(request.app.state.engine) as conn:
        roots = resolve_roots(conn, [lot], item)
        chosen = directions_for(direction == "forward", direction == "backward")
        return trace(conn, roots, chosen, depth, site=who.site).to_dict()


@router.get("/lots/{lot:path}/genealogy")
def genealogy(lot: str, request: Request, who: Reader, item: str | None = None) -> dict[str, Any]:
    """Parents and children, one level each way: what a station's Lookup screen shows."""
    with read_tx(request.app.state.engine) as conn:
        roots = resolve_roots(conn, [lot], item)
        result = trace(conn, roots, [Direction.BACKWARD, Direction.FORWARD], 1, site=who.site)
    parents = [asdict(x) for x in result.lots if x.direction == "backward" and x.depth == 1]
    children = [asdict(x) for x in result.lots if x.direction == "forward" and x.depth == 1]
    data = {
        "lots": [asdict(r) for r in roots],
        "parents": parents,
        "children": children,
        "edges": [asdict(e) for e in result.edges],
    }
    return _plain(data)


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, default=json_default))


@router.post("/admin/recall", tags=["admin"])
def recall_lots(body: RecallRequest, request: Request, admin: Admin) -> dict[str, Any]:
    """Forward closure of the lots; unless dry_run, every affected lot is set to recalled."""
    tx = read_tx if body.dry_run else write_tx
    with tx(request.app.state.engine) as conn:
        report = recall(conn, body.lots, body.reason, f"admin:{admin}", item=body.item, dry_run=body.dry_run)
    return report.to_dict()


@router.get("/admin/export/fsma204", tags=["admin"])
def export_fsma(
    request: Request,
    _admin_name: Admin,
    tlc: Annotated[list[str] | None, Query()] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    """XLSX: sheets `FSMA 204` and `Missing KDEs`; CSV: the records (the missing KDEs are in the
    XLSX, and counted in the `X-Missing-KDEs` header). Stored rows it could not read are named in
    the `X-Left-Out` headers, as for the EPCIS export."""
    with read_tx(request.app.state.engine) as conn:
        where = fsma.Filter(tuple(tlc or ()), start, end)
        if format == "csv":
            out = io.StringIO()
            _count, result = fsma.write(conn, where, out, "csv")
            headers = {"X-Missing-KDEs": str(len(result.missing)), **_left_out_headers(result)}
            return Response(out.getvalue(), media_type="text/csv", headers=headers)
        data = io.BytesIO()
        _count, result = fsma.write(conn, where, data, "xlsx")
    return Response(
        data.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="fsma204.xlsx"', **_left_out_headers(result)},
    )


@router.get("/admin/export/epcis", tags=["admin"])
def export_epcis(
    request: Request,
    _admin_name: Admin,
    lot: Annotated[list[str] | None, Query()] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    company_prefix: Annotated[list[str] | None, Query()] = None,
    gcp_length: Annotated[int, Query(ge=6, le=12)] = 7,
) -> Response:
    """Company prefixes: `company_prefix` first, then GS1's table, then `gcp_length` (the keys
    that needed it are named in the `X-Warnings` header)."""
    with read_tx(request.app.state.engine) as conn:
        try:
            prefixes = CompanyPrefixes(tuple(company_prefix or ()), gcp_length)
            result = epcis.export(conn, epcis.Filter(tuple(lot or ()), start, end), prefixes)
        except IdentifierError as exc:
            raise CentralError(f"{exc} (check company_prefix and the item's GTIN / location's GLN)") from exc
    headers = {"X-Warnings": "; ".join(result.warnings)} if result.warnings else {}
    headers.update(_left_out_headers(result))
    return Response(json.dumps(result.document), media_type="application/ld+json", headers=headers)


LEFT_OUT_LISTED = 50  # rows named in the X-Left-Out header (the count names them all)


def _left_out_headers(result: epcis.Export | fsma.FsmaExport) -> dict[str, str]:
    """A partial export (stored rows the export could not carry) still answers 200 with what
    could be exported: it is not the client's fault. These headers say it is partial and why."""
    if result.complete:
        return {"X-Export-Complete": "true"}
    return {
        "X-Export-Complete": "false",
        "X-Left-Out-Count": str(len(result.left_out)),
        "X-Left-Out": json.dumps([str(row) for row in result.left_out[:LEFT_OUT_LISTED]], ensure_ascii=True),
    }


@router.get("/admin/audit/verify", tags=["admin"])
def audit_verify(request: Request, _admin_name: Admin) -> dict[str, Any]:
    with read_tx(request.app.state.engine) as conn:
        result = audit.verify(conn)
    return {
        "ok": result.ok,
        "records": result.records,
        "sites": result.sites,
        "findings": [asdict(f) for f in result.findings],
    }


@router.get("/admin/lots/{lot:path}/reach", tags=["admin"])
def lot_reach(lot: str, request: Request, _admin_name: Admin, item: str | None = None) -> Response:
    """The lot's status and which stations have its newest hold or recall: acknowledged by N of
    M stations in service, who not (offline since), who is out of service."""
    with read_tx(request.app.state.engine) as conn:
        found = reach.lot_reach(conn, lot, item)
    return Response(json.dumps(found, default=json_default), media_type="application/json")


@router.get("/admin/recalls", tags=["admin"])
def recalls_reach(request: Request, _admin_name: Admin) -> Response:
    """Every recall, newest first: done once every station in service has pulled past it."""
    with read_tx(request.app.state.engine) as conn:
        found = reach.recalls_with_reach(conn)
    return Response(json.dumps(found, default=json_default), media_type="application/json")


@router.get("/admin/drills", tags=["admin"])
def drills_list(request: Request, _admin_name: Admin) -> Response:
    """Every mock recall drill: date, lots, elapsed time, result."""
    with read_tx(request.app.state.engine) as conn:
        found = drill.listed(conn)
    return Response(json.dumps(found, default=json_default), media_type="application/json")
