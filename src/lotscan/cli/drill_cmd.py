"""`lotscan central drill | drills | recalls`: mock recall drills, their record, and how far
each recall has reached the stations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from lotscan.cli.central_cmd import db_option
from lotscan.cli.common import plain_text
from lotscan.cli.trace_cmd import _default_user, _table, _tx


@click.command()
@click.argument("lots", nargs=-1, required=True)
@click.option(
    "--direction",
    type=click.Choice(["forward", "backward", "both"]),
    default="both",
    show_default=True,
    help="Trace downstream, upstream or both.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Report folder (default: ./drill-<UTC time>).",
)
@click.option("--recall", "real_recall", is_flag=True, help="Run the REAL recall too (lots set to recalled).")
@click.option(
    "--reason", callback=plain_text, help="Why (required with --recall: recorded with every recalled lot)."
)
@click.option("--item", help="Item code, when the lot code exists for several items.")
@click.option("--by", default=_default_user, show_default="your login name", help="Who runs the drill.")
@click.option("--company-prefix", "company_prefixes", multiple=True, help="Your GS1 company prefix (EPCIS).")
@click.option("--json", "as_json", is_flag=True, help="Print drill.json instead of a summary.")
@db_option
def drill(
    lots: tuple[str, ...],
    direction: str,
    out_dir: Path | None,
    real_recall: bool,
    reason: str | None,
    item: str | None,
    by: str,
    company_prefixes: tuple[str, ...],
    as_json: bool,
    db_url: str,
) -> None:
    """Mock recall drill of LOT...: trace, mass balance, FSMA 204, EPCIS, notices, timed.

    Writes to --out: drill.html (open it in a browser), drill.json, fsma204.xlsx, epcis.jsonld
    and notices/. The drill is recorded (`lotscan central drills`). It changes nothing else
    unless --recall is given, which runs the real recall.

    \b
    Examples:
      lotscan central drill FLO3961E --out drills/flo3961e
      lotscan central drill FLO3961E --direction forward --recall --reason "supplier notice 42"
    """
    from lotscan.central.trace.drill import drill as run_drill
    from lotscan.central.trace.identifiers import CompanyPrefixes
    from lotscan.central.trace.mass_balance import TERMS

    if real_recall and not reason:
        raise click.UsageError("--recall runs a real recall: give its --reason")
    folder = out_dir or Path(f"drill-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    with _tx(db_url, write=True) as conn:
        report = run_drill(
            conn,
            list(lots),
            folder,
            by=by,
            direction=direction,
            item=item,
            recall=real_recall,
            reason=reason,
            prefixes=CompanyPrefixes(tuple(company_prefixes)),
        )
    if as_json:
        click.echo((folder / "drill.json").read_text(encoding="utf-8"))
        return
    data = report.to_dict()
    click.echo(
        f"Drill #{report.drill_id}: {data['affected_lots']} lot(s) affected, traced {direction} "
        f"in {report.elapsed_s:.2f} s; mass balance: {report.result}"
    )
    if report.differences:
        _table(
            "Mass-balance differences",
            ["lot", *TERMS, "difference"],
            [
                [
                    f"{b['item']}/{b['lot']}",
                    *(b[t] for t in (*TERMS, "difference")),
                ]
                for b in report.differences
            ],
        )
    click.echo(
        f"customers: {len(report.customers)}, suppliers: {len(report.suppliers)}, "
        f"missing FSMA KDEs: {len(report.missing_kdes)}"
        + (f"; recall #{report.recall_id} done" if report.recall_id else "; nothing changed (no --recall)")
    )
    click.echo(f"Report: {folder / 'drill.html'}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@db_option
def drills(as_json: bool, db_url: str) -> None:
    """Every mock recall drill run: date, lots, elapsed time, result (newest first).

    \b
    Examples:
      lotscan central drills
    """
    from lotscan.central.trace.drill import listed
    from lotscan.central.trace.trace import json_default

    with _tx(db_url) as conn:
        found = listed(conn)
    if as_json:
        click.echo(json.dumps(found, default=json_default, indent=1))
        return
    _table(
        "Drills",
        ["id", "started", "by", "lots", "direction", "elapsed_s", "affected", "result", "recall", "folder"],
        [
            [d["id"], d["started_at"], d["by"], " ".join(d["lots"]), d["direction"], d["elapsed_s"],
             d["affected_lots"], d["result"], d["recall_id"], d["out_dir"]]
            for d in found
        ],
    )  # fmt: skip


@click.command()
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@db_option
def recalls(as_json: bool, db_url: str) -> None:
    """Every recall, newest first, and its reach: done once every station in service has it.

    \b
    Examples:
      lotscan central recalls
    """
    from lotscan.central.reach import recalls_with_reach
    from lotscan.central.trace.trace import json_default

    with _tx(db_url) as conn:
        found = recalls_with_reach(conn)
    if as_json:
        click.echo(json.dumps(found, default=json_default, indent=1))
        return
    _table(
        "Recalls",
        ["id", "created_at", "reason", "acknowledged", "done", "not yet (offline since)"],
        [
            [r["recall_id"], r["created_at"], r["reason"], f"{r['acknowledged']} of {r['stations']}",
             "done" if r["done"] else "NOT DONE",
             "; ".join(f"{s['station']} ({s['offline_since'] or 'never'})" for s in r["not_acknowledged"])]
            for r in found
        ],
    )  # fmt: skip
