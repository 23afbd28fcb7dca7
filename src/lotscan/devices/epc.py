"""EPC meaning comes from the interpretation layer; this is the thin bridge devices use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lotscan.codes.scan import RawScan, Source


@dataclass(frozen=True, slots=True)
class EpcMeaning:
    gtin: str | None
    epc_uri: str | None
    serial: str | None


@lru_cache(maxsize=65_536)
def epc_meaning(epc_hex: str) -> EpcMeaning:
    from lotscan.codes.interpret import interpret  # the codes layer, loaded only when needed

    scan = interpret(RawScan(data=epc_hex.encode("ascii"), source=Source.RFID))
    return EpcMeaning(scan.gtin, scan.epc_uri, scan.serial)
