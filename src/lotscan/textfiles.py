"""Reading a settings or master-data text file as UTF-8, with a message people can act on.

Notepad and Excel save UTF-16 ("Unicode") with a byte-order mark, and old editors save
Latin-1; either would otherwise surface as a UnicodeDecodeError traceback. A UTF-8 byte-order
mark (Notepad's "UTF-8 with BOM") is accepted and dropped.

Also the one definition of the control characters text from outside may not carry (central refuses
them in requests) and the one way to show text containing them on a terminal: visibly, as escapes,
never passing an escape sequence through (tester W7).
"""

from __future__ import annotations

import re
from pathlib import Path

# C0 (NUL, ESC, CR, LF, TAB...), DEL, C1, and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069) that make text show in another order than it is stored.
CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escaped_control(character: str) -> str:
    """`\\u001b` for ESC: how a control character is named in messages and shown on terminals."""
    return f"\\u{ord(character):04x}"


def terminal_safe(text: str) -> str:
    """``text`` with each control character shown as its escape (`\\u001b`), for a terminal."""
    if CONTROL_CHARACTER.search(text) is None:
        return text
    return CONTROL_CHARACTER.sub(lambda found: escaped_control(found.group()), text)


class NotUtf8Error(ValueError):
    """The file is not UTF-8 text; str() names the file, the first bad byte and the fix."""


def read_utf8_text(path: Path, *, shown_as: str | Path | None = None) -> str:
    """The file's text. Raises NotUtf8Error ("FILE: not UTF-8 text (byte 0xff at 0): save it
    as UTF-8") for any other encoding, and OSError as Path.read_bytes does."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        what = f"byte 0x{data[exc.start]:02x} at {exc.start}"
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            what += "; it is UTF-16, as Notepad's 'Unicode' saves"
        name = path if shown_as is None else shown_as
        raise NotUtf8Error(f"{name}: not UTF-8 text ({what}): save it as UTF-8") from None
