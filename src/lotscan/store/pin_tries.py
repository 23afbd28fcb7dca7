"""Wrong PINs in a row and PIN lockouts, by badge, in the cache (table pin_tries): shared by every
process on the cache and kept across restarts. Each change is one short write transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from lotscan.store.schema import PinTries


@dataclass(frozen=True)
class PinState:
    wrong: int = 0  # wrong PINs in a row since the last right one or lockout
    locked_until: float = 0.0  # seconds since the epoch; 0: not locked


def pin_state(conn: Connection, badge: str) -> PinState:
    row = conn.execute(select(PinTries.wrong, PinTries.locked_until).where(PinTries.badge == badge)).first()
    return PinState(row.wrong, row.locked_until) if row else PinState()


def count_wrong_pin(conn: Connection, badge: str, *, tries: int, lockout_s: float, now: float) -> PinState:
    """One more wrong PIN for `badge`, in the caller's write transaction (take the write lock
    first, so two processes never both read the same count); at `tries` in a row the badge is
    locked until now + lockout_s and the count starts again. Returns the new state, with the
    count that was reached."""
    before = pin_state(conn, badge)
    wrong = before.wrong + 1
    locked_until = before.locked_until
    stored_wrong = wrong
    if wrong >= tries and lockout_s > 0:
        locked_until, stored_wrong = now + lockout_s, 0
    values = {"wrong": stored_wrong, "locked_until": locked_until}
    if conn.execute(update(PinTries).where(PinTries.badge == badge).values(**values)).rowcount == 0:
        conn.execute(insert(PinTries).values(badge=badge, **values))
    return PinState(wrong, locked_until)


def forget_wrong_pins(conn: Connection, badge: str) -> None:
    """A right PIN: the count of wrong ones starts again (a lockout still running stays)."""
    conn.execute(update(PinTries).where(PinTries.badge == badge).values(wrong=0))
    conn.execute(
        delete(PinTries).where(PinTries.badge == badge, PinTries.wrong == 0, PinTries.locked_until <= 0)
    )
