from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotscan.domain.fefo import StockCandidate, fefo_order, is_candidate
from lotscan.domain.ids import uuid7
from lotscan.domain.lot_numbers import LotPattern, LotPatternError
from lotscan.domain.policy import Policy, PolicyError
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.status import LotStatus, is_expired
from lotscan.domain.verdict import Level

TODAY = date(2026, 11, 21)


def test_expired_only_after_the_expiry_day() -> None:
    assert not is_expired(TODAY, TODAY)
    assert is_expired(TODAY - timedelta(days=1), TODAY)
    assert not is_expired(TODAY + timedelta(days=1), TODAY)
    assert not is_expired(None, TODAY)


def candidate(n: int, expiry: date | None, qty: float = 10, **kw: object) -> StockCandidate:
    values = dict(
        stock_id=n,
        lot_id=n,
        lot_code=f"L{n}",
        location_code="A",
        quantity=qty,
        expiry=expiry,
        received_at=datetime(2026, 1, 1) + timedelta(days=n),
        status=LotStatus.RELEASED,
        pickable=True,
        hold_location=False,
    )
    values.update(kw)
    return StockCandidate(**values)  # type: ignore[arg-type]


def test_fefo_orders_by_expiry_then_quantity_then_receipt_with_no_expiry_last() -> None:
    soon = TODAY + timedelta(days=5)
    lots = [
        candidate(1, None, 1),
        candidate(2, soon, 20),
        candidate(3, soon, 5),
        candidate(4, TODAY + timedelta(days=1), 50),
        candidate(5, soon, 5, received_at=datetime(2025, 1, 1)),
    ]
    assert [c.lot_code for c in fefo_order(lots, TODAY)] == ["L4", "L5", "L3", "L2", "L1"]


@pytest.mark.parametrize(
    "change",
    [
        {"status": LotStatus.HOLD},
        {"status": LotStatus.QUARANTINE},
        {"pickable": False},
        {"hold_location": True},
        {"quantity": 0},
        {"expiry": TODAY - timedelta(days=1)},
    ],
)
def test_fefo_excludes_what_cannot_be_picked(change: dict[str, object]) -> None:
    fields = dict(change)
    expiry = fields.pop("expiry", TODAY)
    assert not is_candidate(candidate(1, expiry, **fields), TODAY)  # type: ignore[arg-type]


def test_fefo_keeps_a_lot_on_its_expiry_day() -> None:
    assert is_candidate(candidate(1, TODAY), TODAY)


def test_uuid7_is_version_7_and_time_ordered() -> None:
    ids = [uuid7() for _ in range(2000)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_lot_pattern_renders_and_appends_station_when_missing() -> None:
    pattern = LotPattern("{date:%Y%m%d}-{line}-{seq:03}")
    code = pattern.render(day=TODAY, line="L2", item="X", station="ST9", seq=4)
    assert code == "20261121-L2-004-ST9"
    assert pattern.prefix_key(day=TODAY, line="L2", item="X", station="ST9") == "20261121-L2-#-ST9"


@given(st.sampled_from(["ST1", "ST2", "ST-3"]), st.sampled_from(["ST4", "ST5"]), st.integers(1, 999))
def test_two_stations_never_render_the_same_lot(a: str, b: str, seq: int) -> None:
    pattern = LotPattern("{date:%y%m%d}{seq:04}")
    one = pattern.render(day=TODAY, line="L", item="I", station=a, seq=seq)
    two = pattern.render(day=TODAY, line="L", item="I", station=b, seq=seq)
    assert one != two


def test_lot_pattern_errors_name_the_problem() -> None:
    with pytest.raises(LotPatternError, match="unknown field"):
        LotPattern("{date}-{shift}-{seq}")
    with pytest.raises(LotPatternError, match="seq"):
        LotPattern("{date}-{line}")


def test_policy_from_mapping() -> None:
    policy = Policy.from_mapping({"levels": {"NOT_FEFO": "rejected"}, "overridable": ["not_fefo"]})
    assert policy.level_of(ReasonCode.NOT_FEFO) is Level.REJECTED
    assert policy.level_of(ReasonCode.LOT_ON_HOLD) is Level.REJECTED
    assert ReasonCode.NOT_FEFO in policy.overridable
    with pytest.raises(PolicyError, match="unknown reason code 'NOPE'"):
        Policy.from_mapping({"levels": {"NOPE": "WARNING"}})
    with pytest.raises(PolicyError, match="use WARNING, REJECTED or ACCEPTED"):
        Policy.from_mapping({"levels": {"NOT_FEFO": "maybe"}})


@pytest.mark.parametrize(
    ("key", "value"), [("require_pin", "false"), ("duplicate_window_s", "abc"), ("idle_signout_s", True)]
)
def test_policy_values_must_have_their_type(key: str, value: object) -> None:
    with pytest.raises(PolicyError, match=f"policy.{key}"):
        Policy.from_mapping({key: value})
