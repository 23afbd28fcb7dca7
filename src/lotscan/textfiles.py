"""Reading a settings or master-data text file as UTF-8, with a message people can act on.

Notepad and Excel save UTF-16 ("Unicode") with a byte-order mark, and old editors save
Latin-1; either would otherwise surface as a UnicodeDecodeError traceback. A UTF-8 byte-order
mark (Notepad's "UTF-8 with BOM") is accepted and dropped.
"""

from __future__ import annotations

from pathlib import Path


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
