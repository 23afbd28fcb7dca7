"""Linux key codes to characters, per keyboard layout, the way a keyboard-wedge scanner types.

Scanners type with the host's layout in mind; when the station's layout differs from the one
the scanner was set up for, punctuation and even digits come out wrong, so the profile names
the layout. GS (0x1D) arrives as ctrl+] or as Alt held while typing 0, 2, 9 on the keypad.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Linux input-event-codes.h
KEY_LEFTCTRL, KEY_RIGHTCTRL = 29, 97
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
KEY_LEFTALT, KEY_RIGHTALT = 56, 100
KEY_CAPSLOCK = 58
KEY_ENTER, KEY_KPENTER, KEY_TAB = 28, 96, 15
KEYPAD_DIGITS = {82: 0, 79: 1, 80: 2, 81: 3, 75: 4, 76: 5, 77: 6, 71: 7, 72: 8, 73: 9}
KEYPAD_CHARS = {55: "*", 74: "-", 78: "+", 83: ".", 98: "/"}

_ROWS = {  # key codes of the main block, in order
    "digits": (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13),
    "top": (16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27),
    "home": (30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 43),
    "bottom": (86, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53),
}


def _layout(
    rows: dict[str, tuple[str, str]], altgr: dict[int, str] | None = None
) -> dict[int, tuple[str, str, str]]:
    table: dict[int, tuple[str, str, str]] = {57: (" ", " ", " ")}
    for row, (plain, shifted) in rows.items():
        for code, low, high in zip(_ROWS[row], plain, shifted, strict=False):
            table[code] = (low, high, (altgr or {}).get(code, ""))
    for code, char in (altgr or {}).items():
        low, high, _ = table.get(code, ("", "", ""))
        table[code] = (low, high, char)
    return table


LAYOUTS: dict[str, dict[int, tuple[str, str, str]]] = {
    "us": _layout(
        {
            "digits": ("1234567890-=", "!@#$%^&*()_+"),
            "top": ("qwertyuiop[]", "QWERTYUIOP{}"),
            "home": ("asdfghjkl;'`\\", 'ASDFGHJKL:"~|'),
            "bottom": ("\\zxcvbnm,./", "|ZXCVBNM<>?"),
        }
    ),
    "de": _layout(
        {
            "digits": ("1234567890ß´", '!"§$%&/()=?`'),
            "top": ("qwertzuiopü+", "QWERTZUIOPÜ*"),
            "home": ("asdfghjklöä^#", "ASDFGHJKLÖÄ°'"),
            "bottom": ("<yxcvbnm,.-", ">YXCVBNM;:_"),
        },
        {3: "²", 4: "³", 8: "{", 9: "[", 10: "]", 11: "}", 12: "\\", 16: "@", 27: "~", 86: "|"},
    ),
    "fr": _layout(
        {
            "digits": ("&é\"'(-è_çà)=", "1234567890°+"),
            "top": ("azertyuiop^$", "AZERTYUIOP¨£"),
            "home": ("qsdfghjklmù²*", "QSDFGHJKLM%~µ"),
            "bottom": ("<wxcvbn,;:!", ">WXCVBN?./§"),
        },
        {3: "~", 4: "#", 5: "{", 6: "[", 7: "|", 8: "`", 9: "\\", 10: "^", 11: "@", 12: "]", 13: "}"},
    ),
}
# Where "]" sits on a US keyboard: scanners send GS as ctrl + this key, whatever the layout.
_US_RIGHTBRACE = 27


@dataclass
class KeyDecoder:
    """Feed key events (code, value: 1 down, 0 up, 2 autorepeat); get characters back.
    Enter is returned as "\\r" so the usual suffix framing applies."""

    layout: str = "us"
    _shift: int = 0
    _ctrl: int = 0
    _alt: int = 0
    _altgr: int = 0
    _caps: bool = False
    _alt_digits: str = ""
    _table: dict[int, tuple[str, str, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown keyboard layout {self.layout!r}: use one of {', '.join(LAYOUTS)}")
        self._table = LAYOUTS[self.layout]

    def feed(self, code: int, value: int) -> str:
        down = value != 0
        step = 1 if down else -1
        if code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
            self._shift = max(0, self._shift + step) if value != 2 else self._shift
            return ""
        if code in (KEY_LEFTCTRL, KEY_RIGHTCTRL):
            self._ctrl = max(0, self._ctrl + step) if value != 2 else self._ctrl
            return ""
        if code == KEY_LEFTALT or (code == KEY_RIGHTALT and self.layout == "us"):
            if value == 1:
                self._alt += 1
            elif value == 0:
                self._alt = max(0, self._alt - 1)
                if not self._alt and self._alt_digits:
                    char = chr(int(self._alt_digits) & 0xFF)
                    self._alt_digits = ""
                    return char
            return ""
        if code == KEY_RIGHTALT:
            self._altgr = max(0, self._altgr + step) if value != 2 else self._altgr
            return ""
        if code == KEY_CAPSLOCK:
            if value == 1:
                self._caps = not self._caps
            return ""
        if not down:
            return ""
        if self._alt and code in KEYPAD_DIGITS:
            self._alt_digits += str(KEYPAD_DIGITS[code])
            return ""
        if code in (KEY_ENTER, KEY_KPENTER):
            return "\r"
        if code == KEY_TAB:
            return "\t"
        if code in KEYPAD_DIGITS:
            return str(KEYPAD_DIGITS[code])
        if code in KEYPAD_CHARS:
            return KEYPAD_CHARS[code]
        if self._ctrl and code == _US_RIGHTBRACE:
            return "\x1d"
        entry = self._table.get(code)
        if entry is None:
            return ""
        low, high, altgr = entry
        if self._altgr:
            return altgr
        shifted = bool(self._shift) != (self._caps and low.isalpha())
        char = high if shifted else low
        if self._ctrl:
            return _control(char)
        return char


def _control(char: str) -> str:
    """ctrl+key: the C0 control character (ctrl+D -> EOT, ctrl+^ -> RS), else nothing."""
    upper = char.upper()
    if upper and "@" <= upper <= "_":
        return chr(ord(upper) & 0x1F)
    return ""


def type_text(text: str, layout: str = "us", *, gs_as: str = "ctrl") -> list[tuple[int, int]]:
    """Key events that type ``text`` on ``layout`` (for tests and the HID simulator)."""
    events: list[tuple[int, int]] = []
    reverse: dict[str, tuple[int, str]] = {}
    for code, (low, high, altgr) in LAYOUTS[layout].items():
        for char, mode in ((low, ""), (high, "shift"), (altgr, "altgr")):
            if char and char not in reverse:
                reverse[char] = (code, mode)
    for char in text:
        if char == "\x1d":
            if gs_as == "alt":
                events += [
                    (KEY_LEFTALT, 1),
                    (82, 1),
                    (82, 0),
                    (80, 1),
                    (80, 0),
                    (73, 1),
                    (73, 0),
                    (KEY_LEFTALT, 0),
                ]
            else:
                events += [(KEY_LEFTCTRL, 1), (_US_RIGHTBRACE, 1), (_US_RIGHTBRACE, 0), (KEY_LEFTCTRL, 0)]
            continue
        if char in "\r\n":
            events += [(KEY_ENTER, 1), (KEY_ENTER, 0)]
            continue
        code, mode = reverse[char]
        modifier = {"shift": KEY_LEFTSHIFT, "altgr": KEY_RIGHTALT}.get(mode)
        if modifier:
            events.append((modifier, 1))
        events += [(code, 1), (code, 0)]
        if modifier:
            events.append((modifier, 0))
    return events
