"""The event vocabulary: one payload class per type, values refused by the rule they break, and
docs/events.md listing every type with every field."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import ValidationError

from lotscan.domain.events import (
    VOCABULARY,
    EventType,
    LotStatusChanged,
    Role,
    StockMoved,
    UnknownEventType,
    describe_errors,
    parse_payload,
)

DOC = Path(__file__).parents[3] / "docs" / "events.md"
SRC = Path(__file__).parents[3] / "src" / "lotscan"


def test_every_type_has_one_payload_class_and_supervisor_types_are_marked() -> None:
    assert set(VOCABULARY) == set(EventType)
    assert {t for t, m in VOCABULARY.items() if m.role is Role.SUPERVISOR} == {EventType.LOT_STATUS_CHANGED}


def test_wire_names_round_trip() -> None:
    moved = StockMoved(item="FLOUR", lot="L1", qty=2, from_location="A1", to_location="A2")
    assert moved.to_json() == {"item": "FLOUR", "lot": "L1", "qty": 2.0, "from": "A1", "to": "A2"}
    assert parse_payload("stock.moved", moved.to_json()) == moved


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"qty": float("nan")}, "qty"),
        ({"qty": float("inf")}, "qty"),
        ({"qty": True}, "qty"),
        ({"from": "A" * 65}, "from"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_value_is_named(payload: dict, where: str) -> None:
    base = {"item": "FLOUR", "lot": "L1", "qty": 2, "from": "A1", "to": "A2"}
    with pytest.raises(ValidationError) as refused:
        parse_payload("stock.moved", {**base, **payload})
    assert describe_errors(refused.value).startswith(where)


def test_statuses_come_from_the_vocabulary_and_unknown_types_are_refused() -> None:
    with pytest.raises(ValidationError):
        LotStatusChanged.model_validate({"item": "F", "lot": "L", "to": "pwned", "reason": "x"})
    with pytest.raises(UnknownEventType, match=r"stock\.teleported"):
        parse_payload("stock.teleported", {})


def test_docs_list_every_type_with_its_fields() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in text.splitlines() if line.startswith("| `")}
    for event_type, model in VOCABULARY.items():
        assert event_type.value in rows, f"docs/events.md lacks {event_type.value}"
        for name, info in model.model_fields.items():
            if name not in ("override", "override_by"):
                assert f"`{info.alias or name}`" in rows[event_type.value], (event_type.value, name)


def test_no_event_type_is_spelt_outside_the_vocabulary() -> None:
    """The vocabulary is written once: every other module names a type through EventType."""
    names = {t.value for t in EventType}
    spelt = [
        f"{path.relative_to(SRC)}:{node.lineno} {node.value!r}"
        for path in SRC.rglob("*.py")
        if "domain/events" not in path.as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in names
    ]
    assert spelt == []
