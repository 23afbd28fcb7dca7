"""The two values every reader and every workflow share: RawScan in, Scan out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    KEYBOARD = "keyboard"
    SERIAL = "serial"
    CAMERA = "camera"
    RFID = "rfid"


class ScanKind(StrEnum):
    PRODUCT = "product"
    PALLET = "pallet"
    LOCATION = "location"
    ORDER = "order"
    OPERATOR = "operator"
    EPC = "epc"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RawScan:
    """Bytes exactly as a device delivered them, before any interpretation."""

    data: bytes
    aim_id: str | None = None
    source: Source = Source.KEYBOARD
    device_id: str | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Finding:
    """An error or warning found while interpreting a scan.

    ``start``/``end`` index into ``Scan.raw`` so a display can mark the offending characters.
    """

    code: str
    message: str
    start: int | None = None
    end: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class InternalCode:
    """A code of our own scheme: a location, work order, ASN, PO, pick list, shipment or badge."""

    type: str  # location | work_order | asn | po | pick_list | shipment | operator
    value: str


@dataclass(frozen=True, slots=True)
class Scan:
    """What a scan means. Built by ``lotscan.codes.interpret``; never raises, errors inside."""

    kind: ScanKind
    raw: str
    source: Source = Source.KEYBOARD
    symbology: str | None = None
    aim_id: str | None = None
    gtin: str | None = None
    lot: str | None = None
    expiry: date | None = None
    best_before: date | None = None
    production_date: date | None = None
    serial: str | None = None
    sscc: str | None = None
    gln: str | None = None
    quantity: Decimal | None = None
    epc_uri: str | None = None
    internal: InternalCode | None = None
    ais: dict[str, str] = field(default_factory=dict)
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def quantity_is_count(self) -> bool:
        """The quantity counts trade units (AI 30 or 37), not a measure such as AI 310n kg."""
        return self.quantity is not None and ("30" in self.ais or "37" in self.ais)

    def to_json(self) -> dict[str, Any]:
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "kind": self.kind.value,
            "symbology": self.symbology,
            "gtin": self.gtin,
            "lot": self.lot,
            "expiry": iso(self.expiry),
            "best_before": iso(self.best_before),
            "production_date": iso(self.production_date),
            "serial": self.serial,
            "sscc": self.sscc,
            "gln": self.gln,
            "quantity": _number(self.quantity),
            "epc_uri": self.epc_uri,
            "internal": (
                {"type": self.internal.type, "value": self.internal.value} if self.internal else None
            ),
            "raw": self.raw,
            "ais": dict(self.ais),
            "errors": [f.to_json() for f in self.errors],
            "warnings": [f.to_json() for f in self.warnings],
        }


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
