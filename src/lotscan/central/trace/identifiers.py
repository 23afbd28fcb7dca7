"""EPC pure-identity and class URIs (GS1 Tag Data Standard) for the EPCIS export, and their
checks: the EPCIS JSON schema only asks for "a URI", so a malformed LGTIN would pass it.

Splitting a GTIN or GLN into company prefix and reference needs the GS1 company prefix length,
which the key itself does not say; it is a setting (--gcp-length, 6 to 12 digits).
"""

from __future__ import annotations

import re
from urllib.parse import quote

# TDS 2.0 section 7.1: characters allowed in a lot (AI 10) or serial, GS1 AI encodable set 82;
# these must be %-escaped in an EPC URI.
_ESCAPED = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
_LGTIN = re.compile(
    r"^urn:epc:class:lgtin:(\d{6,12})\.(\d{1,7})\.((?:[!'()*+,\-.0-9:;=A-Z_a-z]|%[0-9A-F]{2}){1,60})$"
)
_SGLN = re.compile(r"^urn:epc:id:sgln:(\d{6,12})\.(\d{0,6})\.([!'()*+,\-.0-9:;=A-Z_a-z%]{1,20})$")
_SSCC = re.compile(r"^urn:epc:id:sscc:(\d{6,12})\.(\d{5,11})$")


class IdentifierError(ValueError):
    pass


def check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def _checked_key(key: str, length: int, what: str) -> str:
    if not re.fullmatch(rf"\d{{{length}}}", key or ""):
        raise IdentifierError(f"{what} {key!r} is not {length} digits")
    if check_digit(key[:-1]) != key[-1]:
        raise IdentifierError(f"{what} {key!r} has a wrong check digit")
    return key


def _gcp(gcp_length: int) -> None:
    if not 6 <= gcp_length <= 12:
        raise IdentifierError(f"a GS1 company prefix has 6 to 12 digits, not {gcp_length}")


def escape_lot(lot: str) -> str:
    if not _CSET82.match(lot):
        raise IdentifierError(f"lot {lot!r} is not 1-20 characters of the GS1 AI character set 82")
    return "".join(_ESCAPED.get(c, c) for c in lot)


def lgtin(gtin: str, lot: str, gcp_length: int) -> str:
    _gcp(gcp_length)
    gtin = _checked_key(gtin.zfill(14), 14, "GTIN")
    indicator, company, item = gtin[0], gtin[1 : 1 + gcp_length], gtin[1 + gcp_length : 13]
    return f"urn:epc:class:lgtin:{company}.{indicator}{item}.{escape_lot(lot)}"


def sgln(gln: str, gcp_length: int, extension: str = "0") -> str:
    _gcp(gcp_length)
    gln = _checked_key(gln, 13, "GLN")
    return f"urn:epc:id:sgln:{gln[:gcp_length]}.{gln[gcp_length:12]}.{extension}"


def sscc(code: str, gcp_length: int) -> str:
    _gcp(gcp_length)
    code = _checked_key(code, 18, "SSCC")
    return f"urn:epc:id:sscc:{code[1 : 1 + gcp_length]}.{code[0]}{code[1 + gcp_length : 17]}"


def private(kind: str, *parts: str) -> str:
    """Our own URN for things without a GS1 key (a location without GLN, a customer, a document)."""
    return f"urn:lotscan:{kind}:" + ":".join(quote(p, safe="") for p in parts)


def check_epc_uri(uri: str) -> None:
    """Raise IdentifierError unless `uri` is a well-formed LGTIN, SGLN or SSCC URI (or one of ours):
    digits split as TDS says (the URI carries no check digit), the lot escaped as TDS requires."""
    if uri.startswith("urn:lotscan:"):
        return
    if m := _LGTIN.match(uri):
        company, indicator_item = m.group(1), m.group(2)
        if len(company) + len(indicator_item) != 13:
            raise IdentifierError(f"{uri}: company prefix and item reference must have 13 digits together")
        lot = re.sub(r"%([0-9A-F]{2})", lambda h: chr(int(h.group(1), 16)), m.group(3))
        escape_lot(lot)
        if uri.split(".", 2)[2] != escape_lot(lot):
            raise IdentifierError(f"{uri}: lot is not escaped as TDS requires")
        return
    if m := _SGLN.match(uri):
        if len(m.group(1)) + len(m.group(2)) != 12:
            raise IdentifierError(
                f"{uri}: company prefix and location reference must have 12 digits together"
            )
        return
    if m := _SSCC.match(uri):
        if len(m.group(1)) + len(m.group(2)) != 17:
            raise IdentifierError(f"{uri}: company prefix and serial reference must have 17 digits together")
        return
    raise IdentifierError(f"{uri!r} is not an LGTIN, SGLN or SSCC URI")
