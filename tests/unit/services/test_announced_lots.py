"""Tester ty's Y1, on a real cache: a line of an ASN that announces a lot (by its code, or its
pallet's SSCC) keeps its quantity for that lot. Another lot of the item counts against the lines
that announce no lot, or, when only lines of other lots are open, is recorded on the ASN outside
its lines with LOT_NOT_ANNOUNCED. What a pallet's prompt asks for is what is then taken."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from lotscan.domain.verdict import Level, Verdict
from lotscan.services.importer import Row, import_tables
from lotscan.services.session import StationSession
from lotscan.store.schema import Task, TaskLine
from tests.plant import FLOUR
from tests.unit.services.test_what_is_recorded import ahead, recorded, session_on

PALLET = "(00)095212340000000013"  # ASN-1 line 2: 20 SACK of lot F-PAL


def label(lot: str) -> str:
    return f"(01){FLOUR}(17){ahead()}(10){lot}"


def lines_of(session: StationSession, task: str) -> dict[int, float]:
    with session.service.engine.connect() as conn:
        rows = conn.execute(
            select(TaskLine.line_no, TaskLine.qty_done)
            .join(Task, Task.id == TaskLine.task_id)
            .where(Task.code == task)
        ).all()
    return {line_no: done for line_no, done in rows}


def receipts(session: StationSession) -> list[tuple[str, float, int | None]]:
    return [
        (e["lot"], e["qty"], e.get("line_no")) for e in recorded(session) if e["type"] == "stock.received"
    ]


def receive(session: StationSession, lot: str, qty: int) -> Verdict:
    session.submit(f"/qty {qty}")
    return session.submit(label(lot)).verdict


def test_another_lot_after_the_any_lot_line_is_done_leaves_the_pallets_line_to_the_pallet(
    tmp_path: Path,
) -> None:
    session = session_on(tmp_path)
    session.submit("ASN:ASN-1")
    assert receive(session, "F-NEW", 100).level is Level.ACCEPTED  # line 1: any lot, 100/100
    other = receive(session, "F-OTHER", 5)
    assert other.level is Level.WARNING and [r.code for r in other.reasons] == ["LOT_NOT_ANNOUNCED"]
    assert "recorded as scanned, on none of its lines: line 2 keeps 20 SACK for lot F-PAL" in other.message, (
        other.message
    )
    assert lines_of(session, "ASN-1") == {1: 100, 2: 0}
    asked = session.submit(PALLET).verdict
    assert "give 20 if that is what is there" in asked.message, asked.message
    session.submit("/qty 20")
    taken = session.submit(PALLET).verdict
    assert taken.level is Level.ACCEPTED, taken.message
    assert receipts(session) == [("F-NEW", 100, 1), ("F-OTHER", 5, None), ("F-PAL", 20, 2)]
    assert lines_of(session, "ASN-1") == {1: 100, 2: 20}


def test_another_lot_outside_the_lines_is_at_most_what_the_item_still_expects(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    session.submit("ASN:ASN-1")
    receive(session, "F-NEW", 100)
    refused = receive(session, "F-OTHER", 25)
    assert refused.level is Level.REJECTED and "QTY_EXCEEDS_TASK" in [r.code for r in refused.reasons]
    assert (
        "ASN-1 expects only 20 SACK more of Flour, announced for other lots, not 25 SACK" in refused.message
    )
    assert receive(session, "F-OTHER", 20).recorded  # the supplier may have sent it instead of F-PAL


def test_another_lot_goes_on_the_line_that_announces_no_lot_even_after_an_announced_one(
    tmp_path: Path,
) -> None:
    """An ASN whose first flour line announces a lot: another lot goes on its second, open to any
    lot, without a word, and the announced lot's line stays whole."""
    session = session_on(tmp_path)
    with session.service.engine.begin() as conn:
        rows: dict[str, list[dict[str, object]]] = {
            "tasks": [{"code": "ASN-2", "kind": "asn", "partner": "Mill", "location": "DOCK"}],
            "task_lines": [
                {"task": "ASN-2", "line_no": 1, "item": "FLOUR", "qty_expected": 30, "lot": "F-ANN"},
                {"task": "ASN-2", "line_no": 2, "item": "FLOUR", "qty_expected": 10},
            ],
        }
        import_tables(
            conn, {name: [Row(name, n + 2, r) for n, r in enumerate(rs)] for name, rs in rows.items()}
        )
    session.submit("ASN:ASN-2")
    assert receive(session, "F-ANY", 10).level is Level.ACCEPTED
    assert receive(session, "F-ANN", 30).level is Level.ACCEPTED
    assert receipts(session) == [("F-ANY", 10, 2), ("F-ANN", 30, 1)]


def test_a_pallets_prompt_asks_for_what_is_still_open_of_its_lot_and_takes_it(tmp_path: Path) -> None:
    """Five sacks of F-PAL came by their own labels: the pallet asks for 15, and 15 are taken (the
    prompt said "give 20" and 20 was refused)."""
    session = session_on(tmp_path)
    session.submit("ASN:ASN-1")
    assert receive(session, "F-PAL", 5).level is Level.ACCEPTED
    asked = session.submit(PALLET).verdict
    assert "5 SACK received on line 2, 15 SACK still open" in asked.message, asked.message
    assert "give 15 if that is what is there" in asked.message, asked.message
    session.submit("/qty 15")
    assert session.submit(PALLET).verdict.level is Level.ACCEPTED
    assert lines_of(session, "ASN-1")[2] == 20


def test_a_pallet_whose_line_is_complete_is_not_asked_for_a_quantity(tmp_path: Path) -> None:
    """Its lot came in full by labels: the pallet's scan says the line is complete at once."""
    session = session_on(tmp_path)
    session.submit("ASN:ASN-1")
    receive(session, "F-PAL", 20)
    refused = session.submit(PALLET).verdict
    assert [r.code for r in refused.reasons] == ["QTY_EXCEEDS_TASK"], refused.message
    assert "line 2 (Flour) is already complete (20 of 20 SACK)" in refused.message, refused.message
    assert receipts(session) == [("F-PAL", 20, 2)]  # nothing more recorded
