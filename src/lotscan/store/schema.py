"""Tables of the lot cache. The shared master/state tables are also central's (see central).

Every rule the services check is a point or range look-up on an index declared here:
item by GTIN, lot by (item, code), FEFO by (item, status, expiry), stock by (lot, location)
and by location, task by code, task lines by (task, item), events by seq and by raw scan.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    # every model here is mapped to one Table (SQLAlchemy types it as the wider FromClause)
    __table__: ClassVar[Table]  # type: ignore[misc]


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    gln: Mapped[str | None] = mapped_column(String(13))
    # IANA time zone of the site's clock: EPCIS eventTimeZoneOffset, local dates in FSMA records.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")


class Party(Base):
    """A business the records name (FSMA 204 "location description"): our own sites and
    locations (a party whose code is the site's or location's code), suppliers, customers,
    farms, carriers. Events and tasks name a party by code or by business name."""

    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(64))
    gln: Mapped[str | None] = mapped_column(String(13))
    ffrn: Mapped[str | None] = mapped_column(String(32))


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(16), default="EA")
    lot_tracked: Mapped[bool] = mapped_column(Boolean, default=True)
    expiry_required: Mapped[bool] = mapped_column(Boolean, default=True)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    min_remaining_days: Mapped[int | None] = mapped_column(Integer)
    receive_status: Mapped[str] = mapped_column(String(16), default="released")
    # One trade unit (what AI 30 counts) holds pack_size of `unit`: a 25 KG SACK of flour.
    pack_size: Mapped[float | None] = mapped_column(Float)
    pack_unit: Mapped[str | None] = mapped_column(String(16))


class Location(Base):
    __tablename__ = "locations"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    gln: Mapped[str | None] = mapped_column(String(13), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    pickable: Mapped[bool] = mapped_column(Boolean, default=True)
    is_hold: Mapped[bool] = mapped_column(Boolean, default=False)


class Lot(Base):
    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("item_id", "code", name="uq_lots_item_code"),
        Index("ix_lots_fefo", "item_id", "status", "expiry"),
        Index("ix_lots_code", "code"),
        # A lot code known but for letter case (tester W21: Caps Lock on) is found in one probe.
        Index("ix_lots_item_code_lower", "item_id", text("lower(code)")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="released")
    expiry: Mapped[date | None] = mapped_column(Date)
    best_before: Mapped[date | None] = mapped_column(Date)
    production_date: Mapped[date | None] = mapped_column(Date)
    supplier: Mapped[str | None] = mapped_column(String(100))
    supplier_lot: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Who set the status the lot has since its last release (domain.status.held_by_of): a site,
    # sites, or "central"; None when released or not known. Kept by central, sent to stations.
    held_by: Mapped[str | None] = mapped_column(String(255))


class Stock(Base):
    __tablename__ = "stock"
    __table_args__ = (
        UniqueConstraint("lot_id", "location_id", name="uq_stock_lot_location"),
        Index("ix_stock_location", "location_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    qty: Mapped[float] = mapped_column(Float, default=0.0)
    received_at: Mapped[datetime | None] = mapped_column(DateTime)


class Container(Base):
    """A pallet or case by SSCC, and the lot it carries."""

    __tablename__ = "containers"
    sscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    qty: Mapped[float | None] = mapped_column(Float)
    task_code: Mapped[str | None] = mapped_column(String(64))


class Serial(Base):
    __tablename__ = "serials"
    __table_args__ = (UniqueConstraint("item_id", "serial", name="uq_serials_item_serial"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    serial: Mapped[str] = mapped_column(String(64))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    event_id: Mapped[str | None] = mapped_column(String(36))


class Task(Base):
    """ASN, PO, work order, pick list, shipment or count: `kind` says which."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    partner: Mapped[str | None] = mapped_column(String(200))
    due: Mapped[date | None] = mapped_column(Date)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    planned_qty: Mapped[float | None] = mapped_column(Float)
    line: Mapped[str | None] = mapped_column(String(32))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))


class TaskLine(Base):
    __tablename__ = "task_lines"
    __table_args__ = (
        UniqueConstraint("task_id", "line_no", name="uq_task_lines_no"),
        Index("ix_task_lines_item", "task_id", "item_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    qty_expected: Mapped[float] = mapped_column(Float, default=0.0)
    qty_done: Mapped[float] = mapped_column(Float, default=0.0)
    lot_code: Mapped[str | None] = mapped_column(String(64))
    sscc: Mapped[str | None] = mapped_column(String(18))
    # How much of qty_expected was closed short (pick.short events, summed): the line is closed
    # at qty_done + qty_short, and qty_expected stays what was ordered.
    qty_short: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class LotLink(Base):
    """Genealogy: a parent lot went into a child lot (through a work order)."""

    __tablename__ = "lot_links"
    __table_args__ = (
        Index("ix_lot_links_parent", "parent_lot_id"),
        Index("ix_lot_links_child", "child_lot_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    child_lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    qty: Mapped[float | None] = mapped_column(Float)
    task_code: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(36))


class Operator(Base):
    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(primary_key=True)
    badge: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16), default="operator")
    pin_hash: Mapped[str | None] = mapped_column(String(255))  # scrypt$salt$digest: 168 chars today
    # Deactivated at central (left, badge lost): central refuses their events, and the station,
    # which learns it by pull, refuses their sign-in and scans.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The site the operator works at (code); None: every site. Central sends an operator's row
    # (name, role, PIN hash) only to stations of that site, and refuses events naming them from
    # another site's station.
    site: Mapped[str | None] = mapped_column(String(64))


class Event(Base):
    """The outbox: immutable facts, gapless `seq` per station, synced in seq order."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_sync", "sync_state", "seq"),
        Index("ix_events_raw", "raw", "occurred_at"),
        Index("ix_events_task", "task_code", "type"),
        Index("ix_events_lot", "lot_code", "seq"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    station_id: Mapped[str] = mapped_column(String(64))
    operator: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    type: Mapped[str] = mapped_column(String(32))
    workflow: Mapped[str | None] = mapped_column(String(16))
    task_code: Mapped[str | None] = mapped_column(String(64))
    lot_code: Mapped[str | None] = mapped_column(String(64))
    raw: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    sync_state: Mapped[str] = mapped_column(String(10), default="pending")
    server_seq: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_reason: Mapped[str | None] = mapped_column(Text)


class Counter(Base):
    """Named counters, e.g. lot-number sequences per rendered prefix."""

    __tablename__ = "counters"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class PinTries(Base):
    """Wrong PINs in a row by badge and, once they reach the policy's pin_tries, the end of the
    lockout (seconds since the epoch): kept here, not in memory, so a restart of the station
    does not lift a lockout and wrong tries by separate `lotscan scan` runs count together."""

    __tablename__ = "pin_tries"
    badge: Mapped[str] = mapped_column(String(64), primary_key=True)
    wrong: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


# sync_state keys `lotscan enroll` stores central's answer under
ENROLLED_NAME_KEY = "station"  # the station's name at central
LOT_PART_KEY = "lot_part"  # the station's short part of lot numbers ({station})
DEMO_CACHE_KEY = "demo_cache"  # set in the cache `lotscan demo` makes: it is never enrolled


class SyncState(Base):
    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
