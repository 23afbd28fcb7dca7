"""A human explanation of a Scan: what was read, field by field, and what is wrong where.

Returns plain data (no colours, no terminal): the CLI and the station UI style it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lotscan.codes.ai_table import find_ai
from lotscan.codes.dates import DAY_ZERO_AIS, parse_yymmdd
from lotscan.codes.scan import Finding, Scan

_VISIBLE = {"\x1d": "<GS>", "\r": "<CR>", "\n": "<LF>", "\t": "<TAB>", "\x1e": "<RS>"}
_MEASURE_UNITS = {
    "310": "kg", "311": "m", "312": "m", "313": "m", "314": "m²", "315": "l", "316": "m³",
    "320": "lb", "330": "kg", "340": "lb",
}  # fmt: skip
_DATE_AIS = frozenset({"11", "12", "13", "15", "16", "17", "7006"})


@dataclass(frozen=True, slots=True)
class FieldLine:
    ai: str
    title: str
    value: str
    meaning: str | None


@dataclass(frozen=True, slots=True)
class FindingLine:
    severity: str  # error | warning
    code: str
    message: str
    shown_raw: str | None  # the raw scan with control characters made visible
    marker: str | None  # spaces and carets under the offending characters


@dataclass(frozen=True, slots=True)
class Explanation:
    summary: list[tuple[str, str]]  # (label, value)
    fields: list[FieldLine]
    findings: list[FindingLine]


def ai_title(ai: str) -> str:
    """A readable title: biip's description where it has one, else the GS1 data title."""
    try:
        from biip.gs1_application_identifiers import GS1ApplicationIdentifier

        return GS1ApplicationIdentifier.extract(ai).description
    except Exception:  # biip raises ParseError for AIs newer than its table
        definition = find_ai(ai)
        return definition.title if definition else "unknown AI"


def meaning(ai: str, value: str, today: date) -> str | None:
    if ai in _DATE_AIS and len(value) == 6:
        parsed = parse_yymmdd(value, today, day_zero=ai in DAY_ZERO_AIS)
        if parsed is None:
            return "not a valid date"
        note = " (day 00: last day of the month)" if value.endswith("00") else ""
        return parsed.isoformat() + note
    if ai == "7003" and len(value) == 10:  # expiration date and time, YYMMDDhhmm (no day 00)
        day = parse_yymmdd(value[:6], today, day_zero=False)
        hour, minute = value[6:8], value[8:10]
        if day is None or not value[6:].isdigit() or int(hour) > 23 or int(minute) > 59:
            return "not a valid date and time"
        return f"{day.isoformat()} {hour}:{minute}"
    unit = _MEASURE_UNITS.get(ai[:3])
    if unit and len(ai) == 4 and value.isdigit():
        decimals = int(ai[3])
        number = int(value) / 10**decimals
        return f"{number:.{decimals}f} {unit}"
    if ai in ("01", "02") and len(value) == 14:
        digits = value.lstrip("0")
        size = next((n for n in (8, 12, 13) if len(digits) <= n), 14)
        return f"GTIN-{size} {value[-size:]}"
    return None


def show_raw(raw: str) -> tuple[str, list[int]]:
    """``raw`` with control characters made visible, and where each raw char starts in it."""
    pieces: list[str] = []
    starts: list[int] = []
    position = 0
    for char in raw:
        shown = _VISIBLE.get(char) or (char if char.isprintable() else f"<x{ord(char):02X}>")
        starts.append(position)
        pieces.append(shown)
        position += len(shown)
    starts.append(position)
    return "".join(pieces), starts


def _marker(raw: str, item: Finding) -> tuple[str | None, str | None]:
    if item.start is None or not raw:
        return None, None
    shown, starts = show_raw(raw)
    start = min(max(item.start, 0), len(raw))
    end = min(max(item.end if item.end is not None else start + 1, start + 1), len(raw))
    if start >= len(raw):
        return shown, " " * len(shown) + "^"
    return shown, " " * starts[start] + "^" * max(starts[end] - starts[start], 1)


def explain(scan: Scan, today: date | None = None) -> Explanation:
    today = today or date.today()
    summary = [("Symbology", scan.symbology or "not recognised")]
    if scan.aim_id:
        summary.append(("AIM id", scan.aim_id))
    summary.append(("Kind", scan.kind.value))
    if scan.internal:
        summary.append(("Code", f"{scan.internal.type.replace('_', ' ')} {scan.internal.value}"))
    if scan.epc_uri:
        scheme = scan.epc_uri.removeprefix("urn:epc:id:").split(":")[0].upper()
        summary.append(("EPC scheme", scheme))
        summary.append(("EPC URI", scan.epc_uri))
    fields = [FieldLine(ai, ai_title(ai), value, meaning(ai, value, today)) for ai, value in scan.ais.items()]
    findings = []
    for severity, items in (("error", scan.errors), ("warning", scan.warnings)):
        for item in items:
            shown, marker = _marker(scan.raw, item)
            findings.append(FindingLine(severity, item.code, item.message, shown, marker))
    return Explanation(summary, fields, findings)
