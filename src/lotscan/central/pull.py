"""Serving changes after a cursor, in pages, plus the current rows a station asks for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, text, update

from lotscan.central import changelog, tokens
from lotscan.central.changelog import utcnow
from lotscan.central.errors import BadBatch, ReloadRequired, Unauthorized
from lotscan.central.schema import stations
from lotscan.central.tokens import StationIdentity
from lotscan.protocol import Change, KeyedRow, PullRequest, PullResponse
from lotscan.store.rows import read_row


def pull(conn: Connection, station: StationIdentity, request: PullRequest) -> PullResponse:
    """Run inside one read transaction (one snapshot): page, rows and last seq agree."""
    floor = changelog.floor(conn)
    if request.after < floor:
        raise ReloadRequired(
            f"cursor {request.after} is older than the change log central keeps (from {floor + 1}); "
            "reload a snapshot, then re-send unsent events",
            floor=floor,
        )
    page = changelog.read_page(conn, request.after, station.site, request.limit)
    rows = []
    for raw_key in request.keys:
        key = tuple(raw_key)
        try:
            data, site = read_row(conn, key)
        except (ValueError, IndexError) as exc:
            raise BadBatch(f"bad row key {raw_key!r}: {exc}") from exc
        if site is not None and site != station.site:
            continue  # another site's row: not this station's to read
        rows.append(KeyedRow(key=list(key), data=data))
    last_seq = int(
        conn.execute(select(stations.c.last_seq).where(stations.c.name == station.name)).scalar() or 0
    )
    return PullResponse(
        changes=[Change(seq=s, key=k, data=d, urgent=u) for s, k, d, u in page],
        rows=rows,
        next_cursor=page[-1][0] if page else request.after,
        has_more=len(page) == request.limit,
        station_last_seq=last_seq,
        server_time=utcnow(),
    )


def note_pull(conn: Connection, station: StationIdentity, cursor: int, pending: int | None) -> None:
    now = utcnow()
    conn.execute(
        update(stations)
        .where(stations.c.name == station.name)
        .values(last_pull_at=now, last_seen_at=now, pull_cursor=cursor, pending=pending)
    )


# PostgreSQL, a pull that asks for no rows (nearly every pull): the token check, the station's
# last seq, the change log's floor and the page, in one statement (one snapshot, so they agree
# as in one repeatable-read transaction). Revoked tokens read no changes.
_PULL_PAGE = text(
    "SELECT s.name, s.site, s.revoked_at, s.last_seq, c.floor, ch.seq, ch.key, ch.data, ch.urgent"
    " FROM stations s CROSS JOIN change_counter c"
    " LEFT JOIN LATERAL (SELECT seq, key, data, urgent FROM changes"
    "  WHERE seq > :after AND (site IS NULL OR site = s.site)"
    "  AND s.revoked_at IS NULL AND :after >= c.floor ORDER BY seq LIMIT :limit) ch ON true"
    " WHERE s.token_hash = :token_hash AND c.id = 1 ORDER BY ch.seq"
)


@dataclass(frozen=True)
class Page:
    """A pull answered by `pull_for_token`: the response body, already JSON."""

    station: StationIdentity
    body: bytes
    next_cursor: int
    urgent: bool


def pull_for_token(conn: Connection, token: str, request: PullRequest) -> Page | None:
    """Check the station's token and serve its page in one statement; the stored change rows
    are passed through as the JSON text they are kept in (not decoded and encoded again).
    None: this pull asks for rows, or the database is not PostgreSQL; `pull` answers it."""
    if request.keys or conn.dialect.name != "postgresql":
        return None
    rows = conn.execute(
        _PULL_PAGE, {"after": request.after, "limit": request.limit, "token_hash": tokens.digest(token)}
    ).all()
    if not rows or rows[0].revoked_at is not None:
        tokens.station_for_token(conn, token)  # raises, saying which of the refusals it is
        raise Unauthorized("unknown station token")  # pragma: no cover - not reached
    first = rows[0]
    station = StationIdentity(first.name, first.site)
    if request.after < first.floor:
        raise ReloadRequired(
            f"cursor {request.after} is older than the change log central keeps (from {first.floor + 1}); "
            "reload a snapshot, then re-send unsent events",
            floor=int(first.floor),
        )
    page = [r for r in rows if r.seq is not None]
    if any(_not_plain_json(r.data) for r in page):
        return None
    next_cursor = int(page[-1].seq) if page else request.after
    head = PullResponse(
        changes=[],
        rows=[],
        next_cursor=next_cursor,
        has_more=len(page) == request.limit,
        station_last_seq=int(first.last_seq or 0),
        server_time=utcnow(),
    ).model_dump_json()
    assert head.startswith('{"changes":[]')
    changes = ",".join(
        f'{{"seq":{int(r.seq)},"key":{r.key},"data":{r.data or "null"},"urgent":{_JSON[bool(r.urgent)]}}}'
        for r in page
    )
    body = ('{"changes":[' + changes + "]" + head[len('{"changes":[]') :]).encode()
    return Page(station, body, next_cursor, any(r.urgent for r in page))


_JSON = {True: "true", False: "false"}


def _not_plain_json(data: str | None) -> bool:
    """Stored by json.dumps, which writes NaN and Infinity (not JSON): such a row goes the long
    way, through the models, as before."""
    return data is not None and ("NaN" in data or "Infinity" in data)
