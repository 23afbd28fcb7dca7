"""FSMA 204 sortable spreadsheet, checked with openpyxl against the rule's text (21 CFR 1.1325-1.1350):
every KDE the rule requires for an event type is filled, or named in the `Missing KDEs` sheet."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lotscan.cli.trace_cmd import fsma204
from tests.trace.conftest import Genealogy

HEADERS = [
    "Event Type", "Traceability Lot Code", "Product Description", "Quantity", "Unit of Measure",
    "Event Date", "Event Location Description", "Immediate Previous Source Location Description",
    "Immediate Subsequent Recipient Location Description",
    "Traceability Lot Code Source Location Description", "Traceability Lot Code Source Reference",
    "Reference Document Type", "Reference Document Number", "Input Traceability Lot Code",
    "Input Product Description", "Input Quantity", "Input Unit of Measure", "Commodity and Variety",
    "Harvest Date", "Farm Location Description", "Field or Container Name",
    "Harvester Business Name and Phone", "Cooling Location Description", "Cooling Date",
]  # fmt: skip

# Written from the rule's text, clause by clause; "A|B" means the rule accepts either.
RULE = {
    "Harvesting": {
        # 1.1325(a)(1): "(i) The location description for the immediate subsequent recipient (other
        # than a transporter) of the food; (ii) The commodity and, if applicable, variety of the
        # food; (iii) The quantity and unit of measure of the food ...; (iv) The location
        # description of the farm where the food was harvested; (v) For produce, the name of the
        # field or other growing area from which the food was harvested ...; (vii) The date of
        # harvesting; (viii) The reference document type and reference document number."
        "Immediate Subsequent Recipient Location Description": "1.1325(a)(1)(i)",
        "Commodity and Variety": "1.1325(a)(1)(ii)",
        "Quantity": "1.1325(a)(1)(iii)",
        "Unit of Measure": "1.1325(a)(1)(iii)",
        "Farm Location Description": "1.1325(a)(1)(iv)",
        "Field or Container Name": "1.1325(a)(1)(v)",
        "Harvest Date": "1.1325(a)(1)(vii)",
        "Reference Document Type": "1.1325(a)(1)(viii)",
        "Reference Document Number": "1.1325(a)(1)(viii)",
    },
    "Cooling": {
        # 1.1325(b)(1): "(i) The location description for the immediate subsequent recipient ...;
        # (ii) The commodity and, if applicable, variety of the food; (iii) The quantity and unit
        # of measure of the food; (iv) The location description of where you cooled the food;
        # (v) The date of cooling; (vi) The location description of the farm where the food was
        # harvested; (vii) The reference document type and reference document number."
        "Immediate Subsequent Recipient Location Description": "1.1325(b)(1)(i)",
        "Commodity and Variety": "1.1325(b)(1)(ii)",
        "Quantity": "1.1325(b)(1)(iii)",
        "Unit of Measure": "1.1325(b)(1)(iii)",
        "Cooling Location Description": "1.1325(b)(1)(iv)",
        "Cooling Date": "1.1325(b)(1)(v)",
        "Farm Location Description": "1.1325(b)(1)(vi)",
        "Reference Document Type": "1.1325(b)(1)(vii)",
        "Reference Document Number": "1.1325(b)(1)(vii)",
    },
    "Initial Packing": {
        # 1.1330(a): "(1) The commodity and, if applicable, variety of the food received; ...
        # (4) The location description of the immediate previous source ...; (5) The location
        # description of the farm where the food was harvested; (6) For produce, the name of the
        # field ...; (8) The business name and phone number for the harvester of the food; (9) The
        # date of harvesting; ... (12) The traceability lot code you assigned; (13) The product
        # description of the packed food; (14) The quantity and unit of measure of the packed food;
        # (15) The location description of where you initially packed the food (i.e., the
        # traceability lot code source) ...; (16) The date of initial packing; and (17) The
        # reference document type and reference document number ..."
        "Commodity and Variety": "1.1330(a)(1)",
        "Immediate Previous Source Location Description": "1.1330(a)(4)",
        "Farm Location Description": "1.1330(a)(5)",
        "Field or Container Name": "1.1330(a)(6)",
        "Harvester Business Name and Phone": "1.1330(a)(8)",
        "Harvest Date": "1.1330(a)(9)",
        "Traceability Lot Code": "1.1330(a)(12)",
        "Product Description": "1.1330(a)(13)",
        "Quantity": "1.1330(a)(14)",
        "Unit of Measure": "1.1330(a)(14)",
        "Traceability Lot Code Source Location Description": "1.1330(a)(15)",
        "Event Date": "1.1330(a)(16)",
        "Reference Document Type": "1.1330(a)(17)",
        "Reference Document Number": "1.1330(a)(17)",
    },
    "First Land-Based Receiving": {
        # 1.1335: "(a) The traceability lot code you assigned; (b) The species and/or acceptable
        # market name ..., or the product description ...; (c) The quantity and unit of measure
        # of the food; (d) The harvest date range and locations ... for the trip during which the
        # food was caught; (e) The location description of the first land-based receiver (i.e.,
        # the traceability lot code source) ...; (f) The date the food was received; and (g) The
        # reference document type and reference document number."
        "Traceability Lot Code": "1.1335(a)",
        "Product Description": "1.1335(b)",
        "Quantity": "1.1335(c)",
        "Unit of Measure": "1.1335(c)",
        "Harvest Date": "1.1335(d)",
        "Farm Location Description": "1.1335(d)",
        "Traceability Lot Code Source Location Description": "1.1335(e)",
        "Event Date": "1.1335(f)",
        "Reference Document Type": "1.1335(g)",
        "Reference Document Number": "1.1335(g)",
    },
    "Shipping": {
        # 1.1340(a): "(1) The traceability lot code for the food; (2) The quantity and unit of
        # measure of the food ...; (3) The product description for the food; (4) The location
        # description for the immediate subsequent recipient (other than a transporter) of the
        # food; (5) The location description for the location from which you shipped the food;
        # (6) The date you shipped the food; (7) The location description for the traceability lot
        # code source, or the traceability lot code source reference; and (8) The reference
        # document type and reference document number."
        "Traceability Lot Code": "1.1340(a)(1)",
        "Quantity": "1.1340(a)(2)",
        "Unit of Measure": "1.1340(a)(2)",
        "Product Description": "1.1340(a)(3)",
        "Immediate Subsequent Recipient Location Description": "1.1340(a)(4)",
        "Event Location Description": "1.1340(a)(5)",
        "Event Date": "1.1340(a)(6)",
        "Traceability Lot Code Source Location Description|Traceability Lot Code Source Reference": (
            "1.1340(a)(7)"
        ),
        "Reference Document Type": "1.1340(a)(8)",
        "Reference Document Number": "1.1340(a)(8)",
    },
    "Receiving": {
        # 1.1345(a): "(1) The traceability lot code for the food; (2) The quantity and unit of
        # measure ...; (3) The product description for the food; (4) The location description for
        # the immediate previous source (other than a transporter) for the food; (5) The location
        # description for where the food was received; (6) The date you received the food; (7) The
        # location description for the traceability lot code source, or the traceability lot code
        # source reference; and (8) The reference document type and reference document number."
        "Traceability Lot Code": "1.1345(a)(1)",
        "Quantity": "1.1345(a)(2)",
        "Unit of Measure": "1.1345(a)(2)",
        "Product Description": "1.1345(a)(3)",
        "Immediate Previous Source Location Description": "1.1345(a)(4)",
        "Event Location Description": "1.1345(a)(5)",
        "Event Date": "1.1345(a)(6)",
        "Traceability Lot Code Source Location Description|Traceability Lot Code Source Reference": (
            "1.1345(a)(7)"
        ),
        "Reference Document Type": "1.1345(a)(8)",
        "Reference Document Number": "1.1345(a)(8)",
    },
    "Transformation": {
        # 1.1350(a): "(1) For the food(s) used in transformation ...: (i) The traceability lot code
        # for the food; (ii) The product description for the food to which the traceability lot
        # code applies; and (iii) For each traceability lot used, the quantity and unit of measure
        # of the food used from that lot. (2) For the food produced through transformation ...:
        # (i) The new traceability lot code for the food; (ii) The location description for where
        # you transformed the food (i.e., the traceability lot code source) ...; (iii) The date
        # transformation was completed; (iv) The product description for the food; (v) The
        # quantity and unit of measure of the food ...; and (vi) The reference document type and
        # reference document number for the transformation event."
        "Input Traceability Lot Code": "1.1350(a)(1)(i)",
        "Input Product Description": "1.1350(a)(1)(ii)",
        "Input Quantity": "1.1350(a)(1)(iii)",
        "Input Unit of Measure": "1.1350(a)(1)(iii)",
        "Traceability Lot Code": "1.1350(a)(2)(i)",
        "Traceability Lot Code Source Location Description": "1.1350(a)(2)(ii)",
        "Event Date": "1.1350(a)(2)(iii)",
        "Product Description": "1.1350(a)(2)(iv)",
        "Quantity": "1.1350(a)(2)(v)",
        "Unit of Measure": "1.1350(a)(2)(v)",
        "Reference Document Type": "1.1350(a)(2)(vi)",
        "Reference Document Number": "1.1350(a)(2)(vi)",
    },
}
LOCATION_COLUMNS = [h for h in HEADERS if h.endswith("Location Description")]


def _export(g: Genealogy, tmp_path: Path, *args: str) -> tuple[list[dict], list[dict]]:
    return exported(g.url, tmp_path / "fsma.xlsx", *args)


def exported(db_url: str, out: Path, *args: str) -> tuple[list[dict], list[dict]]:
    """`lotscan central export fsma204 --format xlsx` read back with openpyxl: its rows and its
    Missing KDEs rows, each a dict by header."""
    result = CliRunner().invoke(fsma204, ["--format", "xlsx", "--out", str(out), "--db", db_url, *args])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["FSMA 204", "Missing KDEs"]
    rows = list(book["FSMA 204"].iter_rows(values_only=True))
    assert list(rows[0][: len(HEADERS)]) == HEADERS
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    missing_rows = list(book["Missing KDEs"].iter_rows(values_only=True))
    missing = [dict(zip(missing_rows[0], r, strict=True)) for r in missing_rows[1:]]
    return records, missing


def test_every_required_kde_is_filled_or_listed_as_missing(genealogy: Genealogy, tmp_path: Path) -> None:
    records, missing = _export(genealogy, tmp_path)
    listed: dict[int, set[str]] = defaultdict(set)
    for m in missing:
        listed[m["Row"]].add(m["Missing KDE"].split(":")[0])
        assert m["Rule"].startswith("21 CFR 1.13")
    assert {r["Event Type"] for r in records} == set(RULE)
    for number, record in enumerate(records, start=2):
        for kdes, clause in RULE[record["Event Type"]].items():
            options = kdes.split("|")
            if any(record[o] not in (None, "") for o in options):
                continue
            assert " or ".join(options) in listed[number], (number, record["Event Type"], kdes, clause)
    # ... and nothing is listed that is there: a listed KDE is empty, or a location description
    # lacking address or phone.
    for m in missing:
        record = records[m["Row"] - 2]
        assert record["Event Type"] == m["Event Type"]
        kde = m["Missing KDE"]
        if ": no " in kde:
            assert any(w in kde for w in ("address", "phone")) and record[kde.split(":")[0]]
        else:
            assert all(record[k] in (None, "") for k in kde.split(" or ")), kde
    # The landing record has no document number; the generated events leave out some input
    # quantities (never estimated) and the documents of splits, merges and relabels.
    kinds = {(m["Event Type"], m["Missing KDE"]) for m in missing}
    assert ("First Land-Based Receiving", "Reference Document Number") in kinds
    assert ("Transformation", "Input Quantity") in kinds
    assert not [m for m in missing if m["Event Type"] in ("Receiving", "Shipping")]


def test_receiving_and_shipping_rows_carry_addresses_phones_and_the_tlc_source(
    genealogy: Genealogy, tmp_path: Path
) -> None:
    records, _missing = _export(genealogy, tmp_path)
    moving = [r for r in records if r["Event Type"] in ("Receiving", "Shipping")]
    assert {r["Event Type"] for r in moving} == {"Receiving", "Shipping"}
    for r in moving:
        assert (
            r["Traceability Lot Code Source Location Description"]
            or r["Traceability Lot Code Source Reference"]
        )
        for column in LOCATION_COLUMNS:
            if r[column]:
                # Name, street, city, postal code, country, phone
                assert len(r[column].split(", ")) >= 6, (column, r[column])
    shipped = [r for r in records if r["Event Type"] == "Shipping"]
    assert all(
        r["Immediate Subsequent Recipient Location Description"].startswith("Shop ")
        or r["Immediate Subsequent Recipient Location Description"].startswith("Wholesale")
        for r in shipped
    )
    # Finished goods get their TLC at our plant: the TLC source is the plant, with its FDA number.
    assert any(r["Traceability Lot Code Source Reference"] == "FFRN 11223344556" for r in shipped)


def test_received_lots_keep_the_suppliers_tlc(genealogy: Genealogy, tmp_path: Path) -> None:
    """21 CFR 1.1320(b): a receiver keeps the traceability lot code it was given; the generated
    receipts hold our lot under an internal code (supplier lot S<lot>)."""
    g = genealogy
    records, _missing = _export(g, tmp_path)
    received = [r for r in records if r["Event Type"] == "Receiving"]
    assert len(received) == sum(1 for _s, e in g.generated.events if e.type == "stock.received")
    for r in received:
        assert r["Traceability Lot Code"] == "S" + r["Internal Lot Code"]
        assert r["Immediate Previous Source Location Description"].split(",")[0] in (
            "Mill & Co",
            "Honey Farm",
        )
    inputs = {r["Input Traceability Lot Code"] for r in records if r["Event Type"] == "Transformation"}
    assert {r["Traceability Lot Code"] for r in received} & inputs


def test_transformation_has_one_row_per_new_lot_and_input_lot(genealogy: Genealogy, tmp_path: Path) -> None:
    g = genealogy
    records, _missing = _export(g, tmp_path)
    expected = 0
    for _site, e in g.generated.events:
        p = e.payload
        if e.type in ("lot.produced", "lot.merged"):
            expected += len(p.get("inputs", []))
        elif e.type == "lot.split":
            expected += len(p["outputs"])
        elif e.type == "lot.relabelled":
            expected += 1
    transformations = [r for r in records if r["Event Type"] == "Transformation"]
    assert len(transformations) == expected
    assert all(r["Input Product Description"] and r["Input Unit of Measure"] for r in transformations)


def test_event_dates_are_the_sites_local_dates(genealogy: Genealogy, tmp_path: Path) -> None:
    records, _missing = _export(genealogy, tmp_path)
    for r in records:
        date.fromisoformat(r["Event Date"])
    # P1 is in America/Chicago: its events at 06:00 UTC on day N are dated day N-1 there.
    g = genealogy
    early = [
        e
        for s, e in g.generated.events
        if s == "P1" and e.type == "stock.received" and e.occurred_at.hour < 6
    ]
    if early:
        rows = {r["Internal Lot Code"]: r for r in records if r["Event Type"] == "Receiving"}
        e = early[0]
        assert rows[e.payload["lot"]]["Event Date"] == str(
            e.occurred_at.date().fromordinal(e.occurred_at.toordinal() - 1)
        )


def test_one_tlc_gives_its_events_and_the_transformations_it_went_into(genealogy: Genealogy) -> None:
    g = genealogy
    used = next(lot for lot in g.generated.raw_lots if g.model.children.get(lot))
    result = CliRunner().invoke(fsma204, ["--tlc", "S" + used[1], "--format", "csv", "--db", g.url])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    transformations = [r for r in rows if r["Event Type"] == "Transformation"]
    assert len(transformations) == len(g.model.children[used])
    assert all(r["Input Traceability Lot Code"] == "S" + used[1] for r in transformations)
    assert [r["Event Type"] for r in rows].count("Receiving") == 1


def test_csv_writes_the_missing_kdes_next_to_it(genealogy: Genealogy, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    result = CliRunner().invoke(fsma204, ["--format", "csv", "--out", str(out), "--db", genealogy.url])
    assert result.exit_code == 0, result.output
    assert "missing" in result.output and "all-missing-kdes.csv" in result.output
    missing = list(csv.DictReader((tmp_path / "all-missing-kdes.csv").open()))
    assert "Reference Document Number" in {m["Missing KDE"] for m in missing}
    assert all(m["Rule"].startswith("21 CFR 1.13") for m in missing)


@pytest.mark.parametrize("cte", ["Harvesting", "Cooling", "Initial Packing", "First Land-Based Receiving"])
def test_imported_farm_and_vessel_records_appear(genealogy: Genealogy, tmp_path: Path, cte: str) -> None:
    records, _missing = _export(genealogy, tmp_path)
    assert [r for r in records if r["Event Type"] == cte]


def test_date_range_selects_by_event_day(genealogy: Genealogy, tmp_path: Path) -> None:
    g = genealogy
    days = sorted({e.occurred_at.date() for _s, e in g.generated.events})
    first, last = days[1], days[2]
    out = tmp_path / "range.csv"
    result = CliRunner().invoke(
        fsma204,
        ["--from", str(first), "--to", str(last), "--format", "csv", "--out", str(out), "--db", g.url],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    # Selection is by UTC day; the Event Date is the site's local day, at most one day off.
    assert rows and all(
        str(first - (first - first.fromordinal(first.toordinal() - 1))) <= r["Event Date"] <= str(last)
        for r in rows
    )
