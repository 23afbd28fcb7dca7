"""``interpret(RawScan) -> Scan``: the one entry point for turning any scan into meaning.

Pure and total: no I/O, no clock except ``today`` (read once when not given), and any bytes
give a Scan - problems are reported as findings inside it, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cache

from lotscan.codes import aim
from lotscan.codes import findings as f
from lotscan.codes.ai_table import GS
from lotscan.codes.associations import check_associations
from lotscan.codes.bracketed import looks_bracketed, parse_bracketed
from lotscan.codes.dates import DAY_ZERO_AIS, parse_yymmdd
from lotscan.codes.digital_link import is_digital_link, parse_digital_link
from lotscan.codes.epc import EPC, EPCError, decode_epc, looks_like_epc, looks_like_epc_uri, parse_epc_uri
from lotscan.codes.gs1 import Element, check_element, split_elements
from lotscan.codes.internal import DEFAULT_PREFIXES, match_prefix, parse_internal
from lotscan.codes.linters import csum
from lotscan.codes.normalise import Text, decode_bytes, strip_suffix, substitute_gs
from lotscan.codes.scan import Finding, InternalCode, RawScan, Scan, ScanKind, Source
from lotscan.codes.suspicious import swallowed_split
from lotscan.codes.upc_e import expand_upc_e
from lotscan.domain.units import measure_ai


@dataclass(frozen=True, slots=True)
class InterpretOptions:
    """How to read scans from one device profile."""

    # Strings the device sends in place of GS (0x1D), e.g. "|", "<GS>", "{GS}", "^]".
    gs_substitutes: tuple[str, ...] = ()
    # prefix -> internal code type; see lotscan.codes.internal for the default scheme.
    internal_prefixes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PREFIXES), hash=False)
    # Decode 24/52-digit hex strings with an EPC header as EPCs even when not from RFID.
    detect_epc_hex: bool = True
    # Warn when a lot/serial looks like it swallowed the next element (lost separator).
    flag_suspicious_lots: bool = True


DEFAULT_OPTIONS = InterpretOptions()

_GTIN_SYMBOLOGY = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}
_DATE_FIELDS = {"17": "expiry", "15": "best_before", "11": "production_date"}
_ANY_GTIN = "00000000000000"
# Around a scan, not data: spaces, tabs, line ends, no-break space. GS (0x1D) is data.
BLANKS = " \t\r\n\x0b\x0c\xa0"
_KEY_AIS = frozenset({"00", "01", "02", "253", "255", "401", "402", "414", "417", "8003", "8004"})


def interpret(raw: RawScan, options: InterpretOptions | None = None, *, today: date | None = None) -> Scan:
    """What ``raw`` means. Never raises: problems are findings in the Scan.

    >>> from lotscan.codes.scan import RawScan
    >>> interpret(RawScan(b"]C1010952123454321310LOT7")).lot
    'LOT7'
    >>> interpret(RawScan(b"%%%")).kind.value
    'unknown'
    """
    try:
        return interpret_strict(raw, options, today=today)
    except Exception as exc:  # pragma: no cover - safety net; fuzz tests run the strict path
        return Scan(
            kind=ScanKind.UNKNOWN,
            raw=_lenient_text(raw.data),
            source=raw.source,
            errors=(
                f.finding(
                    f.UNREADABLE,
                    f"This scan could not be interpreted ({type(exc).__name__}). " + f.RESCAN,
                ),
            ),
        )


def interpret_text(
    text: str,
    options: InterpretOptions | None = None,
    *,
    source: Source = Source.KEYBOARD,
    aim_id: str | None = None,
    today: date | None = None,
) -> Scan:
    """Convenience for tests and tools: interpret a str as if a device had sent it.

    >>> from datetime import date
    >>> scan = interpret_text("]C10109521234543213\x1d10ABC123\x1d17261231", today=date(2026, 1, 1))
    >>> scan.kind.value, scan.gtin, scan.lot, scan.expiry
    ('product', '09521234543213', 'ABC123', datetime.date(2026, 12, 31))
    >>> interpret_text("LOC:RM-A01").kind.value
    'location'
    """
    raw = RawScan(data=text.encode("utf-8", errors="surrogatepass"), aim_id=aim_id, source=source)
    return interpret(raw, options, today=today)


def interpret_strict(
    raw: RawScan, options: InterpretOptions | None = None, *, today: date | None = None
) -> Scan:
    """Like ``interpret`` but lets a programming error surface (used by the fuzz tests)."""
    return _Interpreter(raw, options or DEFAULT_OPTIONS, today).run()


class _Interpreter:
    def __init__(self, raw: RawScan, options: InterpretOptions, today: date | None) -> None:
        self.raw_scan = raw
        self.options = options
        self._today = today
        self.raw = ""
        self.symbology: aim.Symbology | None = None
        self.aim_id: str | None = None

    @property
    def today(self) -> date:
        """The day two-digit years are read against: the one given, else the clock's, read
        once and only for a scan that carries a date (most carry none)."""
        if self._today is None:
            self._today = date.today()
        return self._today

    # -- entry -------------------------------------------------------------------------------

    def run(self) -> Scan:
        data = self.raw_scan.data
        text = data if isinstance(data, str) else decode_bytes(bytes(data or b""))
        if text is None:
            self.raw = _lenient_text(data)
            return self._unknown(
                f.UNREADABLE,
                "The scan is not readable text: check the scanner's keyboard layout or "
                "interface setting, then scan again.",
            )
        self.raw = text
        body = strip_suffix(text)
        if not body.strip(BLANKS):
            return self._unknown(f.UNREADABLE, "Nothing was scanned. Scan the label again.")
        # Spaces a wedge or a hand adds around a scan are not data (GS, 0x1D, is kept).
        lead = len(body) - len(body.lstrip(BLANKS))
        body = body.strip(BLANKS)
        offset = self._read_aim(body)
        body = body[offset:]
        offset += lead
        if self.aim_id is not None and self.symbology is None:
            return self._unknown(
                f.UNKNOWN_FORMAT,
                f"The scanner reported an unknown barcode type ({self.aim_id}). "
                "Scan the label again or check the scanner setup.",
                lead if offset > lead else None,
                offset if offset > lead else None,
            )
        if self.raw_scan.source == Source.RFID:
            prefix = match_prefix(body, self.options.internal_prefixes)
            if prefix is not None:  # badge readers may be configured to send "OP:<id>"
                return self._internal(body, offset, prefix)
            return self._epc(body.strip(), offset)
        mode = self.symbology.mode if self.symbology else None
        if mode == aim.Mode.GS1:
            return self._gs1_element_string(body, offset)
        if mode == aim.Mode.EAN:
            return self._ean(body, offset)
        return self._plain(body, offset)

    def _read_aim(self, body: str) -> int:
        given = self.raw_scan.aim_id
        prefix, _ = aim.split_prefix(body)
        if given:
            self.aim_id = given if given.startswith("]") else "]" + given
            self.symbology = aim.lookup(self.aim_id)
            return 3 if prefix == self.aim_id else 0
        if prefix is not None:
            self.aim_id = prefix
            self.symbology = aim.lookup(prefix)
            return 3
        return 0

    # -- carriers ----------------------------------------------------------------------------

    def _plain(self, body: str, offset: int) -> Scan:
        prefix = match_prefix(body, self.options.internal_prefixes)
        if prefix is not None:
            return self._internal(body, offset, prefix)
        if is_digital_link(body):
            return self._digital_link(body, offset)
        if looks_like_epc_uri(body):
            return self._epc_uri(body, offset)
        if self.options.detect_epc_hex and self.symbology is None and looks_like_epc(body):
            return self._epc(body, offset)
        text = substitute_gs(body, offset, self.options.gs_substitutes)
        data = text.text
        if looks_bracketed(data):
            elements, problems = parse_bracketed(data)
            return self._gs1(elements, problems, text, "GS1 (bracketed text)", every_ai_written=True)
        if data.isdigit() and len(data) in (8, 12, 13, 14):
            return self._gtin_digits(data, text)
        if data.isdigit() and len(data) == 18:
            return self._gs1([Element("00", data, 0, 0, 18)], [], text, None)
        if GS in data or data[:2].isdigit():
            elements, problems = split_elements(data)
            if GS in data or (not problems and self._plausible_gs1(elements)):
                return self._gs1(elements, problems, text, None)
        return self._unknown(
            f.UNKNOWN_FORMAT,
            "This barcode is not a GS1 product label, a Digital Link, an RFID tag or one of "
            "our location/order/badge codes. Scan the right barcode on the label.",
            offset,
            len(self.raw.rstrip("\r\n\t")),
        )

    @staticmethod
    def _plausible_gs1(elements: list[Element]) -> bool:
        """Digits without AIM id or GS: GS1 if it starts with a key AI or reads cleanly.

        Keeps a bare part number such as "12345" from being judged as a broken due date.
        """
        if elements[0].ai in _KEY_AIS:
            return True
        return not any(check_element(element) for element in elements)

    def _gs1_element_string(self, body: str, offset: int) -> Scan:
        # A GS1-128/DataBar composite arrives as "linear|]e0component": one message.
        body = body.replace("|]e0", GS)
        text = substitute_gs(body, offset, self.options.gs_substitutes)
        elements, problems = split_elements(text.text)
        return self._gs1(elements, problems, text, None)

    def _ean(self, body: str, offset: int) -> Scan:
        assert self.symbology is not None and self.symbology.digits is not None
        linear, composite = body, ""
        bar = body.find("|")
        if bar != -1:
            linear, composite = body[:bar], body[bar + 1 :]
        text = Text(linear, None, offset)
        size = self.symbology.digits
        upc_a = expand_upc_e(linear) if size == 13 and len(linear) == 8 else None
        if upc_a is not None:  # ]E0 carries UPC-E as its 8 digits (ISO/IEC 15420 annex)
            self.symbology = aim.Symbology(self.symbology.aim_id, "UPC-E", aim.Mode.EAN, 8)
            return self._build([Element("01", upc_a.zfill(14), 0, 0, 8)], [], [], text)
        if len(linear) != size or not linear.isdigit():
            return self._unknown(
                f.WRONG_LENGTH,
                f"An {self.symbology.name} barcode must be {size} digits; this read gave "
                f"{linear!r}. " + f.RESCAN,
                offset,
                offset + max(len(linear), 1),
            )
        if size == 13 and linear[0] == "0":  # a UPC-A is sent as EAN-13 with a leading 0
            self.symbology = aim.Symbology(self.symbology.aim_id, "UPC-A", aim.Mode.EAN, 13)
        elements = [Element("01", linear.zfill(14), 0, 0, size)]
        problems: list[Finding] = []
        if composite:
            composite_offset = offset + bar + 1
            prefix, _rest = aim.split_prefix(composite)
            skip = 3 if prefix == "]e0" else 0
            sub = substitute_gs(composite[skip:], composite_offset + skip, ())
            extra, problems = split_elements(sub.text)
            # Shift composite element spans into linear-text coordinates.
            delta = sub.offset - offset
            elements += [
                Element(e.ai, e.value, e.start + delta, e.value_start + delta, e.end + delta) for e in extra
            ]
        return self._gs1(elements, problems, text, None)

    def _gtin_digits(self, digits: str, text: Text) -> Scan:
        # 8 digits without an AIM id: a UPC-E as printed when it expands to a valid UPC-A and is
        # no valid EAN-8, or starts with 0 (an EAN-8 starting 0 is an in-store RCN-8).
        ean_8_fails = csum(digits) is not None or digits[:1] == "0"
        upc_a = expand_upc_e(digits) if len(digits) == 8 and ean_8_fails else None
        if upc_a is not None and self.symbology is None:
            self.symbology = aim.Symbology("", "UPC-E", aim.Mode.EAN, 8)
            return self._build([Element("01", upc_a.zfill(14), 0, 0, 8)], [], [], text)
        if self.symbology is None:
            name = _GTIN_SYMBOLOGY[len(digits)]
            if len(digits) == 13 and digits[0] == "0":
                name = "UPC-A"
            self.symbology = aim.Symbology("", name, aim.Mode.EAN, len(digits))
        element = Element("01", digits.zfill(14), 0, 0, len(digits))
        problems = []
        if csum(digits) is not None:
            start, end = text.raw_span(len(digits) - 1, len(digits))
            problems.append(
                f.finding(
                    f.BAD_CHECK_DIGIT,
                    f"GTIN {digits} has a wrong check digit: the label is misprinted or was "
                    "misread. " + f.RESCAN,
                    start,
                    end,
                )
            )
        return self._build([element], problems, [], text)

    def _digital_link(self, body: str, offset: int) -> Scan:
        text = Text(body, None, offset)
        elements, problems = parse_digital_link(body)
        if self.symbology is None:
            self.symbology = aim.Symbology("", "GS1 Digital Link", aim.Mode.PLAIN)
        return self._gs1(elements, problems, text, None, every_ai_written=True)

    def _epc(self, body: str, offset: int) -> Scan:
        try:
            epc = decode_epc(body)
        except EPCError as exc:
            return self._unknown(
                f.BAD_EPC,
                f"This RFID tag cannot be read as a GS1 EPC: {exc}. Read the tag again or "
                "scan the barcode on the label.",
                offset,
                offset + max(len(body), 1),
            )
        return self._epc_scan(epc, body, offset)

    def _epc_uri(self, body: str, offset: int) -> Scan:
        try:
            epc = parse_epc_uri(body)
        except EPCError as exc:
            return self._unknown(
                f.BAD_EPC,
                f"This EPC URI cannot be read: {exc}. Scan the barcode on the label instead.",
                offset,
                offset + max(len(body), 1),
            )
        return self._epc_scan(epc, body, offset)

    def _epc_scan(self, epc: EPC, body: str, offset: int) -> Scan:
        self.symbology = aim.Symbology("", "EPC", aim.Mode.PLAIN)
        text = Text(body, None, offset)
        elements = [Element(ai, value, 0, 0, len(body)) for ai, value in epc.ais]
        scan = self._build(elements, [], [], text)
        return _replace(scan, kind=ScanKind.EPC, epc_uri=epc.uri)

    def _internal(self, body: str, offset: int, prefix: str) -> Scan:
        prefixes = self.options.internal_prefixes
        code, kind, well_formed = parse_internal(body, prefix, prefixes)
        errors: tuple[Finding, ...] = ()
        if not well_formed:
            errors = (
                f.finding(
                    f.BAD_INTERNAL_CODE,
                    f"This {code.type.replace('_', ' ')} code has no valid identifier after "
                    f"'{prefix}' (1-40 characters, no spaces). Scan the right code or ask a "
                    "supervisor to reprint it.",
                    offset + len(prefix),
                    offset + max(len(body), len(prefix) + 1),
                ),
            )
        return Scan(
            kind=kind,
            raw=self.raw,
            source=self.raw_scan.source,
            symbology="internal",
            aim_id=self.aim_id,
            internal=InternalCode(code.type, code.value),
            errors=errors,
        )

    # -- GS1 data ----------------------------------------------------------------------------

    def _gs1(
        self,
        elements: list[Element],
        problems: list[Finding],
        text: Text,
        name: str | None,
        *,
        every_ai_written: bool = False,
    ) -> Scan:
        """``every_ai_written``: each element is named in the text (bracketed, Digital Link), so
        no separator can have been lost and no lot is suspected of swallowing (tester tz, Z10)."""
        if self.symbology is None:
            self.symbology = _gs1_symbology(name or "GS1")
        errors = [_moved(p, text) for p in problems]
        for element in elements:
            found = check_element(element)
            if found:
                errors.extend(_moved(p, text) for p in found)
        warnings: list[Finding] = []
        if not problems:
            associations = check_associations(elements)
            if associations and _only_gtin_missing(elements):
                warnings.append(_missing_gtin(elements, text))
            else:
                errors.extend(_moved(p, text) for p in associations)
        if self.options.flag_suspicious_lots and not every_ai_written:
            warnings.extend(self._suspicious(elements, text))
        return self._build(elements, errors, warnings, text)

    def _suspicious(self, elements: list[Element], text: Text) -> list[Finding]:
        warnings = []
        carried = {element.ai for element in elements}
        for element in elements:
            split = swallowed_split(element, carried - {element.ai})
            if split is None:
                continue
            true_value, swallowed = split
            described = ", ".join(f"({e.ai}) {self._describe(e)}" for e in swallowed)
            what = "lot" if element.ai == "10" else f"({element.ai}) value"
            start, end = text.raw_span(element.value_start + len(true_value), element.end)
            warnings.append(
                f.finding(
                    f.SUSPICIOUS_LOT,
                    f"The {what} '{element.value}' probably lost a GS separator: it looks like "
                    f"'{true_value}' followed by {described}. Check the lot printed on the "
                    "label; if it differs, fix the scanner's GS setting.",
                    start,
                    end,
                )
            )
        return warnings

    def _describe(self, element: Element) -> str:
        if element.ai in DAY_ZERO_AIS:
            parsed = parse_yymmdd(element.value, self.today, day_zero=True)
            return parsed.isoformat() if parsed else element.value
        return element.value

    def _build(
        self,
        elements: list[Element],
        errors: list[Finding],
        warnings: list[Finding],
        text: Text,
    ) -> Scan:
        ais: dict[str, str] = {}
        for element in elements:
            ais.setdefault(element.ai, element.value)
        dates = {
            name: parse_yymmdd(ais[ai], self.today, day_zero=True) if ai in ais else None
            for ai, name in _DATE_FIELDS.items()
        }
        dates["expiry"] = self._expiry_with_time(ais, dates["expiry"], warnings)
        gtin = ais.get("01") or ais.get("02")
        sscc = ais.get("00")
        gln = ais.get("414")
        if sscc:
            kind = ScanKind.PALLET
        elif gtin:
            kind = ScanKind.PRODUCT
        elif gln:
            kind = ScanKind.LOCATION
        else:
            kind = ScanKind.UNKNOWN
        return Scan(
            kind=kind,
            raw=self.raw,
            source=self.raw_scan.source,
            symbology=self.symbology.name if self.symbology else None,
            aim_id=self.aim_id,
            gtin=gtin,
            lot=ais.get("10"),
            expiry=dates["expiry"],
            best_before=dates["best_before"],
            production_date=dates["production_date"],
            serial=ais.get("21"),
            sscc=sscc,
            gln=gln,
            quantity=_quantity(ais),
            ais=ais,
            errors=tuple(_dedupe(errors)) if errors else (),
            warnings=tuple(warnings),
        )

    def _expiry_with_time(
        self, ais: dict[str, str], expiry: date | None, warnings: list[Finding]
    ) -> date | None:
        """The expiry of a label with AI (7003), expiration date and time (GS1 General
        Specifications 3.8.x, YYMMDDhhmm, no day 00): its day, the lot's expiry (a lot's expiry
        is a day here; the time is shown by `lotscan parse`). A label whose (17) names another
        day says so, and the earlier day is the expiry (tester W16)."""
        value = ais.get("7003", "")
        day = parse_yymmdd(value[:6], self.today, day_zero=False) if len(value) == 10 else None
        if day is None or expiry == day:
            return expiry
        if expiry is None:
            return day
        warnings.append(
            f.finding(
                f.EXPIRIES_DIFFER,
                f"The label's expiry (17) {expiry.isoformat()} and expiry date and time (7003) "
                f"{day.isoformat()} differ: the earlier, {min(expiry, day).isoformat()}, is taken. "
                "Check the label and tell a supervisor.",
            )
        )
        return min(expiry, day)

    def _unknown(self, code: str, message: str, start: int | None = None, end: int | None = None) -> Scan:
        return Scan(
            kind=ScanKind.UNKNOWN,
            raw=self.raw,
            source=self.raw_scan.source,
            symbology=self.symbology.name if self.symbology else None,
            aim_id=self.aim_id,
            errors=(f.finding(code, message, start, end),),
        )


@cache
def _gs1_symbology(name: str) -> aim.Symbology:
    """A GS1 reading without an AIM id, named by how it was written ("GS1", bracketed text)."""
    return aim.Symbology("", name, aim.Mode.GS1)


def _only_gtin_missing(elements: list[Element]) -> bool:
    """True when a GTIN is all the message lacks: one half of a split label (lot and expiry in
    one barcode, the GTIN in another), which the station pairs with the other half."""
    if any(element.ai in _KEY_AIS for element in elements):
        return False
    return not check_associations([Element("01", _ANY_GTIN, 0, 0, 0), *elements])


def _missing_gtin(elements: list[Element], text: Text) -> Finding:
    start, end = text.raw_span(elements[0].start, elements[-1].end)
    return f.finding(
        f.MISSING_GTIN,
        "This barcode has no GTIN (01): its product is in another barcode of the same label. "
        "Scan that barcode too.",
        start,
        end,
    )


def _lenient_text(data: object) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data).decode("utf-8", errors="replace")
    return ""


def _quantity(ais: dict[str, str]) -> Decimal | None:
    for ai in ("30", "37"):
        value = ais.get(ai)
        if value and value.isdigit():
            return Decimal(int(value))
    for ai, value in ais.items():
        if measure_ai(ai) and value.isdigit():  # a trade measure: 310n kg, 320n lb, 315n l, ...
            return Decimal(int(value)).scaleb(-int(ai[3]))
    return None


def _moved(problem: Finding, text: Text) -> Finding:
    start, end = text.raw_span(problem.start, problem.end)
    return Finding(problem.code, problem.message, start, end)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in findings:
        key = (item.code, item.message)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _replace(scan: Scan, **changes: object) -> Scan:
    return replace(scan, **changes)  # type: ignore[arg-type]


__all__ = ["DEFAULT_OPTIONS", "InterpretOptions", "interpret", "interpret_strict", "interpret_text"]
