"""What the screen says before the first scan, and the help text (with the demo's barcodes)."""

from __future__ import annotations

from lotscan.services.demo import demo_barcodes
from lotscan.services.session import HELP
from lotscan.settings import StationSettings
from lotscan.station.keys import ACTIONS, MODE_KEYS

DEMO_BADGES = "Demo badges: OP:1001 operator, OP:9001 supervisor (PIN 4321)."


def is_demo(settings: StationSettings) -> bool:
    return settings.database.name == "demo.db"


def idle_text(settings: StationSettings) -> str:
    text = f"Station {settings.station_id} ready."
    if is_demo(settings):
        text += " " + DEMO_BADGES
    return text


def help_text(settings: StationSettings) -> str:
    keys = "\n".join(f"  {a.fkey.upper():>4} or {a.letter}  {a.label}" for a in ACTIONS)
    modes = "\n".join(f"  {key}  {label}" for key, _, label in MODE_KEYS)
    text = (
        "Scan anything. Keys (shown at the bottom):\n"
        f"{keys}\n  Esc        cancel what you are typing\n  Ctrl+]     type the GS separator\n"
        "  PgUp/PgDn  scroll the work panel\n  Ctrl+Q     quit\n\n"
        f"Mode menu (F2 or m), one key each (* supervisor):\n{modes}\n\n{HELP}"
    )
    if is_demo(settings):
        text += f"\n\n{DEMO_BADGES}\nDemo barcodes (type or paste one; press e first to type letters freely):"
    return text


def help_codes(settings: StationSettings) -> list[tuple[str, str]]:
    """The demo's barcodes, (what it is for, the code), shown under the help text one a line."""
    return demo_barcodes() if is_demo(settings) else []
