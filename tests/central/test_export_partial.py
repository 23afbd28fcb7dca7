"""One bad stored row no longer sinks the EPCIS export (tester #17, export part).

Rows stored before central validated pushed events (or edited by hand) can hold a lot code GS1
can't carry or a date that is no date. Before: `lotscan central export epcis` failed as a whole
(exit 1, no document) and the HTTP export answered 400 for data the client never sent. Now what can
be exported is, the rows left out are named with their reason (CLI: stderr, exit 3; HTTP: 200 with
`X-Export-Complete: false`, `X-Left-Out-Count` and `X-Left-Out`), and the document still validates
against GS1's EPCIS 2.0 JSON schema.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, FormatChecker
from sqlalchemy import text

from lotscan.central.db import write_tx
from lotscan.central.trace.drill import LEFT_OUT, drill
from tests.central.support import Central, event, push
from tests.trace.test_epcis import SCHEMA, _errors

LOTSCAN = [sys.executable, "-m", "lotscan"]
RECEIPT = {"item": "FLOUR", "lot": "F-PAL", "location": "DOCK", "qty": 20}
# GS1 General Specifications 7.4 / figure 7.11-1: AI (10) batch/lot is up to 20 characters of
# character set 82, which has neither a space nor "é".
NOT_GS1 = "F PAL é"


def _store_old_rows(central: Central) -> dict[str, str]:
    """Three receipts pushed as today's stations do, then two rewritten in the database as an older
    central (before validation) would have stored them. Returns their ids by what is wrong."""
    _, token = central.enroll("P1")
    lots = ["F-GOOD", "F-BADCODE", "F-BADDATE"]
    answer = push(
        central,
        token,
        *(event(n + 1, "stock.received", **{**RECEIPT, "lot": lot}) for n, lot in enumerate(lots)),
    )
    assert [r["outcome"] for r in answer.json()["results"]] == ["applied"] * 3
    ids = {}
    with write_tx(central.engine) as conn:
        for lot, change in (("F-BADCODE", {"lot": NOT_GS1}), ("F-BADDATE", {"expiry": "2026-02-30"})):
            row = conn.execute(
                text("SELECT server_seq, id, payload FROM received_events WHERE lot_code = :lot"),
                {"lot": lot},
            ).one()
            payload = {**json.loads(row.payload), **change}
            conn.execute(
                text("UPDATE received_events SET payload = :p, lot_code = :l WHERE server_seq = :s"),
                {"p": json.dumps(payload), "l": payload["lot"], "s": row.server_seq},
            )
            ids[lot] = row.id
    return ids


def _valid(document: dict) -> None:
    validator = Draft7Validator(json.loads(SCHEMA.read_text()), format_checker=FormatChecker())
    assert not _errors(validator, document)


def _exported_lots(document: dict) -> list[str]:
    return [
        q["epcClass"].rsplit(".", 1)[-1]
        for e in document["epcisBody"]["eventList"]
        if e.get("bizStep") == "receiving"
        for q in e["quantityList"]
    ]


def test_the_cli_exports_the_good_rows_and_names_the_bad_ones(central: Central) -> None:
    bad = _store_old_rows(central)
    run = subprocess.run(
        [sys.executable, "-m", "lotscan", "central", "export", "epcis", "--db", central.url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 3, run.stderr  # partial
    assert "Traceback" not in run.stderr
    document = json.loads(run.stdout)
    _valid(document)
    assert _exported_lots(document) == ["F-GOOD"]
    left_out = [line for line in run.stderr.splitlines() if line.startswith("left out: ")]
    assert len(left_out) == 2, run.stderr
    by_id = {row_id: next(line for line in left_out if row_id in line) for row_id in bad.values()}
    assert "character set 82" in by_id[bad["F-BADCODE"]]
    assert "expiry" in by_id[bad["F-BADDATE"]]
    assert "partial export: 2 stored row(s)" in run.stderr


def test_the_http_export_answers_200_with_the_rows_left_out(central: Central) -> None:
    bad = _store_old_rows(central)
    response = central.http.get("/api/v1/admin/export/epcis", headers=central.admin())
    assert response.status_code == 200, response.text  # stored data is not the client's fault
    _valid(response.json())
    assert _exported_lots(response.json()) == ["F-GOOD"]
    assert response.headers["X-Export-Complete"] == "false"
    assert response.headers["X-Left-Out-Count"] == "2"
    listed = json.loads(response.headers["X-Left-Out"])
    assert sorted(row.split()[1] for row in listed) == sorted(bad.values())


@pytest.mark.parametrize("export", ["epcis", "fsma204"])
def test_a_complete_export_says_so(central: Central, export: str) -> None:
    _, token = central.enroll("P1")
    push(central, token, event(1, "stock.received", **RECEIPT))
    response = central.http.get(f"/api/v1/admin/export/{export}", headers=central.admin())
    assert response.status_code == 200 and response.headers["X-Export-Complete"] == "true"
    assert "X-Left-Out" not in response.headers


def test_a_drill_names_the_rows_its_epcis_extract_left_out(central: Central, tmp_path: Path) -> None:
    """The drill builds the same extract (in a forked process): the rows left out are written
    beside it, in epcis-left-out.txt, and listed with the drill's files."""
    _, token = central.enroll("P1")
    push(central, token, event(1, "stock.received", **{**RECEIPT, "lot": "F-ODD"}))
    with write_tx(central.engine) as conn:  # the payload's lot rewritten as an older central could hold it
        row = conn.execute(text("SELECT server_seq, id, payload FROM received_events")).one()
        payload = {**json.loads(row.payload), "lot": NOT_GS1}
        conn.execute(
            text("UPDATE received_events SET payload = :p WHERE server_seq = :s"),
            {"p": json.dumps(payload), "s": row.server_seq},
        )
    out = tmp_path / "drill"
    with write_tx(central.engine) as conn:
        report = drill(conn, ["F-ODD"], out, by="test")
    assert LEFT_OUT in report.files
    left_out = (out / LEFT_OUT).read_text(encoding="utf-8")
    assert row.id in left_out and "character set 82" in left_out
    _valid(json.loads((out / "epcis.jsonld").read_text(encoding="utf-8")))


# FSMA 204 (21 CFR 1.1455(c)(3)(ii)): the sortable spreadsheet "containing the information required
# to be maintained under this subpart": a record it cannot read is named, never dropped silently.


def _fsma_lots(csv_text: str) -> list[str]:
    import csv
    import io

    return sorted(row["Traceability Lot Code"] for row in csv.DictReader(io.StringIO(csv_text)))


def test_the_fsma_cli_names_the_record_it_could_not_read(central: Central) -> None:
    """Before: 2 of 3 receipts written, exit 0, nothing said of the third."""
    bad = _store_old_rows(central)
    run = subprocess.run(
        [*LOTSCAN, "central", "export", "fsma204", "--format", "csv", "--db", central.url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 3, run.stderr  # partial
    assert "Traceback" not in run.stderr
    assert _fsma_lots(run.stdout) == sorted(["F-GOOD", NOT_GS1])  # FSMA 204 has no GS1 character set
    left_out = [line for line in run.stderr.splitlines() if line.startswith("left out: ")]
    assert len(left_out) == 1 and bad["F-BADDATE"] in left_out[0] and "expiry" in left_out[0], run.stderr
    assert "partial export: 1 stored row(s)" in run.stderr


def test_the_fsma_http_export_answers_200_with_the_record_left_out(central: Central) -> None:
    bad = _store_old_rows(central)
    for fmt in ("csv", "xlsx"):
        response = central.http.get(
            "/api/v1/admin/export/fsma204", params={"format": fmt}, headers=central.admin()
        )
        assert response.status_code == 200, response.text
        assert response.headers["X-Export-Complete"] == "false"
        assert response.headers["X-Left-Out-Count"] == "1"
        [listed] = json.loads(response.headers["X-Left-Out"])
        assert listed.split()[1] == bad["F-BADDATE"]
    csv_response = central.http.get("/api/v1/admin/export/fsma204", headers=central.admin())
    assert _fsma_lots(csv_response.text) == sorted(["F-GOOD", NOT_GS1])
