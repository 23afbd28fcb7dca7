"""An auditor's or supervisor's command naming a lot central does not know says so: `central lot
status` without a traceback, and the FSMA 204, EPCIS and audit exports refuse (exit 2, nothing
written) rather than writing an empty file that reads as "no records"."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli as main


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["central", *args])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        result.exc_info
    )
    return result.exit_code, result.stdout, result.stderr


def test_lot_status_of_an_unknown_lot_is_an_error_not_a_traceback(central) -> None:
    code, out, err = _run("lot", "status", "R-17", "--db", central.url)
    held = _run("lot", "hold", "R-17", "--reason", "x", "--db", central.url)
    assert (code, err.strip()) == (1, "Error: lot 'R-17' is not known")
    assert held[0] == code and "Traceback" not in err + out


def test_exports_of_an_unknown_lot_are_refused_and_write_nothing(central, tmp_path: Path) -> None:
    sheet = tmp_path / "r17.xlsx"
    fsma = _run(
        "export", "fsma204", "--tlc", "R-17", "--format", "xlsx", "--out", str(sheet), "--db", central.url
    )
    epcis = _run("export", "epcis", "--lot", "F-0042", "--db", central.url)
    audit = _run("audit", "export", "--lot", "F-0042", "--db", central.url)
    assert fsma[0] == 2 and "lot 'R-17' is not known" in fsma[2] and not sheet.exists()
    assert epcis[0] == 2 and "lot 'F-0042' is not known" in epcis[2] and epcis[1] == ""
    assert audit[0] == 2 and "lot 'F-0042' is not known" in audit[2] and audit[1] == ""
    known = _run("export", "epcis", "--lot", "F-EARLY", "--db", central.url)
    assert known[0] == 0 and '"eventList"' in known[1]


def test_csv_on_standard_output_says_where_the_missing_kde_list_is(central, tmp_path: Path) -> None:
    # a cooling record without the KDEs 21 CFR 1.1325(b) requires (the cooling location, ...)
    central.import_rows(tmp_path, {"kde_records": [{"cte": "cooling", "tlc": "CUC-1", "qty": 5}]})
    code, out, err = _run("export", "fsma204", "--format", "csv", "--db", central.url)
    assert code == 0 and "CUC-1" in out
    missing = [line for line in err.splitlines() if "missing" in line]
    assert missing and "XLSX" not in err and "--out" in missing[0], err
    assert err.endswith("\n")
    listed = _run(
        "export", "fsma204", "--format", "csv", "--out", str(tmp_path / "all.csv"), "--db", central.url
    )
    assert (
        str(tmp_path / "all-missing-kdes.csv") in listed[2] and (tmp_path / "all-missing-kdes.csv").exists()
    )


def test_shipment_export_of_an_unknown_shipment_writes_nothing(central, tmp_path: Path) -> None:
    sheet = tmp_path / "nope.csv"
    code, _out, err = _run("export", "shipment", "NOPE", "--out", str(sheet), "--db", central.url)
    on_stdout = _run("export", "shipment", "NOPE", "--db", central.url)
    assert code == 1 and "no shipped lots are recorded on 'NOPE'" in err and not sheet.exists()
    assert on_stdout[0] == 1 and on_stdout[1] == ""
