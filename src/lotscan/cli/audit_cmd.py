"""`lotscan central audit ...`: verify the audit chains (optionally against signed checkpoints),
seal rows stored without a record, write signed checkpoints, make their key, export the log."""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from lotscan.cli.central_cmd import db_option
from lotscan.cli.trace_cmd import _dates, _refuse_unknown_lots, _tx

KEY_HELP = (
    "Ed25519 private key (PEM) that signs checkpoints. Keep it off the database server "
    "(make one: lotscan central audit keygen --out FILE)."
)


@click.group()
def audit() -> None:
    """The tamper-evident audit chains: every stored event and every central decision.

    \b
    Routine:
      lotscan central audit keygen --out /secure/audit.key          (once; keep it off the DB host)
      lotscan central audit checkpoint --key /secure/audit.key --out cp-$(date -u +%Y%m%dT%H%M).json
      lotscan central audit verify --checkpoint cp-*.json --key /secure/audit.key.pub
    """


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Findings as JSON.")
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A signed checkpoint to check the chains against (repeatable).",
)
@click.option(
    "--key",
    type=click.Path(path_type=Path),
    help="The key the checkpoints must be signed with (public or private PEM). Without it a "
    "checkpoint is checked only against the key written in it.",
)
@click.option(
    "--stock",
    is_flag=True,
    help="Also compare each lot's stock with what its chained events and imported opening stock "
    "leave (replays every event: about as long again as the rest of verify).",
)
@db_option
def audit_verify(
    as_json: bool, checkpoints: tuple[Path, ...], key: Path | None, stock: bool, db_url: str
) -> None:
    """Check every chain: name each altered, removed, reordered or unchained record, and, with
    --checkpoint, any chain rewritten (together with its head) since the checkpoint was signed;
    with --stock, each lot whose stock is not what its events leave.

    Exit status 0 when everything is intact, 1 when anything was found, 2 for an unusable
    checkpoint or key.

    \b
    Examples:
      lotscan central audit verify --db postgresql+psycopg://lotscan@db/central
      lotscan central audit verify --checkpoint cp-0601.json --checkpoint cp-0602.json --key audit.key.pub
      lotscan central audit verify --stock
    """
    from lotscan.central.trace import checkpoint as cp
    from lotscan.central.trace.audit import verify

    try:
        trusted = cp.load_public_key(key) if key else None
        loaded = [cp.load(path, trusted) for path in checkpoints]
    except cp.CheckpointError as exc:
        raise click.UsageError(str(exc)) from exc
    with _tx(db_url) as conn:
        result = verify(conn, stock=stock)
        for checkpoint in loaded:
            result.findings += cp.compare(conn, checkpoint)
    if as_json:
        summary = {"ok": result.ok, "records": result.records, "chains": result.sites}
        findings = [{**asdict(f), "server_seq": f.server_seq} for f in result.findings]
        click.echo(json.dumps({**summary, "checkpoints": len(loaded), "findings": findings}, indent=1))
    else:
        for f in result.findings:
            click.echo(f"{f.problem.upper()}: {f.message}")
        if loaded and trusted is None:
            click.echo("note: checkpoints checked against the key written in them; give --key to trust yours")
        verdict = "intact" if result.ok else f"{len(result.findings)} problem(s) found"
        against = f", against {len(loaded)} checkpoint(s)" if loaded else ""
        click.echo(
            f"audit chain: {result.records} record(s) over {result.sites} chain(s){against}: {verdict}"
        )
    if not result.ok:
        sys.exit(1)


@audit.command("seal")
@db_option
def audit_seal(db_url: str) -> None:
    """Chain every event and decision stored without a record (run once after upgrading).

    \b
    Examples:
      lotscan central audit seal --db postgresql+psycopg://postgres@127.0.0.1/lotscan
    """
    from lotscan.central.trace.audit import seal_unchained

    with _tx(db_url, write=True) as conn:
        count = seal_unchained(conn)
    click.echo(f"{count} row(s) added to the audit chain")


@audit.command("keygen")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Where to write the private key.")
def audit_keygen(out: Path) -> None:
    """Make the Ed25519 key that signs checkpoints: FILE (private, mode 600) and FILE.pub.

    Keep the private key off the database server (the machine that runs the checkpoint job, a
    hardware token, a vault); copy FILE.pub to wherever checkpoints are verified.

    \b
    Examples:
      lotscan central audit keygen --out /secure/lotscan-audit.key
    """
    from lotscan.central.trace import checkpoint as cp

    try:
        public = cp.generate_key(out)
    except (cp.CheckpointError, OSError) as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"private key: {out} (keep it secret, off the database server)\npublic key:  {public}")


@audit.command("checkpoint")
@click.option("--key", type=click.Path(path_type=Path), required=True, help=KEY_HELP)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write the checkpoint here (default: standard output). Store it on another machine "
    "or write-once storage.",
)
@db_option
def audit_checkpoint(key: Path, out: Path | None, db_url: str) -> None:
    """Sign the head of every audit chain; later, `audit verify --checkpoint` proves the chains
    were not rewritten before that point. Take one at least daily (hourly on busy sites) and
    after every recall, and keep them where the database's administrators cannot change them.

    \b
    Examples:
      lotscan central audit checkpoint --key /secure/audit.key --out /mnt/worm/cp-20260601T0600.json
      lotscan central audit checkpoint --key /secure/audit.key | ssh vault 'cat > cp-$(date +%s).json'
    """
    from lotscan.central.trace import checkpoint as cp

    try:
        private = cp.load_private_key(key)
    except cp.CheckpointError as exc:
        raise click.UsageError(str(exc)) from exc
    with _tx(db_url) as conn:
        signed = cp.make(conn, private)
    text = json.dumps(signed, indent=1, sort_keys=True)
    if out is None:
        click.echo(text)
        return
    try:
        with out.open("x", encoding="utf-8") as file:
            file.write(text + "\n")
    except OSError as exc:
        raise click.UsageError(
            f"cannot write {out}: {exc.strerror} (checkpoints are never overwritten)"
        ) from exc
    click.echo(f"checkpoint of {len(signed['chains'])} chain(s) written to {out}", err=True)


@audit.command("export")
@click.option("--site", help="Only this site.")
@click.option("--lot", help="Only events about this lot code.")
@click.option("--from", "start", help="First day (ISO date, UTC), inclusive.")
@click.option("--to", "end", help="Last day (ISO date, UTC), inclusive.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
@db_option
def audit_export(
    site: str | None, lot: str | None, start: str | None, end: str | None, fmt: str, db_url: str
) -> None:
    """The event log, readable: who, what, when, from which station, with each record's hash.

    \b
    Examples:
      lotscan central audit export --lot FG3526E
      lotscan central audit export --site P1 --from 2026-03-01 --to 2026-03-31 --format csv > march.csv
    """
    from lotscan.central.trace import auditlog
    from lotscan.exports.tabular import cell_text, write_csv
    from lotscan.textfiles import terminal_safe

    first, last = _dates(start, end)
    with _tx(db_url) as conn:
        rows = auditlog.rows(conn, auditlog.Filter(site, lot, first, last))
        if lot:
            head = next(rows, None)
            if head is None:
                _refuse_unknown_lots(conn, (lot,), "--lot")
            rows = itertools.chain([head] if head is not None else [], rows)
        if fmt == "csv":
            write_csv(sys.stdout, auditlog.COLUMNS, rows)
        elif fmt == "json":
            for row in rows:
                click.echo(json.dumps({c: cell_text(v) for c, v in zip(auditlog.COLUMNS, row, strict=True)}))
        else:
            for r in rows:
                site_, seq, _server, occurred, _received, station, _sseq, operator, kind, what = r[:10]
                line = (
                    f"{cell_text(occurred)}  {site_}#{seq or '-'}  {station}  {operator or '-'}  "
                    f"{kind}: {what}  [{r[10]}]"
                )
                click.echo(terminal_safe(line))
