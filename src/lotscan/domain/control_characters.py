"""The one rule for control characters in text people type or send: codes, names and reasons.

Central refuses them in every request (central/routes/bodies.py, tester W7) and the station refuses
them where they are typed (the command line's options, /reason, typed answers), with the same
character class, so what the operator is told is what gets recorded: a reason central would refuse
is never recorded at the station only to become "unsendable" in F11.

Control characters are C0 (NUL, TAB, LF, CR, ESC...), DEL, C1, and the bidirectional embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make text show in another order than it
is stored ("Trojan Source"). The scan as the scanner sent it is not typed text: its GS/RS/EOT are
data, and this rule is not applied to it.
"""

from __future__ import annotations

import re

CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_NAMES = {
    "\x00": "a NUL",
    "\x09": "a TAB",
    "\x0a": "a line break (LF)",
    "\x0d": "a carriage return (CR)",
    "\x1b": "an ESC",
    "\x1d": "a GS separator",
    "\x7f": "a DEL",
}


def escaped_control(character: str) -> str:
    """`\\u001b` for ESC: how a control character is named in messages and shown on terminals."""
    return f"\\u{ord(character):04x}"


def control_character_name(character: str) -> str:
    """A plain name with its escape: "a TAB (\\u0009)", "a bidirectional text control (\\u202e)"."""
    code = escaped_control(character)
    if character in _NAMES:
        return f"{_NAMES[character]} ({code})"
    if ord(character) > 0x9F:
        return f"a bidirectional text control ({code})"
    return f"a control character ({code})"


def control_character_problem(text: str, what: str) -> str | None:
    """A sentence saying which control character ``text`` (called ``what``, e.g. "the reason")
    holds and what to do; None when it holds none."""
    found = CONTROL_CHARACTER.search(text)
    if found is None:
        return None
    return (
        f"{what} contains {control_character_name(found.group())}; codes, names and reasons are "
        "text without control characters (central refuses them): type it again without it"
    )
