"""Reading a settings or master-data text file as UTF-8, with a message people can act on.

Notepad and Excel save UTF-16 ("Unicode") with a byte-order mark, and old editors save
Latin-1; either would otherwise surface as a UnicodeDecodeError traceback. A UTF-8 byte-order
mark (Notepad's "UTF-8 with BOM") is accepted and dropped.

Also the one way to show text containing control characters (domain.control_characters, the rule
central and the station refuse them by) on a terminal: visibly, as escapes, never passing an escape
sequence through (tester W7).
"""

from __future__ import annotations

from pathlib import Path

from lotscan.domain.control_characters import CONTROL_CHARACTER, escaped_control


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
