"""GS1 Digital Link URIs: ``https://host/[stem/]01/<gtin>/10/<lot>?17=<date>``, and compressed
ones (``https://host/ARHKVAdpQg``, decompressed by ``lotscan.codes.dl_compression``).

The path holds one primary key and its qualifiers in their defined order; the query holds
further data attributes. Unknown non-numeric query parameters are ignored, as the standard
says. Policy choices (the standard lets a decoder choose): convenience names such as ``gtin``
and ``ser`` are accepted, and a GTIN-8/12/13 in AI 01 is padded to 14 digits.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from lotscan.codes import findings as f
from lotscan.codes.ai_table import find_ai
from lotscan.codes.dl_compression import CompressionError, decompress, looks_compressed
from lotscan.codes.gs1 import Element
from lotscan.codes.scan import Finding

SCHEMES = ("http://", "https://", "HTTP://", "HTTPS://")

# primary key -> allowed qualifier sequences (GS1 Digital Link standard, table 5.1)
PRIMARY_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "00": ((),),
    "01": (("22", "10", "21"), ("235",)),
    "253": ((),),
    "255": ((),),
    "401": ((),),
    "402": ((),),
    "414": (("254",), ("7040",)),
    "415": (("8020",),),
    "417": (("7040",),),
    "8003": ((),),
    "8004": (("7040",),),
    "8006": (("22", "10", "21"),),
    "8010": (("8011",),),
    "8013": ((),),
    "8017": (("8019",),),
    "8018": (("8019",),),
}

CONVENIENCE_NAMES = {
    "gtin": "01", "itip": "8006", "cpv": "22", "lot": "10", "ser": "21", "sscc": "00",
    "gln": "414", "glnx": "254", "party": "417", "gdti": "253", "gcn": "255", "ginc": "401",
    "gsin": "402", "grai": "8003", "giai": "8004", "cpid": "8010", "cpsn": "8011",
    "gmn": "8013", "gsrnp": "8017", "gsrn": "8018", "srin": "8019", "tpx": "235",
}  # fmt: skip

# Characters that may not appear in a URI at all (RFC 3986), plus controls and non-ASCII.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(:[0-9]{1,5})?")


def is_digital_link(text: str) -> bool:
    return text.startswith(SCHEMES)


def parse_digital_link(uri: str) -> tuple[list[Element], list[Finding]]:
    """Elements (path first, then query, in order) with spans into ``uri``; or findings.

    >>> elements, findings = parse_digital_link("https://id.example.com/01/09521234543213/10/ABC?17=261231")
    >>> [(e.ai, e.value) for e in elements], findings
    ([('01', '09521234543213'), ('10', 'ABC'), ('17', '261231')], [])
    """
    scheme = next((s for s in SCHEMES if uri.startswith(s)), None)
    if scheme is None:
        return [], [_bad("it must start with http:// or https://", 0, min(len(uri), 8))]
    if _URI_CHARS.fullmatch(uri) is None:
        bad = next(i for i, c in enumerate(uri) if _URI_CHARS.fullmatch(c) is None)
        return [], [_bad(f"the character {uri[bad]!r} is not allowed in a web address", bad)]
    rest_start = len(scheme)
    end = len(uri)
    fragment = uri.find("#", rest_start)
    if fragment != -1:
        end = fragment
    query_at = uri.find("?", rest_start, end)
    path_end = end if query_at == -1 else query_at
    slash = uri.find("/", rest_start, path_end)
    host_end = path_end if slash == -1 else slash
    if not _HOST.fullmatch(uri[rest_start:host_end]):
        return [], [_bad("the web address has no valid host name", rest_start, host_end)]
    if slash == -1:
        return [], [_bad("it has no GS1 key in its path", rest_start, end)]
    segments = _segments(uri, slash, path_end)
    if any(not text for text, _, _ in segments):
        return [], [_bad("its path has an empty part", slash, path_end)]
    path, qualifiers, key_findings = _path_elements(segments)
    if key_findings:
        path, compressed_findings = _compressed_elements(segments)
        if compressed_findings:
            return [], compressed_findings
        qualifiers = []
    query: list[Element] = []
    if query_at != -1:
        query, query_findings = _query_elements(uri, query_at + 1, end, set(qualifiers))
        if query_findings:
            return [], query_findings
    elements = path + query
    seen: set[str] = set()
    for element in elements:
        if element.ai in seen:
            return [], [_bad(f"AI ({element.ai}) appears twice", element.start, element.end, f.AI_REPEATED)]
        seen.add(element.ai)
    return elements, []


def _segments(uri: str, start: int, end: int) -> list[tuple[str, int, int]]:
    segments: list[tuple[str, int, int]] = []
    position = start + 1
    while position <= end:
        stop = uri.find("/", position, end)
        stop = end if stop == -1 else stop
        segments.append((uri[position:stop], position, stop))
        position = stop + 1
    return segments


def _path_ai(name: str) -> str:
    return CONVENIENCE_NAMES.get(name, name)


def _path_elements(
    segments: list[tuple[str, int, int]],
) -> tuple[list[Element], list[str], list[Finding]]:
    """The key and qualifier elements and the qualifiers the path allows; or findings."""
    count = len(segments)
    for first in range(count % 2, count - 1, 2):
        key = _path_ai(segments[first][0])
        alternatives = PRIMARY_KEYS.get(key)
        if alternatives is None:
            continue
        qualifiers = [_path_ai(segments[i][0]) for i in range(first + 2, count, 2)]
        matching = [allowed for allowed in alternatives if _in_order(qualifiers, allowed)]
        if not matching:
            continue
        elements = []
        for index in range(first, count, 2):
            ai = _path_ai(segments[index][0])
            text, value_start, value_end = segments[index + 1]
            value = _normalise_value(ai, unquote(text))
            elements.append(Element(ai, value, segments[index][1], value_start, value_end))
        return elements, [q for allowed in matching for q in allowed], []
    start = segments[0][1] if segments else 0
    end = segments[-1][2] if segments else 0
    return [], [], [_bad("its path has no GS1 key with valid qualifiers", start, end)]


def _compressed_elements(segments: list[tuple[str, int, int]]) -> tuple[list[Element], list[Finding]]:
    """Elements of a compressed path (GS1 Digital Link 1.2 compression): the last segment
    compressed, after an uncompressed primary key and value when partially compressed.
    Non-GS1 parameters inside it are ignored, as in the query string."""
    text, start, end = segments[-1]
    if not looks_compressed(text):
        return [], [_bad("its path has no GS1 key with valid qualifiers", segments[0][1], end)]
    try:
        pairs = decompress(text)
    except CompressionError as exc:
        why = f"its path has no GS1 key, and its last part is not compressed GS1 data either ({exc})"
        return [], [_bad(why, start, end)]
    elements: list[Element] = []
    if len(segments) >= 3 and _path_ai(segments[-3][0]) in PRIMARY_KEYS:
        key = _path_ai(segments[-3][0])
        value_text, value_start, value_end = segments[-2]
        value = _normalise_value(key, unquote(value_text))
        elements.append(Element(key, value, segments[-3][1], value_start, value_end))
    elements += [
        Element(ai, _normalise_value(ai, value), start, start, end) for ai, value in pairs if ai.isdigit()
    ]
    if not any(element.ai in PRIMARY_KEYS for element in elements):
        return [], [_bad("its compressed data holds no GS1 key (such as a GTIN)", start, end)]
    return elements, []


def _in_order(qualifiers: list[str], allowed: tuple[str, ...]) -> bool:
    position = 0
    for qualifier in qualifiers:
        try:
            position = allowed.index(qualifier, position) + 1
        except ValueError:
            return False
    return True


def _query_elements(
    uri: str, start: int, end: int, qualifiers: set[str]
) -> tuple[list[Element], list[Finding]]:
    elements: list[Element] = []
    position = start
    while position <= end:
        stop = uri.find("&", position, end)
        stop = end if stop == -1 else stop
        pair = uri[position:stop]
        name, equals, text = pair.partition("=")
        if equals and name.isdigit():
            definition = find_ai(name)
            if definition is None or definition.ai != name:
                return [], [_bad(f"({name}) is not a GS1 AI", position, stop, f.UNKNOWN_AI)]
            if name in qualifiers:
                return [], [_bad(f"({name}) belongs in the path, not the query", position, stop)]
            if not definition.dl_attribute:
                return [], [_bad(f"({name}) is not allowed in a Digital Link", position, stop)]
            if not text:
                return [], [_bad(f"({name}) has no value", position, stop)]
            value = _normalise_value(name, unquote(text.replace("+", " ")))
            elements.append(Element(name, value, position, position + len(name) + 1, stop))
        position = stop + 1
    return elements, []


def _normalise_value(ai: str, value: str) -> str:
    if ai == "01" and len(value) in (8, 12, 13) and value.isdigit():
        return value.zfill(14)
    return value


def _bad(why: str, start: int, end: int | None = None, code: str = f.BAD_DIGITAL_LINK) -> Finding:
    return f.finding(
        code,
        f"This GS1 Digital Link (web address) is not valid: {why}. " + f.RESCAN,
        start,
        end if end is not None and end > start else start + 1,
    )
