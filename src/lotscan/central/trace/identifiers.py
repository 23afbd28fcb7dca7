"""EPC pure-identity and class URIs (GS1 Tag Data Standard) for the EPCIS export, and their
checks: the EPCIS JSON schema only asks for "a URI", so a malformed LGTIN would pass it.

Splitting a GTIN or GLN into company prefix and reference needs the GS1 company prefix length,
which the key itself does not say. `CompanyPrefixes` finds it per key: our own company prefixes
first (settings), then GS1's published prefix-length table (shipped with biip), then an explicit
fallback length, remembering the keys that needed it so the export can warn about them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from biip.gs1_prefixes import GS1CompanyPrefix

# TDS 2.0 section 7.1: characters allowed in a lot (AI 10) or serial, GS1 AI encodable set 82;
# these must be %-escaped in an EPC URI.
_ESCAPED = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
_LGTIN = re.compile(
    r"^urn:epc:class:lgtin:(\d{6,12})\.(\d{1,7})\.((?:[!'()*+,\-.0-9:;=A-Z_a-z]|%[0-9A-F]{2}){1,60})$"
)
_SGLN = re.compile(r"^urn:epc:id:sgln:(\d{6,12})\.(\d{0,6})\.([!'()*+,\-.0-9:;=A-Z_a-z%]{1,20})$")
_SSCC = re.compile(r"^urn:epc:id:sscc:(\d{6,12})\.(\d{5,11})$")
_PGLN = re.compile(r"^urn:epc:id:pgln:(\d{6,12})\.(\d{0,6})$")


class IdentifierError(ValueError):
    pass


def check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


@lru_cache(maxsize=1 << 14)  # an export checks the same few GTINs and GLNs on every event
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


@dataclass
class CompanyPrefixes:
    """How long the GS1 company prefix of a key is: `own` prefixes first, then GS1's table, then
    `fallback` (noting the key in `unknown`)."""

    own: tuple[str, ...] = ()
    fallback: int = 7
    unknown: dict[str, str] = field(default_factory=dict)  # key -> what it is (GTIN, GLN, ...)
    _known: dict[str, int] = field(default_factory=dict, repr=False)  # digits -> length, found

    def __post_init__(self) -> None:
        for prefix in self.own:
            if not (prefix.isdigit() and 6 <= len(prefix) <= 12):
                raise IdentifierError(f"company prefix {prefix!r} is not 6 to 12 digits")
        _gcp(self.fallback)
        self.own = tuple(sorted(self.own, key=len, reverse=True))

    def length(self, digits: str, key: str, what: str) -> int:
        """`digits`: the key from where its company prefix starts (a GTIN without its indicator)."""
        if digits in self._known:
            return self._known[digits]
        length = self._find(digits, key, what)
        self._known[digits] = length
        return length

    def _find(self, digits: str, key: str, what: str) -> int:
        for prefix in self.own:
            if digits.startswith(prefix):
                return len(prefix)
        found = GS1CompanyPrefix.extract(digits)
        if found is not None and 6 <= len(found.value) <= 12:
            return len(found.value)
        self.unknown.setdefault(key, what)
        return self.fallback

    def warnings(self) -> list[str]:
        if not self.unknown:
            return []
        keys = ", ".join(f"{what} {key}" for key, what in sorted(self.unknown.items()))
        return [
            f"company prefix length not known for {keys}: used {self.fallback} digits "
            "(give your own prefixes with --company-prefix, or another length with --gcp-length)"
        ]


def _length(gcp: int | CompanyPrefixes, digits: str, key: str, what: str) -> int:
    length = gcp.length(digits, key, what) if isinstance(gcp, CompanyPrefixes) else gcp
    _gcp(length)
    return length


def lgtin(gtin: str, lot: str, gcp: int | CompanyPrefixes) -> str:
    gtin = _checked_key(gtin.zfill(14), 14, "GTIN")
    length = _length(gcp, gtin[1:], gtin, "GTIN")
    indicator, company, item = gtin[0], gtin[1 : 1 + length], gtin[1 + length : 13]
    return f"urn:epc:class:lgtin:{company}.{indicator}{item}.{escape_lot(lot)}"


def sgln(gln: str, gcp: int | CompanyPrefixes, extension: str = "0") -> str:
    gln = _checked_key(gln, 13, "GLN")
    length = _length(gcp, gln, gln, "GLN")
    return f"urn:epc:id:sgln:{gln[:length]}.{gln[length:12]}.{escape_lot(extension)}"


def pgln(gln: str, gcp: int | CompanyPrefixes) -> str:
    """A party GLN (AI 417) as an EPC URI."""
    gln = _checked_key(gln, 13, "GLN")
    length = _length(gcp, gln, gln, "GLN")
    return f"urn:epc:id:pgln:{gln[:length]}.{gln[length:12]}"


def sscc(code: str, gcp: int | CompanyPrefixes) -> str:
    code = _checked_key(code, 18, "SSCC")
    length = _length(gcp, code[1:], code, "SSCC")
    return f"urn:epc:id:sscc:{code[1 : 1 + length]}.{code[0]}{code[1 + length : 17]}"


def business_transaction(gln: str, document: str) -> str:
    """A CBV business transaction id: urn:epcglobal:cbv:bt:<GLN of the issuer>:<document number>."""
    gln = _checked_key(gln, 13, "GLN")
    return f"urn:epcglobal:cbv:bt:{gln}:{quote(document, safe='-._~')}"


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
    if m := _PGLN.match(uri):
        if len(m.group(1)) + len(m.group(2)) != 12:
            raise IdentifierError(f"{uri}: company prefix and party reference must have 12 digits together")
        return
    if m := _SSCC.match(uri):
        if len(m.group(1)) + len(m.group(2)) != 17:
            raise IdentifierError(f"{uri}: company prefix and serial reference must have 17 digits together")
        return
    raise IdentifierError(f"{uri!r} is not an LGTIN, SGLN, PGLN or SSCC URI")
