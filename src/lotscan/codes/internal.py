"""Our own codes for locations, orders and badges: ``PREFIX + identifier``.

Default scheme (configurable through ``InterpretOptions.internal_prefixes``):

=========  ==========  ===========
prefix     type        Scan kind
=========  ==========  ===========
``LOC:``   location    location
``WO:``    work_order  order
``ASN:``   asn         order
``PO:``    po          order
``PL:``    pick_list   order
``SHP:``   shipment    order
``OP:``    operator    operator
=========  ==========  ===========

Prefixes match case-insensitively; the identifier keeps its case. Identifiers are 1-40
printable ASCII characters without spaces.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from lotscan.codes.scan import InternalCode, ScanKind

DEFAULT_PREFIXES = MappingProxyType(
    {
        "LOC:": "location",
        "WO:": "work_order",
        "ASN:": "asn",
        "PO:": "po",
        "PL:": "pick_list",
        "SHP:": "shipment",
        "OP:": "operator",
    }
)

KIND_OF_TYPE = {
    "location": ScanKind.LOCATION,
    "work_order": ScanKind.ORDER,
    "asn": ScanKind.ORDER,
    "po": ScanKind.ORDER,
    "pick_list": ScanKind.ORDER,
    "shipment": ScanKind.ORDER,
    "operator": ScanKind.OPERATOR,
}

_IDENTIFIER = re.compile(r"[!-~]{1,40}")


def match_prefix(text: str, prefixes: dict[str, str] | MappingProxyType[str, str]) -> str | None:
    """The prefix ``text`` starts with (longest wins), or None."""
    upper = text[:8].upper()
    best: str | None = None
    for prefix in prefixes:
        if upper.startswith(prefix.upper()) and (best is None or len(prefix) > len(best)):
            best = prefix
    return best


def strip_internal_prefix(
    text: str, prefixes: dict[str, str] | MappingProxyType[str, str], types: set[str]
) -> str:
    """``text`` without its internal-code prefix when that prefix is one of ``types``
    ("OP:1001" -> "1001" for {"operator"}); typed values without a prefix pass unchanged."""
    prefix = match_prefix(text, prefixes)
    if prefix is not None and prefixes[prefix] in types:
        return text[len(prefix) :]
    return text


def parse_internal(
    text: str, prefix: str, prefixes: dict[str, str] | MappingProxyType[str, str]
) -> tuple[InternalCode, ScanKind, bool]:
    """The code, its kind, and whether the identifier is well formed.

    >>> parse_internal("LOC:RM-A01", "LOC:", DEFAULT_PREFIXES)
    (InternalCode(type='location', value='RM-A01'), <ScanKind.LOCATION: 'location'>, True)
    """
    code_type = prefixes[prefix]
    identifier = text[len(prefix) :]
    kind = KIND_OF_TYPE.get(code_type, ScanKind.UNKNOWN)
    return InternalCode(code_type, identifier), kind, bool(_IDENTIFIER.fullmatch(identifier))
