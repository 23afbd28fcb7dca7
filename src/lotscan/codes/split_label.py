"""Split labels: the GTIN in one barcode, lot/expiry/serial in another, scanned one after the other.

Many cases carry (01) in an EAN-13 or ITF-14 and (10)/(17)/(21) in a GS1-128 beside it. Each half
alone is incomplete: the lot half breaks the GS1 rule that (10), (17) and (21) need (01) (GS1
General Specifications 4.14, "Mandatory association of element strings"), the GTIN half names
no lot. Scanned within a few seconds, the two are read as one element string, so the
association rules are judged on the pair.
"""

from __future__ import annotations

from lotscan.codes import findings as f
from lotscan.codes.ai_table import GS
from lotscan.codes.scan import Scan, ScanKind


def is_gtin_half(scan: Scan) -> bool:
    """A clean GTIN and nothing else: the product half of a split label."""
    return scan.kind is ScanKind.PRODUCT and scan.ok and set(scan.ais) == {"01"}


def is_lot_half(scan: Scan) -> bool:
    """Lot, dates or serial without a GTIN: the other half."""
    return scan.ok and any(w.code == f.MISSING_GTIN for w in scan.warnings)


def halves_match(first: Scan, second: Scan) -> bool:
    return (is_gtin_half(first) and is_lot_half(second)) or (is_lot_half(first) and is_gtin_half(second))


def paired_element_string(first: Scan, second: Scan) -> str:
    """The element string of both halves, GTIN first, each element closed by GS."""
    gtin_half, lot_half = (first, second) if is_gtin_half(first) else (second, first)
    elements = {"01": gtin_half.ais["01"], **lot_half.ais}
    return "".join(f"{ai}{value}{GS}" for ai, value in elements.items()).rstrip(GS)
