"""Stable finding codes and the sentences a dock worker reads.

Codes are part of the product's vocabulary (UI, logs, JSON, API): never rename one.
"""

from __future__ import annotations

from lotscan.codes.scan import Finding

UNREADABLE = "UNREADABLE"
MALFORMED_GS1 = "MALFORMED_GS1"
UNKNOWN_AI = "UNKNOWN_AI"
BAD_CHARACTER = "BAD_CHARACTER"
WRONG_LENGTH = "WRONG_LENGTH"
BAD_CHECK_DIGIT = "BAD_CHECK_DIGIT"
BAD_DATE = "BAD_DATE"
EXPIRIES_DIFFER = "EXPIRIES_DIFFER"  # (17) and (7003) on one label name different days
INVALID_VALUE = "INVALID_VALUE"
AI_ASSOCIATION = "AI_ASSOCIATION"
AI_REPEATED = "AI_REPEATED"
SUSPICIOUS_LOT = "SUSPICIOUS_LOT"
MISSING_GTIN = "MISSING_GTIN"
BAD_DIGITAL_LINK = "BAD_DIGITAL_LINK"
BAD_EPC = "BAD_EPC"
BAD_INTERNAL_CODE = "BAD_INTERNAL_CODE"
UNKNOWN_FORMAT = "UNKNOWN_FORMAT"

RESCAN = "Scan the label again; if it fails again, set the item aside and call a supervisor."


def finding(code: str, message: str, start: int | None = None, end: int | None = None) -> Finding:
    return Finding(code=code, message=message, start=start, end=end)
