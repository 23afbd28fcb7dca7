"""Hold and recall reach: which stations have an urgent change (a hold, a recall) and which not.

A station has a change once it has pulled past its seq (stations.pull_cursor >= seq). The
stations that must have it are the enrolled, not revoked stations of the change's site (all
sites for a change without one). A station marked out of service is not waited for; one that is
behind shows when it was last seen ("offline since"). Done: every station in service has it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from lotscan.central.changelog import encode_key, utcnow
from lotscan.central.errors import NotFound
from lotscan.central.schema import changes, stations
from lotscan.central.trace.decisions import record_decision
from lotscan.central.trace.tables import recalls
from lotscan.store.schema import Item, Lot


@dataclass
class StationReach:
    station: str
    site: str
    acknowledged: bool
    pull_cursor: int | None
    last_seen_at: datetime | None
    out_of_service_at: datetime | None


@dataclass
class Reach:
    change_seq: int | None
    site: str | None  # None: every site
    stations: list[StationReach] = field(default_factory=list)

    @property
    def in_service(self) -> list[StationReach]:
        return [s for s in self.stations if s.out_of_service_at is None]

    @property
    def missing(self) -> list[StationReach]:
        return [s for s in self.in_service if not s.acknowledged]

    @property
    def done(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "change_seq": self.change_seq,
            "site": self.site,
            "acknowledged": len(self.in_service) - len(self.missing),
            "stations": len(self.in_service),
            "done": self.done,
            "not_acknowledged": [
                {
                    "station": s.station,
                    "site": s.site,
                    "offline_since": s.last_seen_at,
                    "cursor": s.pull_cursor,
                }
                for s in self.missing
            ],
            "out_of_service": [s.station for s in self.stations if s.out_of_service_at is not None],
            "detail": [asdict(s) for s in self.stations],
        }


def reach(conn: Connection, seq: int | None, site: str | None) -> Reach:
    """Who has pulled past change `seq` (of `site`, or every site); no seq: nothing to wait for."""
    query = select(stations).where(stations.c.revoked_at.is_(None), stations.c.token_hash.is_not(None))
    if site is not None:
        query = query.where(stations.c.site == site)
    found = Reach(seq, site)
    for s in conn.execute(query.order_by(stations.c.name)):
        has_it = seq is None or (s.pull_cursor is not None and int(s.pull_cursor) >= seq)
        found.stations.append(
            StationReach(s.name, s.site, has_it, s.pull_cursor, s.last_seen_at, s.out_of_service_at)
        )
    return found


def lot_reach(conn: Connection, lot: str, item: str | None = None) -> list[dict[str, Any]]:
    """Per item with that lot code: its status and who has its newest urgent change."""
    query = select(Item.code, Lot.status).join(Item, Item.id == Lot.item_id).where(Lot.code == lot)
    if item:
        query = query.where(Item.code == item)
    found = conn.execute(query.order_by(Item.code)).all()
    if not found:
        raise NotFound(f"lot {lot!r}{f' of item {item!r}' if item else ''} is not known")
    result = []
    for item_code, status in found:
        newest = conn.execute(
            select(changes.c.seq, changes.c.site, changes.c.created_at)
            .where(changes.c.key == encode_key(("lot", item_code, lot)), changes.c.urgent.is_(True))
            .order_by(changes.c.seq.desc())
            .limit(1)
        ).first()
        seq, site, at = (int(newest[0]), newest[1], newest[2]) if newest else (None, None, None)
        entry = {"item": item_code, "lot": lot, "status": status, "urgent_change_at": at}
        entry.update(reach(conn, seq, site).to_dict())
        result.append(entry)
    return result


def recall_reach(conn: Connection, recall_id: int) -> dict[str, Any]:
    row = conn.execute(select(recalls).where(recalls.c.id == recall_id)).first()
    if row is None:
        raise NotFound(f"recall #{recall_id} is not known")
    seq = int(row.change_seq) if row.change_seq is not None else None
    # The recall's changes are for every site whose stations see the lots: wait for all stations.
    return {
        "recall_id": recall_id,
        "created_at": row.created_at,
        "reason": row.reason,
        **reach(conn, seq, None).to_dict(),
    }


def recalls_with_reach(conn: Connection) -> list[dict[str, Any]]:
    ids = [int(r[0]) for r in conn.execute(select(recalls.c.id).order_by(recalls.c.id.desc()))]
    return [recall_reach(conn, i) for i in ids]


def set_out_of_service(conn: Connection, name: str, out: bool = True, *, by: str = "central") -> None:
    """Mark a station out of service (or back), recorded in the audit chain as a decision."""
    done = conn.execute(
        update(stations)
        .where(stations.c.name == name, stations.c.revoked_at.is_(None))
        .values(out_of_service_at=utcnow() if out else None)
    ).rowcount
    if not done:
        raise NotFound(f"station {name!r} is not known (or revoked)")
    site = conn.execute(select(stations.c.site).where(stations.c.name == name)).scalar()
    decision = "station.out_of_service" if out else "station.in_service"
    record_decision(conn, decision, by=by, subject=f"station {name}", site=site)
