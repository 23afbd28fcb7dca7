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

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lotscan.central.db import Tail
from lotscan.central.trace.audit_verify import Finding, Verification, verify
from lotscan.central.trace.audited import (
    EVENT,
    GENESIS,
    KINDS,
    Audited,
    chain_hash,
    chain_of,
    covered_text,
    unchained_query,
)
from lotscan.central.trace.tables import audit_heads, audit_log

Record = tuple[str, str, Mapping[Any, Any]]  # chain, kind, the audited row (at least its fields)


def append(conn: Connection, records: Sequence[Record], *, tail: Tail | None = None) -> None:
    """Chain `records`, each chain's in the order given, inside the caller's transaction. Chains
    are locked in name order, so two appends never wait on each other's heads in a cycle.
    PostgreSQL with `tail`: the appends are put there, for `Tail.commit` to send with the COMMIT,
    so each head's lock is held for no round trip at all."""
    by_chain: dict[str, list[tuple[Audited, Mapping[Any, Any]]]] = {}
    for chain, kind, row in records:
        by_chain.setdefault(chain, []).append((KINDS[kind], row))
    for chain in sorted(by_chain):
        if conn.dialect.name == "postgresql" and tail is not None:
            # The chain's first record: its head made first (a no-op when it is there, which
            # does not wait for the head's lock), since no answer is read back before the commit.
            tail.add(_NEW_HEAD, {"chain": chain, "genesis": GENESIS})
            tail.add(_APPEND, _append_values(chain, by_chain[chain]))
            continue
        if conn.dialect.name == "postgresql":
            _append_in_one_statement(conn, chain, by_chain[chain])
            continue
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


# PostgreSQL: lock the chain's head, link the records (chain_hash, in SQL), insert them and move
# the head, in one round trip. The head's lock, which every append to the chain waits for, is
# then held only for this statement and the commit; what a record covers is put into text by
# Python beforehand (`covered`), outside the lock.
_APPEND = text(
    "WITH RECURSIVE head AS ("
    " SELECT site_seq, hash FROM audit_heads WHERE site = :chain FOR UPDATE),"
    " linked(ord, seq, prev_hash, hash) AS ("
    "  SELECT 0, site_seq, CAST(NULL AS text), CAST(hash AS text) FROM head"
    "  UNION ALL"
    "  SELECT ord + 1, seq + 1, hash,"
    "   encode(sha256(convert_to(hash || chr(31) || (CAST(:covered AS text[]))[ord + 1], 'UTF8')), 'hex')"
    "  FROM linked WHERE ord < :n),"
    " stored AS ("
    "  INSERT INTO audit_log (site, site_seq, kind, ref, prev_hash, hash)"
    "  SELECT :chain, seq, (CAST(:kinds AS text[]))[ord], (CAST(:refs AS bigint[]))[ord], prev_hash, hash"
    "  FROM linked WHERE ord > 0"
    "  RETURNING site_seq, hash),"
    " newest AS (SELECT site_seq, hash FROM stored ORDER BY site_seq DESC LIMIT 1)"
    " UPDATE audit_heads SET site_seq = newest.site_seq, hash = newest.hash FROM newest"
    " WHERE audit_heads.site = :chain RETURNING audit_heads.site_seq"
)


_NEW_HEAD = text(
    "INSERT INTO audit_heads (site, site_seq, hash) VALUES (:chain, 0, :genesis) ON CONFLICT DO NOTHING"
)


def _append_values(chain: str, records: list[tuple[Audited, Mapping[Any, Any]]]) -> dict[str, Any]:
    return {
        "chain": chain,
        "n": len(records),
        "covered": [covered_text(audited, row) for audited, row in records],
        "kinds": [audited.kind for audited, _ in records],
        "refs": [int(row[audited.key]) for audited, row in records],
    }


def _append_in_one_statement(
    conn: Connection, chain: str, records: list[tuple[Audited, Mapping[Any, Any]]]
) -> None:
    values = _append_values(chain, records)
    if conn.execute(_APPEND, values).first() is None:  # the chain's first record: no head yet
        _lock_head(conn, chain)
        conn.execute(_APPEND, values)


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
