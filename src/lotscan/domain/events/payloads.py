"""Typed payloads of every event type, with the role each needs and the rows it touches.

The one place where an event's type name and payload keys are spelled. A station's workflows
build payloads from these classes, the store applies them by them, and central validates a
pushed payload against its type's class before anything is stored or applied.
"""

from __future__ import annotations

import math
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from lotscan.domain.status import LotStatus


class EventType(StrEnum):
    STOCK_RECEIVED = "stock.received"
    STOCK_MOVED = "stock.moved"
    STOCK_CONSUMED = "stock.consumed"
    LOT_PRODUCED = "lot.produced"
    STOCK_PICKED = "stock.picked"
    PICK_SHORT = "pick.short"
    STOCK_SHIPPED = "stock.shipped"
    LOT_STATUS_CHANGED = "lot.status_changed"
    STOCK_COUNTED = "stock.counted"
    LABEL_REQUESTED = "label.requested"
    LOT_SPLIT = "lot.split"
    LOT_MERGED = "lot.merged"
    LOT_RELABELLED = "lot.relabelled"
    PALLET_BUILT = "pallet.built"
    PALLET_BROKEN = "pallet.broken"


class Role(StrEnum):
    """What an operator must be to record an event. Admins are supervisors too."""

    OPERATOR = "operator"
    SUPERVISOR = "supervisor"


class Row(StrEnum):
    """Kinds of shared rows an event may change (see lotscan.domain.events.keys)."""

    LOT = "lot"
    STOCK = "stock"
    TASK_LINE = "task_line"
    CONTAINER = "container"
    SERIAL = "serial"
    LINKS = "links"


# --------------------------------------------------------------------------- value types

MAX_QTY = 1e9
# The smallest quantity an event moves (a milligram of a KG item): 1e-320 was once stored. One rule
# for both ends: the station refuses a scan below it (INVALID_VALUE), central a payload (BAD_PAYLOAD).
MIN_QTY = 1e-6
MAX_REASON = 500  # characters of a hold's, release's or short pick's reason


def reason_too_long(text: str) -> str | None:
    """Why a reason cannot be recorded, said when it is given (tester W12), or None."""
    if len(text) <= MAX_REASON:
        return None
    return f"a reason is at most {MAX_REASON} characters, this one has {len(text)}: give a shorter one"


EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 1, 1)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _finite_not_dust(value: float) -> float:
    """A quantity's two rules in one call: pydantic calls each after-validator as a Python
    function, and every pushed event has a quantity (central validates each one)."""
    _finite(value)
    if value < MIN_QTY:
        raise ValueError(f"must be at least {MIN_QTY:g} ({value:g} is no goods at all)")
    return value


def _zero_or_not_dust(value: float) -> float:
    """A count's quantity: zero (an empty shelf) or at least MIN_QTY, as every other quantity
    (tester tz, Z9j: a count of 1e-300 KG was recorded where a move refused it)."""
    _finite(value)
    if 0 < value < MIN_QTY:
        raise ValueError(f"must be 0 or at least {MIN_QTY:g} ({value:g} is no goods at all)")
    return value


def _date_in_range(value: date) -> date:
    if not EARLIEST_DATE <= value < LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


# Each text alias is spelt out: mypy takes only literal Annotated[...] as a type.
Code = Annotated[str, Field(min_length=1, max_length=64, strict=True)]  # String(64) columns
Gtin = Annotated[str, Field(pattern=r"^\d{8,14}$", strict=True)]
Sscc = Annotated[str, Field(pattern=r"^\d{18}$", strict=True)]
Unit = Annotated[str, Field(min_length=1, max_length=16, strict=True)]
Partner = Annotated[str, Field(min_length=1, max_length=200, strict=True)]
Supplier = Annotated[str, Field(min_length=1, max_length=100, strict=True)]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON, strict=True)]
Badge = Annotated[str, Field(min_length=1, max_length=64, strict=True)]
Quantity = Annotated[float, Field(gt=0, le=MAX_QTY, strict=True), AfterValidator(_finite_not_dust)]
Amount = Annotated[float, Field(ge=0, le=MAX_QTY, strict=True), AfterValidator(_finite)]
Counted = Annotated[float, Field(ge=0, le=MAX_QTY, strict=True), AfterValidator(_zero_or_not_dust)]
Balance = Annotated[float, Field(ge=-MAX_QTY, le=MAX_QTY, strict=True), AfterValidator(_finite)]
LineNo = Annotated[int, Field(ge=0, le=1_000_000, strict=True)]
EventDate = Annotated[date, AfterValidator(_date_in_range)]


# --------------------------------------------------------------------------- payloads


class Payload(BaseModel):
    """Fields every payload may carry: an override and who approved it (a supervisor)."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, populate_by_name=True, frozen=True, str_strip_whitespace=False
    )

    type: ClassVar[EventType]
    role: ClassVar[Role] = Role.OPERATOR
    touches: ClassVar[tuple[Row, ...]] = ()

    override: Reason | None = None
    override_by: Badge | None = None

    def to_json(self) -> dict[str, Any]:
        """The payload as it is stored and sent: plain JSON values, wire names, no empty fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def with_override(self, reason: str, by: str | None) -> Payload:
        return self.model_copy(update={"override": reason, "override_by": by})

    # What readers ask of any payload, so no reader spells a payload key.

    def _field(self, name: str) -> Any:
        """A field's value, None when this type has no such field: read from the instance dict,
        as pydantic's attribute fallback for a missing name costs more than the checks it serves."""
        return self.__dict__.get(name)

    def lot_ref(self) -> tuple[str, str] | None:
        """(item, lot) of the lot the event is about, if it names one."""
        item, lot = self._field("item"), self._field("lot")
        return (item, lot) if item is not None and lot is not None else None

    def task_code(self) -> str | None:
        task: str | None = self._field("task")
        return task

    def input_refs(self) -> list[tuple[str, str]]:
        """(item, lot) of every lot the event uses up as an input: a production's, a merge's."""
        item = self._field("item")
        return [(getattr(part, "item", None) or item, part.lot) for part in self._field("inputs") or []]

    def container(self) -> str | None:
        """The SSCC of the pallet or case the event builds, breaks or receives onto, if any."""
        sscc: str | None = self._field("sscc")
        return sscc

    def task_line(self) -> tuple[str, int] | None:
        """(task, line_no) of the task line the event counts against, if any."""
        task, line = self._field("task"), self._field("line_no")
        return (task, line) if task and line is not None else None

    def places(self) -> list[str]:
        """Every location code the event names: where stock is taken, put, or a pallet stands."""
        # As _field, the dict read once: central asks this of every pushed event. The codes are
        # text already (Code is a strict str), and parts are looked at only when there are some.
        get = self.__dict__.get
        named = [place for place in (get("location"), get("from_location"), get("to_location")) if place]
        outputs = get("outputs")
        if outputs:
            named += [part.location for part in outputs if part.location]
        inputs = get("inputs")
        if inputs and self.type is EventType.LOT_MERGED:
            named += [part.location for part in inputs if part.location]
        return named

    def summary(self) -> str:
        """One line a supervisor reads: '12 KG of FLOUR lot F-1 at DOCK (task ASN-1)'."""
        field = self._field
        parts = []
        if field("qty") is not None:
            parts.append(f"{field('qty'):g} {field('unit') or ''}".strip() + " of")
        parts += [str(field("item"))] if field("item") else []
        parts += [f"lot {field('lot')}"] if field("lot") else []
        if isinstance(field("new_lot"), str):  # a relabel's new code (a receipt's new_lot is a flag)
            parts.append(f"-> lot {field('new_lot')}")
        parts += [f"pallet {field('sscc')}"] if field("sscc") else []
        if field("from_location") and field("to_location"):
            parts.append(f"from {field('from_location')} to {field('to_location')}")
        elif field("location") or field("from_location"):
            parts.append(f"at {field('location') or field('from_location')}")
        if isinstance(self, LotStatusChanged):
            parts.append(f"status -> {self.to_status.value}")
        parts += [f"for {field('customer')}"] if field("customer") else []
        parts += [f"from {field('supplier')}"] if field("supplier") else []
        inputs = field("inputs") or []
        if inputs:
            parts.append(f"from {len(inputs)} input lot(s)")
        parts += [f"(task {field('task')})"] if field("task") else []
        return " ".join(parts)

    def stock_places(self) -> list[str]:
        """The locations whose stock rows of the event's own lot it changes (see keys.stock_places)."""
        named = [self._field(name) for name in ("location", "from_location", "to_location")]
        return [str(place) for place in named if place]


class LotRef(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
    item: Code
    lot: Code
    qty: Quantity | None = None


def _iso_date(value: str | None) -> str | None:
    if value is not None:
        try:
            _date_in_range(date.fromisoformat(value))
        except ValueError:
            raise ValueError(
                f"{value!r} is not a date YYYY-MM-DD between {EARLIEST_DATE} and {LATEST_DATE}"
            ) from None
    return value


class Origin(BaseModel):
    """Where a raw agricultural commodity comes from: the FSMA 204 harvesting and cooling KDEs
    (21 CFR 1.1325) a farm passes on, kept on a lot packed without inputs (initial packing,
    1.1330) or on the receipt of the commodity (`stock.received`). Places and businesses are a
    party's code or name; dates are YYYY-MM-DD, cooled no earlier than harvested."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    commodity_variety: Partner | None = None
    field_name: Partner | None = None
    harvest_date: Annotated[Code | None, AfterValidator(_iso_date)] = None
    cooling_date: Annotated[Code | None, AfterValidator(_iso_date)] = None
    harvester: Partner | None = None
    previous_source: Partner | None = None
    farm: Partner | None = None
    cooling_location: Partner | None = None

    @model_validator(mode="after")
    def _cooled_after_harvest(self) -> Origin:
        if self.harvest_date and self.cooling_date and self.cooling_date < self.harvest_date:
            raise ValueError(f"cooling_date {self.cooling_date} is before harvest_date {self.harvest_date}")
        return self


class PartOfLot(BaseModel):
    """An output of a split or an input of a merge: a lot of the event's item, maybe elsewhere."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
    lot: Code
    qty: Quantity
    location: Code | None = None


class StockReceived(Payload):
    type = EventType.STOCK_RECEIVED
    touches = (Row.LOT, Row.STOCK, Row.TASK_LINE, Row.CONTAINER, Row.SERIAL)
    task: Code | None = None
    line_no: LineNo | None = None
    item: Code
    gtin: Gtin | None = None
    lot: Code
    qty: Quantity
    unit: Unit | None = None
    location: Code
    sscc: Sscc | None = None
    serial: Code | None = None
    expiry: EventDate | None = None
    best_before: EventDate | None = None
    production_date: EventDate | None = None
    supplier: Supplier | None = None
    supplier_lot: Code | None = None
    tlc_source: Partner | None = None  # FSMA 204: the party that assigned the lot code
    tlc_source_reference: Partner | None = None
    lot_status: LotStatus | None = None
    new_lot: bool | None = Field(default=None, strict=True)  # a flag ("this lot is new"), not a lot code
    origin: Origin | None = None  # a raw agricultural commodity's harvest and cooling KDEs


class StockMoved(Payload):
    type = EventType.STOCK_MOVED
    touches = (Row.STOCK,)
    item: Code
    lot: Code
    qty: Quantity
    from_location: Code = Field(alias="from")
    to_location: Code = Field(alias="to")


class StockConsumed(Payload):
    type = EventType.STOCK_CONSUMED
    touches = (Row.STOCK, Row.TASK_LINE)
    task: Code | None = None
    line_no: LineNo | None = None
    item: Code
    gtin: Gtin | None = None
    lot: Code
    qty: Quantity
    unit: Unit | None = None
    location: Code


class LotProduced(Payload):
    type = EventType.LOT_PRODUCED
    touches = (Row.LOT, Row.STOCK, Row.LINKS)
    task: Code | None = None
    item: Code
    gtin: Gtin | None = None
    lot: Code
    qty: Quantity
    unit: Unit | None = None
    location: Code
    expiry: EventDate | None = None
    production_date: EventDate | None = None
    lot_status: LotStatus | None = None
    inputs: list[LotRef] = Field(default_factory=list, max_length=1000)
    origin: Origin | None = None


class StockPicked(Payload):
    type = EventType.STOCK_PICKED
    touches = (Row.STOCK, Row.TASK_LINE)
    task: Code | None = None
    line_no: LineNo | None = None
    item: Code
    gtin: Gtin | None = None
    lot: Code
    qty: Quantity
    unit: Unit | None = None
    from_location: Code = Field(alias="from")
    to_location: Code | None = Field(default=None, alias="to")


class PickShort(Payload):
    type = EventType.PICK_SHORT
    touches = (Row.TASK_LINE,)
    task: Code
    line_no: LineNo
    short_qty: Amount
    reason: Reason


class StockShipped(Payload):
    type = EventType.STOCK_SHIPPED
    touches = (Row.STOCK, Row.TASK_LINE)
    task: Code | None = None
    line_no: LineNo | None = None
    customer: Partner | None = None
    item: Code
    gtin: Gtin | None = None
    lot: Code
    qty: Quantity
    unit: Unit | None = None
    location: Code


class LotStatusChanged(Payload):
    type = EventType.LOT_STATUS_CHANGED
    role = Role.SUPERVISOR
    touches = (Row.LOT,)
    item: Code
    gtin: Gtin | None = None
    lot: Code
    from_status: LotStatus | None = Field(default=None, alias="from")
    to_status: LotStatus = Field(alias="to")
    reason: Reason


class StockCounted(Payload):
    type = EventType.STOCK_COUNTED
    touches = (Row.LOT, Row.STOCK)
    item: Code
    gtin: Gtin | None = None
    lot: Code
    location: Code
    counted: Counted
    previous: Balance | None = None
    lot_status: LotStatus | None = None
    expiry: EventDate | None = None


class LabelRequested(Payload):
    type = EventType.LABEL_REQUESTED
    item: Code
    lot: Code | None = None
    task: Code | None = None
    why: Reason


class LotSplit(Payload):
    """Part of a lot becomes new lots."""

    type = EventType.LOT_SPLIT
    touches = (Row.LOT, Row.STOCK, Row.LINKS)
    task: Code | None = None
    item: Code
    lot: Code
    location: Code
    outputs: list[PartOfLot] = Field(min_length=1, max_length=1000)


class LotMerged(Payload):
    """Several lots of one item become one (`lot`)."""

    type = EventType.LOT_MERGED
    touches = (Row.LOT, Row.STOCK, Row.LINKS)
    task: Code | None = None
    item: Code
    lot: Code
    location: Code
    inputs: list[PartOfLot] = Field(min_length=1, max_length=1000)


class LotRelabelled(Payload):
    """Stock of a lot carries a new lot code from now on (all of it at `location` without qty)."""

    type = EventType.LOT_RELABELLED
    touches = (Row.LOT, Row.STOCK, Row.LINKS)
    task: Code | None = None
    item: Code
    lot: Code
    new_lot: Code
    location: Code
    qty: Quantity | None = None


class PalletBuilt(Payload):
    type = EventType.PALLET_BUILT
    touches = (Row.CONTAINER,)
    task: Code | None = None
    sscc: Sscc
    location: Code | None = None
    contents: list[LotRef] = Field(min_length=1, max_length=1000)


class PalletBroken(Payload):
    type = EventType.PALLET_BROKEN
    touches = (Row.CONTAINER,)
    sscc: Sscc
    location: Code | None = None


VOCABULARY: dict[EventType, type[Payload]] = {
    model.type: model
    for model in (
        StockReceived,
        StockMoved,
        StockConsumed,
        LotProduced,
        StockPicked,
        PickShort,
        StockShipped,
        LotStatusChanged,
        StockCounted,
        LabelRequested,
        LotSplit,
        LotMerged,
        LotRelabelled,
        PalletBuilt,
        PalletBroken,
    )
}
assert set(VOCABULARY) == set(EventType), "every event type has exactly one payload class"


class UnknownEventType(ValueError):
    def __init__(self, name: object):
        known = ", ".join(t.value for t in EventType)
        super().__init__(f"unknown event type {name!r}; known types: {known}")


# By the type's text: looked up for every stored event an export reads, without an enum lookup.
_BY_NAME: dict[str, type[Payload]] = {kind.value: model for kind, model in VOCABULARY.items()}


def payload_class(event_type: str) -> type[Payload]:
    model = _BY_NAME.get(event_type)
    if model is None:
        raise UnknownEventType(event_type)
    return model


def parse_payload(event_type: str, data: dict[str, Any] | Payload) -> Payload:
    """The typed payload of an event; raises UnknownEventType or pydantic's ValidationError."""
    model = payload_class(event_type)
    if type(data) is model:  # the usual case, told without pydantic's ABC isinstance machinery
        return data
    if isinstance(data, model):
        return data
    if isinstance(data, Payload):
        raise ValueError(f"a {type(data).__name__} payload is not a {event_type} payload")
    return model.model_validate(data)


def describe_errors(error: ValidationError) -> str:
    """One sentence naming each wrong field and what is allowed (for refusals and logs)."""
    parts = []
    for problem in error.errors(include_url=False)[:5]:
        where = ".".join(str(p) for p in problem["loc"]) or "payload"
        parts.append(f"{where}: {problem['msg'].removeprefix('Value error, ')}")
    more = error.error_count() - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
