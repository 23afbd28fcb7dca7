"""A label's trade measure (GS1 General Specifications 3.6, AIs 310n-366n: the unit is the AI's,
the fourth digit places the decimal point) is recorded in the item's unit by an exact conversion,
or refused (UNIT_MISMATCH), never as the bare number in another unit (tester's W15: 88.185 lb
booked as 88.185 KG, 10 kg booked as 10 L, 10 l called "no quantity", 5 kg counted as 5 packs).
Scans go through the station service on a cache imported by the real importer."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from lotscan.domain.events.payloads import MIN_QTY
from lotscan.domain.verdict import Level
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.importer import Row, import_tables
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.store.schema import Event
from tests.plant import build_plant

# Exact sizes, written out here from their definitions (not read from the code under test):
# 1 lb = 0.45359237 kg (international pound, 1959); 1 in = 0.0254 m; 1 US gal = 231 in³,
# 1 US qt = gal/4, 1 US fl oz = gal/128; 1 troy oz = 31.1034768 g.
LB, INCH = Decimal("0.45359237"), Decimal("0.0254")
IN3_L = INCH**3 * 1000
AI_UNITS: dict[str, tuple[str, Decimal]] = {
    "310": ("mass", Decimal(1)), "320": ("mass", LB), "356": ("mass", Decimal("0.0311034768")),
    "315": ("volume", Decimal(1)), "316": ("volume", Decimal(1000)), "357": ("volume", IN3_L * 231 / 128),
    "360": ("volume", IN3_L * 231 / 4), "361": ("volume", IN3_L * 231), "364": ("volume", IN3_L),
    "365": ("volume", IN3_L * 1728), "366": ("volume", IN3_L * 46656),
    "311": ("length", Decimal(1)), "321": ("length", INCH), "322": ("length", INCH * 12),
    "323": ("length", INCH * 36), "314": ("area", Decimal(1)), "350": ("area", INCH**2),
    "351": ("area", (INCH * 12) ** 2), "352": ("area", (INCH * 36) ** 2),
}  # fmt: skip
ITEM_UNITS: dict[str, tuple[str, Decimal] | None] = {
    "KG": ("mass", Decimal(1)), "G": ("mass", Decimal("0.001")), "LB": ("mass", LB),
    "OZ": ("mass", LB / 16), "L": ("volume", Decimal(1)), "ML": ("volume", Decimal("0.001")),
    "GAL": ("volume", IN3_L * 231), "M3": ("volume", Decimal(1000)), "M": ("length", Decimal(1)),
    "FT": ("length", INCH * 12), "M2": ("area", Decimal(1)), "EA": None, "SACK": None,
}  # fmt: skip


def gtin(n: int) -> str:
    """A GTIN-14 with company prefix 952 (examples) and its check digit."""
    body = f"1952123400{n:03d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


GTINS = {unit: gtin(500 + n) for n, unit in enumerate(ITEM_UNITS)}


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> StationService:
    database = tmp_path_factory.mktemp("measures") / "station.db"
    engine = build_plant(database)
    items = [
        {"code": f"IT-{unit}", "gtin": GTINS[unit], "description": f"Kept in {unit}", "unit": unit,
         "expiry_required": "no"}
        for unit in ITEM_UNITS
    ]  # fmt: skip
    lines = [
        {"task": "ASN-M", "line_no": n + 1, "item": f"IT-{unit}", "qty_expected": 10**12}
        for n, unit in enumerate(ITEM_UNITS)
    ]
    tables = {
        "items": items,
        "tasks": [{"code": "ASN-M", "kind": "asn", "location": "DOCK"}],
        "task_lines": lines,
    }
    with engine.begin() as conn:
        import_tables(
            conn, {name: [Row(name, n + 2, r) for n, r in enumerate(rows)] for name, rows in tables.items()}
        )
    return StationService(engine, StationSettings(station_id="ST1", database=database))


def receive(station: StationService, label: str, workflow: Workflow = Workflow.RECEIVE, **kw: object):
    context = ScanContext(workflow, operator="100", **kw)  # type: ignore[arg-type]
    return station.handle(station.interpret(label), context)


def last_payload(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        payload = conn.execute(select(Event.payload).order_by(Event.seq.desc()).limit(1)).scalar_one()
    answer: dict[str, object] = json.loads(payload)
    return answer


LOTS = iter(range(10**6))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=st.sampled_from(sorted(AI_UNITS)),
    decimals=st.integers(0, 5),
    digits=st.integers(1, 999_999),
    unit=st.sampled_from(sorted(ITEM_UNITS)),
)
def test_a_measure_is_recorded_as_its_exact_conversion_or_refused(
    station: StationService, prefix: str, decimals: int, digits: int, unit: str
) -> None:
    lot = f"M{next(LOTS)}"
    label = f"(01){GTINS[unit]}(10){lot}({prefix}{decimals}){digits:06d}"
    verdict = receive(station, label, task="ASN-M")
    dimension, size = AI_UNITS[prefix]
    item = ITEM_UNITS[unit]
    if item is None or item[0] != dimension:
        assert verdict.level is Level.REJECTED and not verdict.recorded, verdict.message
        assert [r.code for r in verdict.reasons] == ["UNIT_MISMATCH"]
        assert unit in verdict.message
        return
    exact = Decimal(digits).scaleb(-decimals) * size / item[1]
    if not MIN_QTY <= exact <= 10**9:  # beyond what an event may carry: refused, never cut or rounded
        assert not verdict.recorded and [r.code for r in verdict.reasons] == ["INVALID_VALUE"]
        return
    assert verdict.recorded, verdict.message
    payload = last_payload(station.engine)
    assert payload["lot"] == lot and payload["unit"] == unit
    assert payload["qty"] == pytest.approx(float(exact), rel=1e-12)


def test_pounds_on_a_kg_item_are_converted_and_the_message_says_both(station: StationService) -> None:
    verdict = receive(station, f"(01){GTINS['KG']}(10)BT5(3203)088185", task="ASN-M")
    assert verdict.recorded
    assert "Received 88.185 lb = 40.000043 KG of lot BT5" in verdict.message
    assert last_payload(station.engine)["qty"] == pytest.approx(40.00004314845, rel=1e-12)


def test_litres_on_a_litre_item_are_the_quantity_not_no_quantity(station: StationService) -> None:
    verdict = receive(station, f"(01){GTINS['L']}(10)EG2(3153)010000", task="ASN-M")
    assert verdict.recorded and "Received 10 L of lot EG2" in verdict.message
    assert last_payload(station.engine)["qty"] == 10


@pytest.mark.parametrize("workflow", [Workflow.COUNT, Workflow.MOVE])
def test_a_weight_on_an_ea_item_is_refused_on_the_floor_too(
    station: StationService, workflow: Workflow
) -> None:
    receive(station, f"(01){GTINS['EA']}(10)EA-1", task="ASN-M", qty=40)
    where = {"location": "DOCK"} if workflow is Workflow.COUNT else {"location": "DOCK", "to_location": "A1"}
    verdict = receive(station, f"(01){GTINS['EA']}(10)EA-1(3103)005000", workflow, **where)
    assert not verdict.recorded and [r.code for r in verdict.reasons] == ["UNIT_MISMATCH"]
    assert "5 kg" in verdict.message and "EA" in verdict.message


def test_a_typed_quantity_that_is_not_the_labels_weight_says_both(station: StationService) -> None:
    verdict = receive(station, f"(01){GTINS['KG']}(10)BT6(3203)088185", task="ASN-M", qty=88.185)
    assert verdict.recorded and [r.code for r in verdict.reasons] == ["QTY_DIFFERS_FROM_LABEL"]
    assert "You typed 88.185 KG, the label says 88.185 lb = 40.000043 KG" in verdict.message
    assert last_payload(station.engine)["qty"] == 88.185
