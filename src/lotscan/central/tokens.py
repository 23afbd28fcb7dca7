"""Enrolment codes, station tokens and admin tokens: random secrets, stored only as SHA-256 hashes.

The secrets are 256-bit random values, so a fast hash is enough (no password stretching needed);
a stolen database does not reveal a usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, insert, select, update

from lotscan.central.changelog import utcnow
from lotscan.central.errors import Conflict, Forbidden, NotFound, Unauthorized
from lotscan.central.schema import admin_tokens, stations
from lotscan.central.trace import audited, decisions
from lotscan.domain.lot_numbers import station_part_candidates
from lotscan.store.schema import Site

CODE_VALID_FOR = timedelta(days=7)


@dataclass(frozen=True)
class StationIdentity:
    name: str
    site: str
    lot_part: str = ""  # the station's part of the lot numbers it makes ({station}), <= 11 chars


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_enrolment_code() -> str:
    raw = secrets.token_hex(8).upper()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def add_station(conn: Connection, site: str, name: str | None = None) -> tuple[str, str]:
    """Register a station for `site`; returns (station name, one-time enrolment code)."""
    if conn.execute(select(Site.id).where(Site.code == site)).first() is None:
        raise NotFound(f"site {site!r} is not known; import it first (lotscan central import)")
    if name is None:
        count = len(conn.execute(select(stations.c.id).where(stations.c.site == site)).all())
        name = f"{site}-ST{count + 1:02d}"
        while conn.execute(select(stations.c.id).where(stations.c.name == name)).first():
            count += 1
            name = f"{site}-ST{count + 1:02d}"
    elif conn.execute(select(stations.c.id).where(stations.c.name == name)).first():
        raise Conflict(f"station {name!r} already exists; pick another name or revoke it first")
    code = new_enrolment_code()
    station_id = conn.execute(
        insert(stations)
        .returning(stations.c.id)
        .values(name=name, site=site, enrol_code_hash=digest(code), created_at=utcnow(), last_seq=0)
    ).scalar_one()
    part = free_lot_part(conn, name, station_id)
    conn.execute(update(stations).where(stations.c.id == station_id).values(lot_part=part))
    decisions.record(conn, audited.STATION_ADDED, [int(station_id)])
    return name, code


def free_lot_part(conn: Connection, name: str, station_id: int) -> str:
    """The first station part for lot numbers no other station holds (issue 14, #19): a produced
    lot number stays within GS1's 20 characters whatever the site's name, and unique across
    stations working offline."""
    for part in station_part_candidates(name, int(station_id)):
        others = select(stations.c.id).where(stations.c.lot_part == part, stations.c.id != station_id)
        if conn.execute(others).first() is None:
            return part
    raise AssertionError("unreachable: the candidates never end")


def enroll(conn: Connection, code: str, local_id: str = "") -> tuple[StationIdentity, str]:
    """Exchange a one-time code for the station's token; the code stops working."""
    row = conn.execute(
        select(
            stations.c.id,
            stations.c.name,
            stations.c.site,
            stations.c.lot_part,
            stations.c.created_at,
            stations.c.revoked_at,
        )
        .where(stations.c.enrol_code_hash == digest(code.strip().upper()))
        .with_for_update()
    ).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized(
            "this enrolment code is not valid (wrong, already used or revoked); "
            "ask an administrator for a new one: lotscan central station add --site SITE"
        )
    if utcnow() - row.created_at > CODE_VALID_FOR:
        raise Unauthorized("this enrolment code has expired; ask an administrator for a new one")
    token = "lst_" + secrets.token_urlsafe(32)
    now = utcnow()
    conn.execute(
        update(stations)
        .where(stations.c.id == row.id)
        .values(
            enrol_code_hash=None,
            token_hash=digest(token),
            enrolled_at=now,
            local_id=local_id or None,
            last_seen_at=now,
        )
    )
    decisions.record(conn, audited.STATION_ENROLLED, [int(row.id)])
    return StationIdentity(row.name, row.site, row.lot_part or ""), token


def station_for_token(conn: Connection, token: str) -> StationIdentity:
    row = conn.execute(
        select(stations.c.name, stations.c.site, stations.c.revoked_at).where(
            stations.c.token_hash == digest(token)
        )
    ).first()
    if row is None:
        if admin_for_token(conn, token, required=False):
            raise Forbidden("this is an admin token; station endpoints need a station token")
        raise Unauthorized(
            "unknown station token; enrol the station again: lotscan enroll --server URL --code CODE"
        )
    if row.revoked_at is not None:
        raise Unauthorized("this station's token was revoked; ask an administrator for a new enrolment code")
    return StationIdentity(row.name, row.site)


def lock_station(conn: Connection, token: str) -> tuple[StationIdentity, int]:
    """The station a token belongs to and its last pushed seq, its row locked for the caller's
    push: the token check and the lock every push takes anyway, in one statement (a revoked
    token is refused inside the push's own transaction)."""
    row = conn.execute(
        select(stations.c.name, stations.c.site, stations.c.revoked_at, stations.c.last_seq)
        .where(stations.c.token_hash == digest(token))
        .with_for_update()
    ).first()
    if row is None or row.revoked_at is not None:
        station_for_token(conn, token)  # raises, saying which of the refusals it is
        raise Unauthorized("unknown station token")  # pragma: no cover - not reached
    return StationIdentity(row.name, row.site), int(row.last_seq or 0)


def revoke_station(conn: Connection, name: str) -> None:
    """Revoke a station's token (and any unused enrolment code); revoking again changes nothing."""
    row = conn.execute(select(stations.c.id, stations.c.revoked_at).where(stations.c.name == name)).first()
    if row is None:
        raise NotFound(f"station {name!r} is not known; see lotscan central stations")
    if row.revoked_at is None:
        conn.execute(update(stations).where(stations.c.id == row.id).values(revoked_at=utcnow()))
        decisions.record(conn, audited.STATION_REVOKED, [int(row.id)])


def add_admin_token(conn: Connection, name: str) -> str:
    if conn.execute(select(admin_tokens.c.id).where(admin_tokens.c.name == name)).first():
        raise Conflict(f"an admin token named {name!r} exists; revoke it or choose another name")
    token = "lat_" + secrets.token_urlsafe(32)
    token_id = conn.execute(
        insert(admin_tokens)
        .returning(admin_tokens.c.id)
        .values(name=name, token_hash=digest(token), created_at=utcnow())
    ).scalar_one()
    decisions.record(conn, audited.ADMIN_ADDED, [int(token_id)])
    return token


def revoke_admin_token(conn: Connection, name: str) -> None:
    row = conn.execute(
        select(admin_tokens.c.id, admin_tokens.c.revoked_at).where(admin_tokens.c.name == name)
    ).first()
    if row is None:
        raise NotFound(f"admin token {name!r} is not known")
    if row.revoked_at is None:
        conn.execute(update(admin_tokens).where(admin_tokens.c.id == row.id).values(revoked_at=utcnow()))
        decisions.record(conn, audited.ADMIN_REVOKED, [int(row.id)])


def admin_for_token(conn: Connection, token: str, *, required: bool = True) -> str | None:
    row = conn.execute(
        select(admin_tokens.c.name, admin_tokens.c.revoked_at).where(
            admin_tokens.c.token_hash == digest(token)
        )
    ).first()
    if row is None or row.revoked_at is not None:
        if not required:
            return None
        raise Forbidden("this endpoint needs a valid admin token (lotscan central token add --name NAME)")
    return str(row.name)
