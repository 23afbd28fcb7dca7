"""The audit chain: appends records for received events and central's decisions to their chain,
and seals rows that were stored without one. What a record covers is in `audited`; checking the
chains is in `audit_verify` (re-exported here as `verify`).

Every chain record is (chain, seq, kind, ref, prev_hash, hash); audit_heads holds each chain's
newest record, and its row lock keeps concurrent appends to one chain from forking it. Changing,
removing or reordering an audited row or a chain record breaks its own hash or the link to the
next record; removing the newest records disagrees with the head; a checkpoint signed outside the
database (`checkpoint`) catches a rewrite of chain and heads together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lotscan.central.trace.audit_verify import Finding, Verification, verify
from lotscan.central.trace.audited import (
    EVENT,
    GENESIS,
    KINDS,
    Audited,
    chain_hash,
    chain_of,
    unchained_query,
)
from lotscan.central.trace.tables import audit_heads, audit_log

Record = tuple[str, str, Mapping[Any, Any]]  # chain, kind, the audited row (at least its fields)


def append(conn: Connection, records: Sequence[Record]) -> None:
    """Chain `records`, each chain's in the order given, inside the caller's transaction. Chains
    are locked in name order, so two appends never wait on each other's heads in a cycle."""
    by_chain: dict[str, list[tuple[Audited, Mapping[Any, Any]]]] = {}
    for chain, kind, row in records:
        by_chain.setdefault(chain, []).append((KINDS[kind], row))
    for chain in sorted(by_chain):
        seq, last = _lock_head(conn, chain)
        rows = []
        for audited, row in by_chain[chain]:
            seq += 1
            digest = chain_hash(last, audited, row)
            rows.append(
                {
                    "site": chain,
                    "site_seq": seq,
                    "kind": audited.kind,
                    "ref": int(row[audited.key]),
                    "prev_hash": last,
                    "hash": digest,
                }
            )
            last = digest
        conn.execute(insert(audit_log), rows)
        conn.execute(update(audit_heads).where(audit_heads.c.site == chain).values(site_seq=seq, hash=last))


def events_record(events: Sequence[Mapping[Any, Any]]) -> list[Record]:
    """Records for stored events (received_events rows with their server_seq), in server order."""
    ordered = sorted(events, key=lambda e: (e["site"], e["server_seq"]))
    return [(str(e["site"]), EVENT, e) for e in ordered]


def append_events(conn: Connection, events: Sequence[Mapping[Any, Any]]) -> None:
    append(conn, events_record(events))


def rows_of(conn: Connection, kind: str, refs: Sequence[int]) -> list[Mapping[Any, Any]]:
    """The rows `kind` covers, by key, as stored now (in key order)."""
    audited = KINDS[kind]
    table = audited.table
    key = table.c[audited.key]
    return [
        r._mapping
        for r in conn.execute(select(table).where(key.in_(list(refs))).order_by(key))  # type: ignore[arg-type]
    ]


def record(conn: Connection, kind: str, refs: Sequence[int], chain: str | None = None) -> None:
    """Chain the rows of `kind` with these keys: into `chain`, or the chain the kind names for
    each row (its site, or the company chain)."""
    if refs:
        rows = rows_of(conn, kind, refs)
        append(conn, [(chain or chain_of(conn, KINDS[kind], row), kind, row) for row in rows])


def _lock_head(conn: Connection, chain: str) -> tuple[int, str]:
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        dialect_insert(audit_heads).values(site=chain, site_seq=0, hash=GENESIS).on_conflict_do_nothing()
    )
    row = conn.execute(
        select(audit_heads.c.site_seq, audit_heads.c.hash)
        .where(audit_heads.c.site == chain)
        .with_for_update()
    ).one()
    return int(row.site_seq), str(row.hash)


def seal_unchained(conn: Connection) -> int:
    """Chain every audited row stored without its record (before the chain covered it, or by a
    path that did not chain it): events first, in server order, then decisions. Returns how many."""
    sealed = 0
    for audited in KINDS.values():
        if audited.legacy:
            continue
        rows = [r._mapping for r in conn.execute(unchained_query(audited))]
        if audited.kind == EVENT:
            append_events(conn, rows)
        else:
            append(conn, [(chain_of(conn, audited, row), audited.kind, row) for row in rows])
        sealed += len(rows)
    return sealed


__all__ = ["Finding", "Verification", "append", "append_events", "record", "seal_unchained", "verify"]
