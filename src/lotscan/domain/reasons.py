"""Reason codes: one stable code and one plain sentence each, saying what to do next."""

from __future__ import annotations

import string
from enum import StrEnum


class ReasonCode(StrEnum):
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    UNKNOWN_LOT = "UNKNOWN_LOT"
    LOT_ON_HOLD = "LOT_ON_HOLD"
    LOT_QUARANTINED = "LOT_QUARANTINED"
    LOT_RECALLED = "LOT_RECALLED"
    LOT_REJECTED = "LOT_REJECTED"
    LOT_EXPIRED = "LOT_EXPIRED"
    SHORT_SHELF_LIFE = "SHORT_SHELF_LIFE"
    WRONG_ITEM = "WRONG_ITEM"
    WRONG_LOCATION = "WRONG_LOCATION"
    NOT_FEFO = "NOT_FEFO"
    QTY_EXCEEDS_STOCK = "QTY_EXCEEDS_STOCK"
    QTY_EXCEEDS_TASK = "QTY_EXCEEDS_TASK"
    DUPLICATE_SCAN = "DUPLICATE_SCAN"
    DUPLICATE_SERIAL = "DUPLICATE_SERIAL"
    MALFORMED_GS1 = "MALFORMED_GS1"
    BAD_CHECK_DIGIT = "BAD_CHECK_DIGIT"
    MISSING_LOT = "MISSING_LOT"
    MISSING_EXPIRY = "MISSING_EXPIRY"
    UNKNOWN_TASK = "UNKNOWN_TASK"
    TASK_CLOSED = "TASK_CLOSED"
    UNKNOWN_LOCATION = "UNKNOWN_LOCATION"
    HOLD_LOCATION = "HOLD_LOCATION"
    NOT_A_LOT = "NOT_A_LOT"
    WRONG_SCAN_TYPE = "WRONG_SCAN_TYPE"
    MISSING_CONTEXT = "MISSING_CONTEXT"
    UNKNOWN_OPERATOR = "UNKNOWN_OPERATOR"
    OPERATOR_INACTIVE = "OPERATOR_INACTIVE"
    NOT_AUTHORISED = "NOT_AUTHORISED"
    DECIDED_AT_CENTRAL = "DECIDED_AT_CENTRAL"
    RELEASE_NOT_ALLOWED = "RELEASE_NOT_ALLOWED"  # central's code for the same refusal (docs/sync.md)
    NO_STOCK = "NO_STOCK"
    STOCK_BELOW_ZERO = "STOCK_BELOW_ZERO"
    SUSPICIOUS_LOT = "SUSPICIOUS_LOT"
    MISSING_GTIN = "MISSING_GTIN"
    LOCATION_NEEDED = "LOCATION_NEEDED"
    QTY_NEEDED = "QTY_NEEDED"
    LOT_NUMBER_TOO_LONG = "LOT_NUMBER_TOO_LONG"
    LOT_NUMBERS_USED_UP = "LOT_NUMBERS_USED_UP"
    PACK_SIZE_UNKNOWN = "PACK_SIZE_UNKNOWN"
    QTY_DIFFERS_FROM_LABEL = "QTY_DIFFERS_FROM_LABEL"
    LABEL_COUNT_WEIGHT_DIFFER = "LABEL_COUNT_WEIGHT_DIFFER"
    LABEL_EXPIRIES_DIFFER = "LABEL_EXPIRIES_DIFFER"  # (17) and (7003) of one label disagree
    SUPPLIER_DIFFERS = "SUPPLIER_DIFFERS"  # a known lot received from another supplier
    EXPIRY_DIFFERS = "EXPIRY_DIFFERS"  # the label's expiry is not the lot's recorded one
    UNIT_MISMATCH = "UNIT_MISMATCH"  # a label's measure of another dimension than the item's unit
    LOT_NOT_ANNOUNCED = "LOT_NOT_ANNOUNCED"
    HARVEST_KDES_NEEDED = "HARVEST_KDES_NEEDED"
    NO_INPUTS = "NO_INPUTS"
    INPUTS_MISSING = "INPUTS_MISSING"
    INPUTS_OF_THE_ORDER = "INPUTS_OF_THE_ORDER"  # a later output, nothing consumed since the last one
    BAD_QUANTITY = "BAD_QUANTITY"
    BAD_OVERRIDE = "BAD_OVERRIDE"
    INVALID_VALUE = "INVALID_VALUE"
    OVERRIDDEN = "OVERRIDDEN"
    SHORT_PICK = "SHORT_PICK"  # a pick line closed with less than asked: recorded, a warning
    LOT_NOT_RECEIVED = "LOT_NOT_RECEIVED"  # a count found a lot the cache never saw for the item
    EXPIRED_COUNTED = "EXPIRED_COUNTED"  # a count of an expired lot (label or records): counted, warned
    EXPIRED_MOVED = "EXPIRED_MOVED"  # an expired lot moved where it could be used: moved, warned
    LOT_OUT_OF_HOLD = "LOT_OUT_OF_HOLD"  # a recalled/held/quarantined/rejected lot moved where it can be used


# Sentences use {placeholders} filled from the facts of the scan.
MESSAGES: dict[ReasonCode, str] = {
    ReasonCode.UNKNOWN_ITEM: "Product {gtin} is not in the item list. Set it aside and call a supervisor.",
    ReasonCode.UNKNOWN_LOT: "Lot {lot} of {item} is not known here. Check the label, or receive it first.",
    ReasonCode.LOT_ON_HOLD: "Lot {lot} is ON HOLD. Do not use it; put it back and scan another lot.",
    ReasonCode.LOT_QUARANTINED: "Lot {lot} is in QUARANTINE awaiting release. Do not use it; scan a released lot.",
    ReasonCode.LOT_RECALLED: "Lot {lot} is RECALLED. Do not use or ship it; move it to the hold area.",
    ReasonCode.LOT_REJECTED: "Lot {lot} was REJECTED by quality. Do not use it; move it to the hold area.",
    ReasonCode.LOT_EXPIRED: "Lot {lot} expired on {expiry}. Do not use it; move it to the hold area.",
    ReasonCode.SHORT_SHELF_LIFE: "Lot {lot} has only {days} days left (minimum {minimum}). Ask a supervisor before accepting it.",
    ReasonCode.WRONG_ITEM: "This is {item}, but the task needs {expected}. Put it back and scan the right product.",
    ReasonCode.WRONG_LOCATION: "Lot {lot} is not recorded at {location}; records show it at {where}. Take it from there, or count {location} first.",
    ReasonCode.NOT_FEFO: "Lot {lot} is not the first to expire. Take lot {better} at {where} instead.",
    ReasonCode.QTY_EXCEEDS_STOCK: "Only {available} {unit} of lot {lot} are recorded at {location}, not {qty}. Count again or enter the real quantity.",
    ReasonCode.QTY_EXCEEDS_TASK: "{need}",
    ReasonCode.DUPLICATE_SCAN: "This label was already scanned {when}. Scan the next one.",
    ReasonCode.DUPLICATE_SERIAL: "Serial {serial} of {gtin} was already recorded. Check for a copied label; call a supervisor.",
    ReasonCode.MALFORMED_GS1: "Label not readable as GS1: {detail}",
    ReasonCode.BAD_CHECK_DIGIT: "Check digit wrong: {detail}",
    ReasonCode.MISSING_LOT: "The label has no lot number. Ask for an internal lot label before using it.",
    ReasonCode.MISSING_EXPIRY: "The label has no expiry date and the item needs one. Ask for an internal label.",
    ReasonCode.UNKNOWN_TASK: "{task} does not exist on this station. Check the document number or sync the station.",
    ReasonCode.TASK_CLOSED: "{task} is already closed. Pick another task.",
    ReasonCode.UNKNOWN_LOCATION: "Location {location} is not known here. Scan a location label from this site.",
    ReasonCode.HOLD_LOCATION: "{location} is a hold area; stock there cannot be picked. Take the suggested lot.",
    ReasonCode.NOT_A_LOT: "This is {a_kind} code, not a product label. Scan the product's lot label.",
    ReasonCode.WRONG_SCAN_TYPE: "This {kind} code does nothing in {workflow}. {hint}",
    ReasonCode.MISSING_CONTEXT: "{detail}",
    ReasonCode.UNKNOWN_OPERATOR: "Badge {operator} is not known here. Scan your own badge or call a supervisor.",
    ReasonCode.OPERATOR_INACTIVE: "Badge {operator} was deactivated at central: it cannot sign in or scan here. Call a supervisor.",
    ReasonCode.NOT_AUTHORISED: "{operator} may not {action}. A supervisor must do this.",
    ReasonCode.DECIDED_AT_CENTRAL: "Lot {lot} is {status}: only central changes a {status} lot (an admin, with a reason). Keep it in the hold area and call QA.",
    ReasonCode.RELEASE_NOT_ALLOWED: "Lot {lot} is {status}, {why}. Leave it as it is and call QA.",
    ReasonCode.NO_STOCK: "No stock of lot {lot} is recorded{at}. Check the lot or count the location.",
    ReasonCode.STOCK_BELOW_ZERO: "Book stock of lot {lot} at {location} is {qty}: below zero, more was taken than was recorded there. Count {location} and tell a supervisor.",
    ReasonCode.MISSING_GTIN: "This barcode has the lot but not the product (GTIN). Scan the label's GTIN barcode right after it.",
    ReasonCode.LOCATION_NEEDED: "Lot {lot} {why} ({where}). {then}",
    ReasonCode.LOT_NUMBER_TOO_LONG: "The next lot number cannot go on a GS1 label: {problem}. {fix}",
    ReasonCode.LOT_NUMBERS_USED_UP: "Today's lot numbers are used up: [lots] pattern {pattern!r} numbers {capacity} lots a day on this station, and this would be lot {seq} of the day. Nothing recorded. Ask a supervisor to widen {{seq}} in [lots] pattern.",
    ReasonCode.QTY_NEEDED: "The label has no quantity{announced}: give it in {unit} (--qty N), then scan the label again.",
    ReasonCode.LOT_NOT_ANNOUNCED: "{task} announces lot {announced} of {item}, not lot {lot}: {kept}. Check the label against the delivery note; if the supplier sent another lot, tell a supervisor.",
    ReasonCode.QTY_DIFFERS_FROM_LABEL: "You typed {typed}, the label says {label}. {then}",
    ReasonCode.LABEL_COUNT_WEIGHT_DIFFER: "The label counts {count}, its net weight {net}; a {pack_unit} is {pack} here. Check the label; if it is right, tell a supervisor the pack size is wrong.",
    ReasonCode.SUPPLIER_DIFFERS: "Lot {lot} was received from {book}; this delivery is from {supplier}. Check the label: another supplier's lot under the same code, or a wrong lot number? Tell a supervisor.",
    ReasonCode.LABEL_EXPIRIES_DIFFER: "{detail}",  # the reading's own sentence names both dates
    ReasonCode.EXPIRY_DIFFERS: "Lot {lot}: the label says it expires {label}, the records say {book}. The earlier date, {earlier}, counts: {then}. Check the label (another lot, or a data error?) and tell a supervisor which is right.",
    ReasonCode.UNIT_MISMATCH: "The label gives a {dimension} ({measure}, AI {ai}), but {item} is kept in {unit}: it cannot be recorded as {unit}. Enter the quantity in {unit} (--qty N), then scan the label again; if {unit} is wrong for this product, tell a supervisor.",
    ReasonCode.PACK_SIZE_UNKNOWN: "The label counts {count} trade units (AI 30), but {item} is kept in {unit} and has no pack size: enter the quantity in {unit} (--qty N), then scan the label again.",
    ReasonCode.HARVEST_KDES_NEEDED: "{product} comes from farm {farm}: FSMA 204 needs its harvest facts ({missing}). Type them as the station asks, then scan the label again.",
    ReasonCode.NO_INPUTS: "No input lots were consumed into {task}{since}: the lot made has no parents to trace. Consume its inputs first, unless none are traced.",
    ReasonCode.INPUTS_MISSING: "Nothing was consumed into {task} for {missing}: the lot made will not trace to them. Consume them first, unless they are not traced.",
    ReasonCode.INPUTS_OF_THE_ORDER: "Nothing was consumed into {task} since lot {last} was made: the lot made will be linked to the lots consumed into the order so far ({lots}), without the quantity used from each. Consume into the order before each output to record it.",
    ReasonCode.BAD_QUANTITY: "Quantity {qty} cannot be right: enter a number above zero (zero only when counting).",
    ReasonCode.SUSPICIOUS_LOT: "{detail}",  # the reading's own sentence names the lot and what to check
    ReasonCode.INVALID_VALUE: "This scan cannot be recorded: {detail}. Check the label and the quantity.",
    ReasonCode.BAD_OVERRIDE: "Override {override} refused: {detail}",
    ReasonCode.OVERRIDDEN: "Accepted by override ({override}) despite: {codes}.",
    ReasonCode.SHORT_PICK: "Line {line} of {task} ({item}) closed short by {short}: {reason}.",
    ReasonCode.LOT_NOT_RECEIVED: "No receipt of lot {lot} of {item} is recorded here: check the label. If it is right, count it and tell a supervisor.",
    ReasonCode.EXPIRED_COUNTED: "Lot {lot} expired on {expiry}, {by}: count it as it is on the shelf, then move it to a hold area ({holds}) and tell a supervisor.",
    ReasonCode.EXPIRED_MOVED: "Lot {lot} expired on {expiry}, {by}: it goes to a hold area ({holds}), not to {location}, where it could be used. Scan a hold location as where it goes.",
    ReasonCode.LOT_OUT_OF_HOLD: "Lot {lot} is {status}: it goes to a hold area ({holds}), not to {location}, where it could be used. Scan a hold location as where it goes.",
}


# When the policy only warns, the scan is recorded: these say so, never "ask before ..." after
# the fact (tester's #28). A code without one reads the same either way.
RECORDED_MESSAGES: dict[ReasonCode, str] = {
    ReasonCode.LOT_OUT_OF_HOLD: "Lot {lot} is {status} and is now at {location}, where it could be used: move it on to a hold area ({holds}) and tell a supervisor.",
    ReasonCode.SHORT_SHELF_LIFE: "Lot {lot} has only {days} days left (minimum {minimum}); it is recorded. Tell a supervisor, who decides whether it stays.",
    ReasonCode.QTY_EXCEEDS_STOCK: "Only {available} {unit} of lot {lot} were recorded at {location}, not {qty}; {qty} is recorded. Count {location} so the records match the shelf.",
    ReasonCode.LOT_NOT_ANNOUNCED: "{task} announces lot {announced} of {item}, not lot {lot}; lot {lot} is recorded as scanned, on none of its lines: {kept}. Tell a supervisor: the supplier sent another lot, or the label is wrong.",
    ReasonCode.LOT_NOT_RECEIVED: "No receipt of lot {lot} of {item} is recorded here; it is counted as a new lot with no supplier. Tell a supervisor: goods that arrived without a receipt, or a mis-read label.",
    ReasonCode.EXPIRED_COUNTED: "Lot {lot} expired on {expiry}, {by}; it is counted as it is on the shelf. Move it to a hold area ({holds}) and tell a supervisor.",
    ReasonCode.EXPIRED_MOVED: "Lot {lot} expired on {expiry}, {by}, and is now at {location}, where it could be used: move it on to a hold area ({holds}) and tell a supervisor.",
    ReasonCode.MISSING_EXPIRY: "The label has no expiry date and the item needs one; the receipt is recorded and an internal label is requested.",
    # Recorded: scanning it again without /qty would record the label's quantity on top.
    ReasonCode.QTY_DIFFERS_FROM_LABEL: "You typed {typed}, the label says {label}: {typed} is recorded. {recorded_then}",
    ReasonCode.SUPPLIER_DIFFERS: "Lot {lot} was received from {book}; this delivery is from {supplier}. It is recorded under the same lot: tell a supervisor, it may be another supplier's lot under the same code.",
    ReasonCode.EXPIRY_DIFFERS: "Lot {lot}: the label says it expires {label}, the records say {book}. The earlier date, {earlier}, counts: {then}; the scan is recorded. Tell a supervisor which date is right.",
    ReasonCode.LABEL_COUNT_WEIGHT_DIFFER: "The label counts {count}, its net weight {net}; a {pack_unit} is {pack} here. The count is recorded: check the label; if it is right, tell a supervisor the pack size is wrong.",
    # Recorded: the lot is made; "consume its inputs first" no longer applies (tester's #15c).
    ReasonCode.NO_INPUTS: "No input lots were consumed into {task}{since}, so the lot made is recorded with no parents to trace. Tell a supervisor, unless none are traced.",
    ReasonCode.INPUTS_MISSING: "Nothing was consumed into {task} for {missing}, so the lot made is recorded without them as parents. Tell a supervisor, unless they are not traced.",
    ReasonCode.INPUTS_OF_THE_ORDER: "Nothing was consumed into {task} since lot {last} was made, so the lot made is recorded linked to the lots consumed into the order so far ({lots}), without the quantity used from each. Tell a supervisor if it was made from other lots.",
    # Recorded: no "take lot X instead" for a pick that is done (tester's #15c).
    ReasonCode.NOT_FEFO: "Lot {lot} is recorded, but it was not the first to expire: lot {better} at {where} was due first.",
}


_SAID_IN_CAPITALS = frozenset({"asn", "po", "epc", "sscc"})


def code_name(kind: str) -> str:
    """A kind of code as a sentence names it: "work order", "ASN", "location"."""
    return kind.upper() if kind.lower() in _SAID_IN_CAPITALS else kind.replace("_", " ")


def with_article(kind: str) -> str:
    """The same with its article: "an order", "a work order", "an ASN" (tester tz, Z5: "This is
    a order code")."""
    name = code_name(kind)
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def recorded_sentence(code: ReasonCode, **facts: object) -> str:
    """The sentence of a warning whose scan was recorded despite it."""
    return _fill(code, RECORDED_MESSAGES.get(code) or MESSAGES[code], facts)


def sentence(code: ReasonCode, **facts: object) -> str:
    return _fill(code, MESSAGES[code], facts)


class MissingFacts(TypeError):
    """A sentence asked for without a fact its template names: a programming error, raised
    rather than shown, so no operator ever reads "Lot {lot} is not recorded at {location}"
    (tester W4). tests/unit/domain/test_reason_sentences.py checks every call site passes them."""


def facts_needed(template: str) -> frozenset[str]:
    """The names a template's {placeholders} take ({{ }} is a literal brace, not a fact)."""
    return frozenset(
        name.split(".", 1)[0].split("[", 1)[0] for _, name, _, _ in string.Formatter().parse(template) if name
    )


_NAMED_CODES = ("operator", "location", "task")  # an empty one reads "Badge (empty)", not "Badge  is"


# The facts each template of MESSAGES and RECORDED_MESSAGES names, parsed once per template.
_NEEDED: dict[str, frozenset[str]] = {}


def _fill(code: ReasonCode, template: str, facts: dict[str, object]) -> str:
    needed = _NEEDED.get(template)
    if needed is None:
        needed = _NEEDED[template] = facts_needed(template)
    missing = needed - facts.keys()
    if missing:
        raise MissingFacts(f"{code.value} needs {', '.join(sorted(missing))} to say its sentence")
    if "" in (facts.get("operator"), facts.get("location"), facts.get("task")):  # _NAMED_CODES
        facts = {
            name: "(empty)" if name in _NAMED_CODES and value == "" else value
            for name, value in facts.items()
        }
    return template.format(**facts)
