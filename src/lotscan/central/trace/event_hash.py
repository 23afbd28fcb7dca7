"""The EPCIS 2.0 event hash (`ni:///sha-256;<hex>?ver=CBV2.0`), so a trading partner who gets the
same event twice can drop the copy (EPCIS 2.0 section 7.4.1, "eventID"; the algorithm is GS1's
event hash generator, CBV 2.0 section 8.9).

The pre-hash string is `eventType=<type>` followed by the event's fields in the algorithm's fixed
order, each `name=value` with values canonicalised: times in UTC with milliseconds, numbers
without trailing zeros, CBV words as their web vocabulary URIs, EPC URIs as canonical GS1
Digital Link URIs. Lists are sorted; fields outside the fixed order (ilmd, extensions) follow,
sorted. No separators. This module covers every field but sensorElementList (we write none).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

CBV = "https://ref.gs1.org/cbv/"
# Fields whose bare CBV words expand to web vocabulary (the EPCIS JSON-LD context's @vocab).
VOCABULARY = {"bizStep": "BizStep-", "disposition": "Disp-"}
LIST_VOCABULARY = {"bizTransactionList": "BTT-", "sourceList": "SDT-", "destinationList": "SDT-"}
LIST_FIELDS = {
    "bizTransactionList": "bizTransaction",
    "sourceList": "source",
    "destinationList": "destination",
}
QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
IGNORED = ("eventID", "type", "recordTime", "errorDeclaration")
# Fields with a place in the algorithm's order (or ignored); any other is hashed with the rest.
_KNOWN = frozenset({
    "eventTime", "eventTimeZoneOffset", "certificationInfo", "parentID", "epcList", "inputEPCList",
    "childEPCs", "outputEPCList", "action", "transformationID", "persistentDisposition", "readPoint",
    "bizLocation",
    *QUANTITY_LISTS, *VOCABULARY, *LIST_VOCABULARY, *IGNORED,
})  # fmt: skip


def event_hash(event: dict[str, Any], namespaces: dict[str, str] | None = None) -> str:
    """The event's hash id. `namespaces`: the document's extension prefixes (prefix -> URI)."""
    digest = hashlib.sha256(pre_hash(event, namespaces or {}).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def pre_hash(event: dict[str, Any], namespaces: dict[str, str]) -> str:
    parts = ["eventType=" + event["type"]]
    parts.append("eventTime=" + _utc_millis(event["eventTime"]))
    parts.append("eventTimeZoneOffset=" + event["eventTimeZoneOffset"])
    for key in ("certificationInfo", "parentID"):
        parts.append(_field(key, event.get(key)))
    for key in ("epcList", "inputEPCList", "childEPCs"):
        parts.append(_epcs(key, event.get(key)))
    for key in QUANTITY_LISTS[:3]:
        parts.append(_quantities(key, event.get(key)))
    parts.append(_epcs("outputEPCList", event.get("outputEPCList")))
    parts.append(_quantities("outputQuantityList", event.get("outputQuantityList")))
    for key in ("action", "transformationID"):
        parts.append(_field(key, event.get(key)))
    for key, prefix in VOCABULARY.items():
        value = event.get(key)
        parts.append(_field(key, _vocabulary(value, prefix) if value else None))
    parts.append(_persistent(event.get("persistentDisposition")))
    for key in ("readPoint", "bizLocation"):
        place = event.get(key)
        parts.append(f"{key}id={canonical(place['id'])}" if place else "")
    # The generator matches bizTransactionList, sourceList and destinationList to no place in
    # its order, so they are sorted in with the fields outside it (ilmd, extensions).
    rest = [_typed_list(k, event[k], p) for k, p in LIST_VOCABULARY.items() if event.get(k)]
    rest += [_generic([(_name(k, namespaces), v)], namespaces) for k, v in event.items() if k not in _KNOWN]
    parts.append("".join(sorted(rest)))
    return "".join(parts)


def _utc_millis(value: str) -> str:
    at = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    at = at.replace(microsecond=round(at.microsecond, -3) % 1_000_000)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _field(key: str, value: Any) -> str:
    return "" if value is None or value == "" else f"{key}={canonical(value)}"


def _epcs(key: str, epcs: list[str] | None) -> str:
    if not epcs:
        return ""
    return key + "".join(sorted("epc=" + canonical(e) for e in epcs))


def _quantities(key: str, elements: list[dict[str, Any]] | None) -> str:
    if not elements:
        return ""
    texts = []
    for q in elements:
        text = "quantityElement" + _field("epcClass", q.get("epcClass"))
        text += _field("quantity", q.get("quantity")) + _field("uom", q.get("uom"))
        texts.append(text)
    return key + "".join(sorted(texts))


def _vocabulary(value: str, prefix: str) -> str:
    return value if ":" in value else CBV + prefix + value


def _persistent(value: dict[str, list[str]] | None) -> str:
    if not value:
        return ""
    text = ""
    for key in ("set", "unset"):
        text += "".join(sorted(f"{key}={_vocabulary(v, 'Disp-')}" for v in value.get(key, [])))
    return "persistentDisposition" + text if text else ""


def _typed_list(key: str, entries: list[dict[str, str]] | None, prefix: str) -> str:
    """bizTransactionList, sourceList, destinationList: entries sorted, each `type=` (web
    vocabulary) then the value."""
    field = {
        "bizTransactionList": "bizTransaction",
        "sourceList": "source",
        "destinationList": "destination",
    }[key]
    texts = []
    for entry in entries or []:
        text = "type=" + canonical(_vocabulary(entry["type"], prefix)) if "type" in entry else ""
        texts.append(text + f"{field}=" + canonical(entry[field]))
    return key + "".join(sorted(texts))


def _name(key: str, namespaces: dict[str, str]) -> str:
    prefix, _, local = key.partition(":")
    return "{" + namespaces[prefix] + "}" + local if local and prefix in namespaces else key


def _generic(children: list[tuple[str, Any]], namespaces: dict[str, str]) -> str:
    texts = []
    for key, value in children:
        if isinstance(value, dict):
            inner = [(_name(k, namespaces), v) for k, v in value.items()]
            texts.append(key + _generic(inner, namespaces))
        elif isinstance(value, list):
            texts.extend(key + _generic([("", v)], namespaces) for v in value)
        else:
            texts.append(f"{key}={canonical(_value(value, namespaces))}")
    return "".join(sorted(texts) if len(texts) > 1 else texts)


def _value(value: Any, namespaces: dict[str, str]) -> str:
    text = str(value)
    prefix, _, local = text.partition(":")
    return namespaces[prefix] + local if local and prefix in namespaces else text


# --------------------------------------------------------------------------- canonical values

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_LGTIN = re.compile(r"^urn:epc:class:lgtin:(\d{6,12})\.(\d{1,7})\.(.{1,20})$")
_SGLN = re.compile(r"^urn:epc:id:sgln:(\d{6,12})\.(\d{0,6})\.(.{1,20})$")
_PGLN = re.compile(r"^urn:epc:id:pgln:(\d{6,12})\.(\d{0,6})$")
_SSCC = re.compile(r"^urn:epc:id:sscc:(\d{6,12})\.(\d{5,11})$")
_SGTIN = re.compile(r"^urn:epc:id:sgtin:(\d{6,12})\.(\d{1,7})\.(.{1,20})$")
_SGTIN_PATTERN = re.compile(r"^urn:epc:idpat:sgtin:(\d{6,12})\.(\d{1,7})\.\*$")
_DL_ESCAPES = {"!": "%21", "(": "%28", ")": "%29", "*": "%2A", "+": "%2B", ",": "%2C", ":": "%3A"}


def canonical(value: Any) -> str:
    return _canonical(value) if isinstance(value, str | int | float) else _canonical(str(value))


@lru_cache(maxsize=1 << 16)  # an export repeats the same classes, places and words many times
def _canonical(value: str | int | float) -> str:
    """A value as the hash sees it: numbers without trailing zeros, EPC URIs as canonical GS1
    Digital Link URIs (https://id.gs1.org/...), anything else unchanged."""
    text = str(value).strip()
    if _NUMBER.match(text):
        number = float(text)
        return str(int(number)) if number == int(number) else str(number)
    return digital_link(text) or text


def _check_digit(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _dl_escape(text: str) -> str:
    return "".join(_DL_ESCAPES.get(c, c) for c in text)


def digital_link(uri: str) -> str | None:
    """The canonical GS1 Digital Link URI of an SGTIN, LGTIN, SGLN, PGLN or SSCC EPC URI (or an
    SGTIN pattern), else None."""
    if m := _LGTIN.match(uri):
        company, indicator_item, lot = m.groups()
        body = indicator_item[0] + company + indicator_item[1:]
        return f"https://id.gs1.org/01/{body}{_check_digit(body)}/10/{_dl_escape(lot)}"
    if m := _SGTIN.match(uri):
        company, indicator_item, serial = m.groups()
        body = indicator_item[0] + company + indicator_item[1:]
        return f"https://id.gs1.org/01/{body}{_check_digit(body)}/21/{_dl_escape(serial)}"
    if m := _SGTIN_PATTERN.match(uri):
        company, indicator_item = m.groups()
        body = indicator_item[0] + company + indicator_item[1:]
        return f"https://id.gs1.org/01/{body}{_check_digit(body)}"
    if m := _SGLN.match(uri):
        company, location, extension = m.groups()
        gln = company + location
        suffix = "" if extension == "0" else "/254/" + _dl_escape(extension)
        return f"https://id.gs1.org/414/{gln}{_check_digit(gln)}{suffix}"
    if m := _PGLN.match(uri):
        gln = m.group(1) + m.group(2)
        return f"https://id.gs1.org/417/{gln}{_check_digit(gln)}"
    if m := _SSCC.match(uri):
        company, serial = m.groups()
        body = serial[0] + company + serial[1:]
        return f"https://id.gs1.org/00/{body}{_check_digit(body)}"
    return None
