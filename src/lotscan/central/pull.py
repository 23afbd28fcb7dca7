"""Serving changes after a cursor, in pages, plus the current rows a station asks for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, text, update

from lotscan.central import changelog, site_scope, tokens
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
    refuse_cursor_ahead(request.after, changelog.latest_seq(conn))
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
        readable, data = site_scope.row_for_site(conn, key, data, station.site)
        if readable:
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


def refuse_cursor_ahead(after: int, head: int) -> None:
    """A cursor beyond central's newest change was never handed out by this central (it was
    restored from a backup or re-created, or the station's cache is damaged): answering "nothing
    changed" would hide every change from that station for good, recalls included."""
    if after > head:
        raise ReloadRequired(
            f"cursor {after} is ahead of central's log ({head}): reload the snapshot "
            "(a syncing station does it by itself; unsent events are kept and sent again)",
            head=head,
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
# as in one repeatable-read transaction). The page comes back as one text, the changes' JSON
# joined by the database from the JSON text they are stored as: no row of it is decoded and
# encoded again in Python. Revoked tokens read no changes. `odd`: a stored row json.dumps wrote
# NaN or Infinity into (not JSON), which the models turn into null (`pull` answers such a page).
_PULL_PAGE = text(
    "SELECT s.name, s.site, s.revoked_at, s.last_seq, c.floor, c.value AS head,"
    " p.n, p.top, p.urgent, p.odd, p.body"
    " FROM stations s CROSS JOIN change_counter c"
    " LEFT JOIN LATERAL (SELECT count(*) AS n, max(seq) AS top, bool_or(urgent) AS urgent,"
    "  bool_or(data LIKE '%NaN%' OR data LIKE '%Infinity%') AS odd,"
    "  string_agg('{\"seq\":' || seq || ',\"key\":' || key || ',\"data\":' || coalesce(data, 'null')"
    "   || ',\"urgent\":' || CASE WHEN urgent THEN 'true' ELSE 'false' END || '}', ',' ORDER BY seq) AS body"
    "  FROM (SELECT seq, key, data, urgent FROM changes"
    "   WHERE seq > :after AND (site IS NULL OR site = s.site)"
    "   AND s.revoked_at IS NULL AND :after >= c.floor ORDER BY seq LIMIT :limit) page) p ON true"
    " WHERE s.token_hash = :token_hash AND c.id = 1"
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
    row = conn.execute(
        _PULL_PAGE, {"after": request.after, "limit": request.limit, "token_hash": tokens.digest(token)}
    ).first()
    if row is None or row.revoked_at is not None:
        tokens.station_for_token(conn, token)  # raises, saying which of the refusals it is
        raise Unauthorized("unknown station token")  # pragma: no cover - not reached
    station = StationIdentity(row.name, row.site)
    if request.after < row.floor:
        raise ReloadRequired(
            f"cursor {request.after} is older than the change log central keeps (from {row.floor + 1}); "
            "reload a snapshot, then re-send unsent events",
            floor=int(row.floor),
        )
    refuse_cursor_ahead(request.after, int(row.head))
    if row.odd:
        return None
    next_cursor = int(row.top) if row.n else request.after
    head = PullResponse(
        changes=[],
        rows=[],
        next_cursor=next_cursor,
        has_more=row.n == request.limit,
        station_last_seq=int(row.last_seq or 0),
        server_time=utcnow(),
    ).model_dump_json()
    assert head.startswith(_NO_CHANGES)
    body = '{"changes":[' + (row.body or "") + "]" + head[len(_NO_CHANGES) :]
    return Page(station, body.encode(), next_cursor, bool(row.urgent))


_NO_CHANGES = '{"changes":[]'
