"""Signed checkpoints of the audit chains: the head (seq, hash) of every chain, signed with an
Ed25519 key that is kept outside the database.

Whoever can write the database can rewrite a chain and its head together, and `audit verify`
alone then finds nothing. A checkpoint written earlier and kept elsewhere (another machine,
write-once storage) still names the hash each chain had at its seq then; if the chain now holds
another hash at that seq, or ends before it, history before the checkpoint was rewritten.

A checkpoint is JSON: {"format", "created_at", "chains": {chain: {"seq", "hash"}}, "public_key",
"signature"}; the signature covers every other field, as sorted compact JSON.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, select

from lotscan.central.changelog import utcnow
from lotscan.central.trace.audit_verify import Finding
from lotscan.central.trace.tables import audit_heads, audit_log

FORMAT = "lotscan-audit-checkpoint/1"


class CheckpointError(ValueError):
    """A key or checkpoint file that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Checkpoint:
    path: str
    created_at: str
    chains: dict[str, tuple[int, str]]
    public_key: Ed25519PublicKey


# --------------------------------------------------------------------------- keys


def generate_key(path: Path) -> Path:
    """Write a new private key (PEM, readable by its owner only) and its public key (`.pub`)."""
    if path.exists():
        raise CheckpointError(f"{path} exists; give another --out, or remove it if you mean to replace it")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    public = public_path(path)
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public


def public_path(private: Path) -> Path:
    return private.with_name(private.name + ".pub")


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = _load_pem(path, private=True)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(
            f"{path} is not an Ed25519 private key (make one: lotscan central audit keygen)"
        )
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The key to trust: a public key file, or a private key file (its public half)."""
    text = _read(path)
    if b"PRIVATE KEY" in text:
        return load_private_key(path).public_key()
    key = _load_pem(path, private=False)
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path} is not an Ed25519 public key")
    return key


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read key {path}: {exc.strerror}") from exc


def _load_pem(path: Path, *, private: bool) -> Any:
    data = _read(path)
    try:
        if private:
            return serialization.load_pem_private_key(data, password=None)
        return serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"{path} is not a PEM key lotscan can use ({exc})") from exc


# --------------------------------------------------------------------------- writing


def heads(conn: Connection) -> dict[str, tuple[int, str]]:
    rows = conn.execute(select(audit_heads.c.site, audit_heads.c.site_seq, audit_heads.c.hash))
    return {str(chain): (int(seq), str(digest)) for chain, seq, digest in rows}


def _signed_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def make(conn: Connection, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed checkpoint of every chain's head, as of the caller's transaction."""
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    body: dict[str, Any] = {
        "format": FORMAT,
        "created_at": utcnow().isoformat() + "Z",
        "chains": {
            chain: {"seq": seq, "hash": digest} for chain, (seq, digest) in sorted(heads(conn).items())
        },
        "public_key": base64.b64encode(public).decode("ascii"),
    }
    return {**body, "signature": base64.b64encode(key.sign(_signed_bytes(body))).decode("ascii")}


# --------------------------------------------------------------------------- checking


def load(path: Path, trusted: Ed25519PublicKey | None = None) -> Checkpoint:
    """Read and check a checkpoint's signature: against `trusted` when given (it must be signed
    by that key), else against the key written in it (which proves only that it is unaltered)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CheckpointError(f"cannot read checkpoint {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise CheckpointError(f"{path} is not a checkpoint (not JSON: {exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a lotscan audit checkpoint (format {FORMAT})")
    try:
        signature = base64.b64decode(data["signature"], validate=True)
        written = Ed25519PublicKey.from_public_bytes(base64.b64decode(data["public_key"], validate=True))
        chains = {str(c): (int(v["seq"]), str(v["hash"])) for c, v in data["chains"].items()}
        created_at = str(data["created_at"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"{path} is incomplete or malformed ({exc!r})") from exc
    body = {k: v for k, v in data.items() if k != "signature"}
    key = trusted or written
    if trusted is not None and _raw(trusted) != _raw(written):
        raise CheckpointError(f"{path} was signed with another key than the one given (--key)")
    try:
        key.verify(signature, _signed_bytes(body))
    except InvalidSignature as exc:
        raise CheckpointError(
            f"{path}: the signature does not match its content (altered checkpoint)"
        ) from exc
    return Checkpoint(str(path), created_at, chains, written)


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def compare(conn: Connection, checkpoint: Checkpoint) -> list[Finding]:
    """Each chain must still hold, at the checkpoint's seq, the hash the checkpoint names."""
    found = []
    for chain, (seq, digest) in sorted(checkpoint.chains.items()):
        now = conn.execute(
            select(audit_log.c.hash).where(audit_log.c.site == chain, audit_log.c.site_seq == seq)
        ).scalar()
        if now == digest:
            continue
        if now is None:
            what = f"the chain no longer has record {seq}: records were removed"
        else:
            what = f"record {seq} now has another hash: the chain up to it was rewritten"
        found.append(
            Finding(
                "checkpoint_mismatch",
                chain,
                seq,
                None,
                None,
                None,
                None,
                None,
                f"chain {chain}: checkpoint {checkpoint.path} of {checkpoint.created_at} says record {seq} "
                f"has hash {digest[:16]}...; {what} (chain and head table rewritten together)",
            )
        )
    return found
