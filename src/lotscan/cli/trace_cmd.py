"""`lotscan central trace | recall | export | audit`: traceability on the central database."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import Connection

from lotscan.central.db import read_tx, write_tx
from lotscan.central.errors import CentralError
from lotscan.cli.central_cmd import db_option, open_engine
from lotscan.cli.common import plain_text

if TYPE_CHECKING:
    from lotscan.central.trace.records import LeftOut

EXIT_PARTIAL = 3  # an export that left stored rows out (named on stderr); 1 = failed, 2 = usage


@contextmanager
def _tx(db_url: str, *, write: bool = False) -> Iterator[Connection]:
    engine = open_engine(db_url, migrate=False)
    try:
        with (write_tx if write else read_tx)(engine) as conn:
            yield conn
    except CentralError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()


def _refuse_unknown_lots(conn: Connection, codes: tuple[str, ...], option: str) -> None:
    """An export for a mistyped lot code says so, rather than writing a file that looks like "no records"."""
    from sqlalchemy import select, union

    from lotscan.central.trace.tables import kde_records
    from lotscan.store.schema import Lot

    if not codes:
        return
    known_as = union(  # our lot code, the supplier's TLC we hold it under, or an imported KDE record's TLC
        select(Lot.code).where(Lot.code.in_(codes)),
        select(Lot.supplier_lot).where(Lot.supplier_lot.in_(codes)),
        select(kde_records.c.tlc).where(kde_records.c.tlc.in_(codes)),
    )
    known = set(conn.scalars(known_as))
    for code in codes:
        if code not in known:
            raise click.BadParameter(f"lot {code!r} is not known (nothing was written)", param_hint=option)


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "central-cli"


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from lotscan.exports.tabular import cell_text
    from lotscan.textfiles import terminal_safe

    click.echo(f"\n{title} ({len(rows)})")
    if not rows:
        return
    texts = [[terminal_safe(cell_text(v)) or "-" for v in row] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in texts)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for r in texts:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


# --------------------------------------------------------------------------- trace


@click.command()
@click.argument("lots", nargs=-1, required=True)
@click.option(
    "--forward", "direction", flag_value="forward", help="Downstream: lots made from it, stock, shipments."
)
@click.option(
    "--backward", "direction", flag_value="backward", help="Upstream: input lots, suppliers, receipts."
)
@click.option("--both", "direction", flag_value="both", default=True, help="Both directions (the default).")
@click.option("--depth", type=click.IntRange(min=0), help="Follow at most N genealogy levels (default: all).")
@click.option("--item", help="Item code, when the lot code exists for several items.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@db_option
def trace(
    lots: tuple[str, ...], direction: str, depth: int | None, item: str | None, fmt: str, db_url: str
) -> None:
    """Trace LOT (a lot code, or a pallet SSCC) through the genealogy.

    \b
    Backward: every input lot down to the suppliers' lots and their receipts.
    Forward: every downstream lot, where its stock is now, every shipment and customer.
    Edge quantities are what the events recorded; "unknown" where they did not say.

    \b
    Examples:
      lotscan central trace FLO9313B --forward
      lotscan central trace FG3526E --backward --depth 2 --format json
      lotscan central trace FLO3961E --both --format csv > trace.csv
    """
    from lotscan.central.trace.reports import trace_sheets
    from lotscan.central.trace.trace import directions_for, resolve_roots
    from lotscan.central.trace.trace import trace as run_trace
    from lotscan.exports.tabular import write_csv

    with _tx(db_url) as conn:
        roots = resolve_roots(conn, list(lots), item)
        result = run_trace(
            conn, roots, directions_for(direction == "forward", direction == "backward"), depth
        )
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=1))
        return
    sheets = trace_sheets(result)
    if fmt == "csv":
        columns = ["record", *sorted({c for s in sheets for c in s.columns})]
        rows = []
        for sheet in sheets:
            for row in sheet.rows:
                values = dict(zip(sheet.columns, row, strict=True))
                rows.append([sheet.title.lower().rstrip("s"), *(values.get(c) for c in columns[1:])])
        write_csv(sys.stdout, columns, rows)
        return
    click.echo("Trace of " + ", ".join(f"{r.item}/{r.lot}" for r in roots))
    for sheet in sheets:
        rows = [list(r) for r in sheet.rows]
        if rows or sheet.title in ("Lots", "Edges"):
            _table(sheet.title, list(sheet.columns), rows)


# --------------------------------------------------------------------------- recall


@click.command()
@click.argument("lots", nargs=-1, required=True)
@click.option(
    "--reason",
    callback=plain_text,
    required=True,
    help="Why: recorded with the recall and every recalled lot.",
)
@click.option("--dry-run", is_flag=True, help="Compute and write the report; change nothing.")
@click.option("--item", help="Item code, when the lot code exists for several items.")
@click.option("--by", default=_default_user, show_default="your login name", help="Who recalls.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Report folder (default: ./recall-<UTC time>).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON instead of a summary.")
@click.option(
    "--contact",
    help="Whom the notices tell customers and suppliers to contact (default: --by at our site).",
)
@db_option
def recall(
    lots: tuple[str, ...],
    reason: str,
    dry_run: bool,
    item: str | None,
    by: str,
    out_dir: Path | None,
    as_json: bool,
    contact: str | None,
    db_url: str,
) -> None:
    """Recall LOT... and everything made from them.

    Computes the forward closure: affected lots, stock to pull by site and location, shipments
    and customers to notify; writes recall.json, recall.xlsx, one CSV per table and a notice per
    customer and per supplier (notices/*.md and *.json). Without
    --dry-run every affected lot is set to recalled (stations get it on the urgent path within
    seconds) and the recall is recorded with who and why.

    \b
    Examples:
      lotscan central recall FLO3961E --reason "supplier: aflatoxin" --dry-run
      lotscan central recall FLO3961E FLO9313B --reason "supplier notice 2026-11" --by sue --out recalls/flo
    """
    from lotscan.central.trace.recall import recall as run_recall
    from lotscan.central.trace.reports import write_recall

    with _tx(db_url, write=not dry_run) as conn:
        report = run_recall(conn, list(lots), reason, by, item=item, dry_run=dry_run, contact=contact)
    folder = out_dir or Path(f"recall-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    written = write_recall(report, folder)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=1))
        return
    summary = report.summary()
    verb = "DRY RUN: would recall" if dry_run else f"Recall #{report.recall_id}: recalled"
    click.echo(f"{verb} {summary['lots_affected']} lot(s) from {', '.join(summary['roots'])}")
    if not dry_run:
        click.echo(f"  status changed on {summary['lots_recalled_now']} lot(s); stations are told now")
    click.echo(
        f"  stock to pull: {len(report.trace.stock)} location(s) at site(s) "
        + (", ".join(summary["sites"]) or "-")
    )
    click.echo(f"  shipments: {summary['shipments']}, customers to notify: {summary['customers']}")
    _table(
        "Customers to notify",
        ["customer", "shipments", "first_shipped", "last_shipped", "lots"],
        [
            [c.customer, c.shipments, c.first_shipped, c.last_shipped, "; ".join(c.lots)]
            for c in report.customers
        ],
    )
    notices = summary["notices"]
    click.echo(
        "\nReport: " + ", ".join(str(p) for p in written[:2]) + f", CSV files and {notices['customers']} "
        f"customer / {notices['suppliers']} supplier notice(s) in {folder / 'notices'}"
    )


def parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --------------------------------------------------------------------------- exports


@click.group()
def export() -> None:
    """Regulatory and interchange exports: FSMA 204 spreadsheet, EPCIS 2.0 JSON-LD."""


def _dates(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    try:
        first, last = parse_day(start), parse_day(end)
    except ValueError as exc:
        raise click.BadParameter(f"dates are ISO, e.g. 2026-03-01 ({exc})") from exc
    if first and last and last < first:
        raise click.BadParameter("--to is before --from")
    return first, last


@export.command("fsma204")
@click.option("--tlc", "tlcs", multiple=True, help="Traceability lot code (repeatable). Default: all.")
@click.option("--from", "start", help="First day (ISO date, UTC), inclusive.")
@click.option("--to", "end", help="Last day (ISO date, UTC), inclusive.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: CSV to standard output, XLSX to ./fsma204-<UTC time>.xlsx).",
)
@db_option
def fsma204(
    tlcs: tuple[str, ...], start: str | None, end: str | None, fmt: str, out: Path | None, db_url: str
) -> None:
    """FDA FSMA 204 electronic sortable spreadsheet: one row per key data element record.

    Harvesting, cooling, initial packing, first land-based receiving (imported kde_records),
    receiving, shipping and transformation (one row per new lot and input lot), one column per
    KDE. Every required KDE is filled, or named in the `Missing KDEs` sheet (XLSX) or in
    `<out>-missing-kdes.csv` (CSV). See docs/traceability.md for where each KDE comes from.

    \b
    Examples:
      lotscan central export fsma204 --tlc FLO3961E --format xlsx --out flo3961e.xlsx
      lotscan central export fsma204 --from 2026-03-01 --to 2026-03-31 --format csv > march.csv
    """
    from lotscan.central.trace import fsma

    first, last = _dates(start, end)
    where = fsma.Filter(tuple(tlcs), first, last)
    if out is None and fmt == "xlsx":
        out = Path(f"fsma204-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.xlsx")
    with _tx(db_url) as conn:
        _refuse_unknown_lots(conn, tuple(tlcs), "--tlc")
        count, result = fsma.write(conn, where, out or sys.stdout, fmt)
    missing = result.missing
    click.echo(f"{count} KDE record(s) written to {out or 'standard output'}", err=True)
    if missing:
        if fmt == "xlsx":
            listed = "listed in sheet 'Missing KDEs'"
        elif out:
            listed = f"listed in {fsma.missing_csv_path(out)}"
        else:
            listed = "not listed on standard output: give --out FILE.csv (listed next to it) or --format xlsx"
        click.echo(f"{len(missing)} required KDE(s) missing: {listed}", err=True)
    _exit_if_partial(result.left_out)


@export.command("shipment")
@click.argument("shipment")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="csv", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: stdout, CSV)."
)
@db_option
def shipment(shipment: str, fmt: str, out: Path | None, db_url: str) -> None:
    """The FSMA 204 records of one shipment, for its recipient (21 CFR 1.1340(b): TLC, quantity,
    product, recipient, our location, date, the TLC source and its reference).

    \b
    Examples:
      lotscan central export shipment SHP-5001 --out shp-5001.csv
    """
    from lotscan.central.trace import fsma

    if out is None and fmt == "xlsx":
        raise click.UsageError("--format xlsx needs --out FILE")
    where = fsma.Filter(tasks=(shipment,))
    with _tx(db_url) as conn:
        if next(fsma.export(conn, where).rows, None) is None:  # refuse before writing a header-only file
            raise click.ClickException(
                f"no shipped lots are recorded on {shipment!r} (check the shipment code); nothing was written"
            )
        count, result = fsma.write(conn, where, out or sys.stdout, fmt)
    click.echo(f"{count} record(s) of {shipment} written to {out or 'standard output'}", err=True)
    if result.missing:
        count_missing = len(result.missing)
        click.echo(f"{count_missing} required KDE(s) missing: see lotscan central export fsma204", err=True)
    _exit_if_partial(result.left_out)


@export.command("epcis")
@click.option("--lot", "lots", multiple=True, help="Lot code (repeatable): its events and transformations.")
@click.option("--from", "start", help="First day (ISO date, UTC), inclusive.")
@click.option("--to", "end", help="Last day (ISO date, UTC), inclusive.")
@click.option(
    "--company-prefix",
    "company_prefixes",
    multiple=True,
    help="Your GS1 company prefix (repeatable): keys starting with it split there.",
)
@click.option(
    "--gcp-length",
    default=7,
    show_default=True,
    type=click.IntRange(6, 12),
    help="Fallback company prefix length, for keys neither yours nor in GS1's prefix table (warned).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: stdout).")
@db_option
def epcis(
    lots: tuple[str, ...],
    start: str | None,
    end: str | None,
    company_prefixes: tuple[str, ...],
    gcp_length: int,
    out: Path | None,
    db_url: str,
) -> None:
    """EPCIS 2.0 JSON-LD document: receiving, shipping, lot creation, production, holds and recalls.

    A stored row the export cannot carry (e.g. a lot code GS1 can't hold, a date that is no date,
    stored before central validated pushed events) is left out, named on stderr, and the command
    exits 3 (partial); everything else is exported.

    GTINs and GLNs split at their GS1 company prefix: yours (--company-prefix) first, then GS1's
    prefix-length table; others at --gcp-length, with a warning naming them.

    \b
    Examples:
      lotscan central export epcis --lot FG3526E > fg3526e.jsonld
      lotscan central export epcis --from 2026-03-01 --to 2026-03-31 --company-prefix 9521234 \\
        --out march.jsonld
    """
    from lotscan.central.trace import epcis as build
    from lotscan.central.trace.identifiers import CompanyPrefixes, IdentifierError

    first, last = _dates(start, end)
    try:
        prefixes = CompanyPrefixes(tuple(company_prefixes), gcp_length)
    except IdentifierError as exc:
        raise click.BadParameter(str(exc), param_hint="--company-prefix") from exc
    with _tx(db_url) as conn:
        _refuse_unknown_lots(conn, lots, "--lot")
        try:
            result = build.export(conn, build.Filter(tuple(lots), first, last), prefixes)
        except IdentifierError as exc:
            raise click.ClickException(f"{exc} (check the item's GTIN / location's GLN)") from exc
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    text = json.dumps(result.document, indent=1)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        count = len(result.document["epcisBody"]["eventList"])
        click.echo(f"{count} EPCIS event(s) written to {out}", err=True)
    _exit_if_partial(result.left_out)


def _exit_if_partial(left_out: list[LeftOut]) -> None:
    """An export that left stored rows out names them on stderr and exits 3 (partial)."""
    if not left_out:
        return
    for row in left_out:
        click.echo(f"left out: {row}", err=True)
    click.echo(
        f"partial export: {len(left_out)} stored row(s) could not be exported (listed above); "
        "correct them at central (or record why not) and export again",
        err=True,
    )
    sys.exit(EXIT_PARTIAL)
