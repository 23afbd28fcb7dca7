"""UPC-E: the 8-digit zero-suppressed UPC, expanded to the UPC-A (and so the GTIN) it stands for.

GS1 General Specifications 5.2.2.4.2 (UPC-E zero suppression): the six data digits between the
number system digit (0 or 1) and the check digit are expanded by the last of them:
0-2 -> manufacturer digits d1 d2 d6 00, item 00 d3 d4 d5; 3 -> d1 d2 d3 00, item 000 d4 d5;
4 -> d1 d2 d3 d4 0, item 0000 d5; 5-9 -> d1..d5, item 0000 d6. The check digit is the UPC-A's.
"""

from __future__ import annotations

from lotscan.codes.linters import csum


def expand_upc_e(digits: str) -> str | None:
    """The 12-digit UPC-A of an 8-digit UPC-E, or None when ``digits`` is not a valid UPC-E.

    >>> expand_upc_e("06543217")
    '065100004327'
    """
    if len(digits) != 8 or not digits.isdigit() or digits[0] not in "01":
        return None
    system, data, check = digits[0], digits[1:7], digits[7]
    last = data[5]
    if last in "012":
        body = data[0:2] + last + "0000" + data[2:5]
    elif last == "3":
        body = data[0:3] + "00000" + data[3:5]
    elif last == "4":
        body = data[0:4] + "00000" + data[4]
    else:
        body = data[0:5] + "0000" + last
    upc_a = system + body + check
    return upc_a if csum(upc_a) is None else None
