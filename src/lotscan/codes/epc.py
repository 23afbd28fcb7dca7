"""EPCs: binary encodings read from RFID tags (GS1 EPC Tag Data Standard, section 14) and
pure-identity URIs (TDS section 6, ``urn:epc:id:sgtin:0614141.812345.6789``).

Decodes SGTIN-96, SGTIN-198, SSCC-96, SGLN-96, GRAI-96 and GIAI-96 into the GS1 keys and the
pure-identity URI; and SGTIN, SSCC and SGLN URIs into the same keys. A lot number (AI 10) is
never inside an EPC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from lotscan.codes.linters import gs1_check_digit

_HEX = re.compile(r"[0-9A-Fa-f]*")

# partition value -> (company prefix bits, digits, reference bits, digits); TDS tables 14-2..
_SGTIN_PARTITIONS = (
    (40, 12, 4, 1), (37, 11, 7, 2), (34, 10, 10, 3), (30, 9, 14, 4),
    (27, 8, 17, 5), (24, 7, 20, 6), (20, 6, 24, 7),
)  # fmt: skip
_SSCC_PARTITIONS = (
    (40, 12, 18, 5), (37, 11, 21, 6), (34, 10, 24, 7), (30, 9, 28, 8),
    (27, 8, 31, 9), (24, 7, 34, 10), (20, 6, 38, 11),
)  # fmt: skip
_SGLN_PARTITIONS = (
    (40, 12, 1, 0), (37, 11, 4, 1), (34, 10, 7, 2), (30, 9, 11, 3),
    (27, 8, 14, 4), (24, 7, 17, 5), (20, 6, 21, 6),
)  # fmt: skip
_GRAI_PARTITIONS = (
    (40, 12, 4, 0), (37, 11, 7, 1), (34, 10, 10, 2), (30, 9, 14, 3),
    (27, 8, 17, 4), (24, 7, 20, 5), (20, 6, 24, 6),
)  # fmt: skip
_GIAI_PARTITIONS = (
    (40, 12, 42, 13), (37, 11, 45, 14), (34, 10, 48, 15), (30, 9, 52, 16),
    (27, 8, 55, 17), (24, 7, 58, 18), (20, 6, 62, 19),
)  # fmt: skip

# header -> (scheme, bits)
SCHEMES = {
    0x30: ("SGTIN-96", 96),
    0x36: ("SGTIN-198", 198),
    0x31: ("SSCC-96", 96),
    0x32: ("SGLN-96", 96),
    0x33: ("GRAI-96", 96),
    0x34: ("GIAI-96", 96),
}

# Characters the pure-identity URI must percent-escape (TDS table A-1).
_URI_ESCAPES = {c: f"%{ord(c):02X}" for c in '"%&/<>?'}


class EPCError(ValueError):
    """Not a decodable EPC; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class EPC:
    scheme: str  # e.g. SGTIN-96
    filter: int
    uri: str  # pure identity, urn:epc:id:...
    ais: tuple[tuple[str, str], ...]  # GS1 element strings, e.g. (("01", gtin), ("21", serial))

    @property
    def ai_map(self) -> dict[str, str]:
        return dict(self.ais)


def looks_like_epc(text: str) -> bool:
    """True for hex of a known EPC header and length: used for scans not marked as RFID."""
    if len(text) not in (24, 52) or _HEX.fullmatch(text) is None:
        return False
    header = int(text[:2], 16)
    return header in SCHEMES and SCHEMES[header][1] <= len(text) * 4


def decode_epc(hex_text: str) -> EPC:
    """The EPC of a tag's EPC bank (hex, as readers send it); EPCError names what is wrong.

    >>> epc = decode_epc("3074257BF7194E4000001A85")
    >>> epc.scheme, epc.uri, epc.ais
    ('SGTIN-96', 'urn:epc:id:sgtin:0614141.812345.6789', (('01', '80614141123458'), ('21', '6789')))
    >>> decode_epc("30742")
    Traceback (most recent call last):
    lotscan.codes.epc.EPCError: the EPC has an odd number of hex digits (a byte is cut off)
    """
    text = hex_text.strip()
    if not text:
        raise EPCError("the tag sent no EPC")
    if _HEX.fullmatch(text) is None:
        raise EPCError("the EPC is not hexadecimal")
    if len(text) % 2:
        raise EPCError("the EPC has an odd number of hex digits (a byte is cut off)")
    header = int(text[:2], 16)
    if header not in SCHEMES:
        raise EPCError(f"EPC header {text[:2].upper()} is not a GS1 scheme we read")
    scheme, bits = SCHEMES[header]
    if len(text) * 4 < bits:
        raise EPCError(f"{scheme} needs {bits} bits, the tag sent {len(text) * 4}")
    value = int(text, 16)
    total = len(text) * 4
    reader = _Bits(value, total)
    reader.take(8)
    filter_value = reader.take(3)
    partition = reader.take(3)
    if partition > 6:
        raise EPCError(f"{scheme} partition value {partition} is invalid")
    kind = scheme.split("-")[0]
    decoder = _DECODERS[kind]
    return decoder(scheme, filter_value, partition, reader)


class _Bits:
    def __init__(self, value: int, total: int) -> None:
        self.value = value
        self.remaining = total

    def take(self, count: int) -> int:
        self.remaining -= count
        return (self.value >> self.remaining) & ((1 << count) - 1)


def _digits(number: int, count: int, what: str) -> str:
    text = str(number)
    if len(text) > count:
        raise EPCError(f"the {what} field does not fit its partition")
    return text.zfill(count) if count else ("" if number == 0 else text)


def _uri_escape(text: str) -> str:
    return "".join(_URI_ESCAPES.get(c, c) for c in text)


def _sgtin(scheme: str, filter_value: int, partition: int, bits: _Bits) -> EPC:
    company_bits, company_digits, item_bits, item_digits = _SGTIN_PARTITIONS[partition]
    company = _digits(bits.take(company_bits), company_digits, "company prefix")
    item = _digits(bits.take(item_bits), item_digits, "item reference")
    serial = str(bits.take(38)) if scheme == "SGTIN-96" else _seven_bit_string(bits, 20)
    body = item[0] + company + item[1:]
    gtin = body + str(gs1_check_digit(body))
    uri = f"urn:epc:id:sgtin:{company}.{item}.{_uri_escape(serial)}"
    return EPC(scheme, filter_value, uri, (("01", gtin), ("21", serial)))


def _seven_bit_string(bits: _Bits, count: int) -> str:
    chars: list[str] = []
    for _ in range(count):
        code = bits.take(7)
        if code == 0:
            break
        chars.append(chr(code))
    return "".join(chars)


def _sscc(scheme: str, filter_value: int, partition: int, bits: _Bits) -> EPC:
    company_bits, company_digits, ref_bits, ref_digits = _SSCC_PARTITIONS[partition]
    company = _digits(bits.take(company_bits), company_digits, "company prefix")
    reference = _digits(bits.take(ref_bits), ref_digits, "serial reference")
    body = reference[0] + company + reference[1:]
    sscc = body + str(gs1_check_digit(body))
    return EPC(scheme, filter_value, f"urn:epc:id:sscc:{company}.{reference}", (("00", sscc),))


def _sgln(scheme: str, filter_value: int, partition: int, bits: _Bits) -> EPC:
    company_bits, company_digits, ref_bits, ref_digits = _SGLN_PARTITIONS[partition]
    company = _digits(bits.take(company_bits), company_digits, "company prefix")
    location = _digits(bits.take(ref_bits), ref_digits, "location reference")
    extension = str(bits.take(41))
    body = company + location
    gln = body + str(gs1_check_digit(body))
    ais: tuple[tuple[str, str], ...] = (("414", gln),)
    if extension != "0":
        ais += (("254", extension),)
    return EPC(scheme, filter_value, f"urn:epc:id:sgln:{company}.{location}.{extension}", ais)


def _grai(scheme: str, filter_value: int, partition: int, bits: _Bits) -> EPC:
    company_bits, company_digits, ref_bits, ref_digits = _GRAI_PARTITIONS[partition]
    company = _digits(bits.take(company_bits), company_digits, "company prefix")
    asset_type = _digits(bits.take(ref_bits), ref_digits, "asset type")
    serial = str(bits.take(38))
    body = company + asset_type
    grai = "0" + body + str(gs1_check_digit(body)) + serial
    uri = f"urn:epc:id:grai:{company}.{asset_type}.{serial}"
    return EPC(scheme, filter_value, uri, (("8003", grai),))


def _giai(scheme: str, filter_value: int, partition: int, bits: _Bits) -> EPC:
    company_bits, company_digits, ref_bits, _ = _GIAI_PARTITIONS[partition]
    company = _digits(bits.take(company_bits), company_digits, "company prefix")
    asset = str(bits.take(ref_bits))
    if len(company) + len(asset) > 30:
        raise EPCError("the GIAI asset reference is too long")
    return EPC(scheme, filter_value, f"urn:epc:id:giai:{company}.{asset}", (("8004", company + asset),))


_DECODERS = {"SGTIN": _sgtin, "SSCC": _sscc, "SGLN": _sgln, "GRAI": _grai, "GIAI": _giai}

URI_PREFIX = "urn:epc:id:"
_URI_DIGITS = re.compile(r"[0-9]+")
# Serial characters of a pure-identity URI (TDS section 6.3.1: GS1 set 82, some %-escaped).
_URI_SERIAL = re.compile(r"(?:[A-Za-z0-9!'()*+,\-.:;=_]|%[0-9A-Fa-f]{2}){1,20}")


def looks_like_epc_uri(text: str) -> bool:
    return text[: len(URI_PREFIX)].lower() == URI_PREFIX


def parse_epc_uri(uri: str) -> EPC:
    """The GS1 keys of an EPC pure-identity URI (TDS section 6.3); EPCError names what is wrong.

    The company prefix is the digits before the first dot, so its length is known (TDS 6.3.1).

    >>> parse_epc_uri("urn:epc:id:sgtin:0614141.812345.6789").ais
    (('01', '80614141123458'), ('21', '6789'))
    >>> parse_epc_uri("urn:epc:id:sscc:0614141.1234567890").ais
    (('00', '106141412345678908'),)
    >>> parse_epc_uri("urn:epc:id:sgtin:0614141.81234.6789")
    Traceback (most recent call last):
    lotscan.codes.epc.EPCError: an SGTIN's company prefix and item reference have 13 digits together, not 12
    """
    if not looks_like_epc_uri(uri):
        raise EPCError(f"it does not start with {URI_PREFIX}")
    scheme, _, body = uri[len(URI_PREFIX) :].partition(":")
    parts = body.split(".")
    reader = _URI_READERS.get(scheme.lower())
    if reader is None:
        raise EPCError(f"'{scheme}' is not an EPC scheme we read (sgtin, sscc, sgln)")
    return reader(uri, parts)


def _company_and_reference(parts: list[str], count: int, digits: int, what: str) -> tuple[str, str]:
    if len(parts) != count:
        raise EPCError(f"an {what} URI has {count} parts separated by dots, this one has {len(parts)}")
    company, reference = parts[0], parts[1]
    if not (_URI_DIGITS.fullmatch(company) and 6 <= len(company) <= 12):
        raise EPCError(f"the company prefix {company!r} must be 6 to 12 digits")
    if reference and not _URI_DIGITS.fullmatch(reference):
        raise EPCError(f"the reference {reference!r} must be digits")
    if len(company) + len(reference) != digits:
        raise EPCError(
            f"an {what}'s company prefix and {'item' if what == 'SGTIN' else 'serial'} reference "
            f"have {digits} digits together, not {len(company) + len(reference)}"
        )
    return company, reference


def _sgtin_uri(uri: str, parts: list[str]) -> EPC:
    company, item = _company_and_reference(parts, 3, 13, "SGTIN")
    if not _URI_SERIAL.fullmatch(parts[2]):
        raise EPCError(f"the serial {parts[2]!r} is not 1-20 GS1 characters")
    body = item[0] + company + item[1:]
    serial = unquote(parts[2])
    return EPC("SGTIN", 0, uri, (("01", body + str(gs1_check_digit(body))), ("21", serial)))


def _sscc_uri(uri: str, parts: list[str]) -> EPC:
    company, reference = _company_and_reference(parts, 2, 17, "SSCC")
    body = reference[0] + company + reference[1:]
    return EPC("SSCC", 0, uri, (("00", body + str(gs1_check_digit(body))),))


def _sgln_uri(uri: str, parts: list[str]) -> EPC:
    company, location = _company_and_reference(parts, 3, 12, "SGLN")
    body = company + location
    ais: tuple[tuple[str, str], ...] = (("414", body + str(gs1_check_digit(body))),)
    if parts[2] not in ("", "0"):
        ais += (("254", unquote(parts[2])),)
    return EPC("SGLN", 0, uri, ais)


_URI_READERS = {"sgtin": _sgtin_uri, "sscc": _sscc_uri, "sgln": _sgln_uri}
