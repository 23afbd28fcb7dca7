"""An operator's row and PIN hash go only to the stations of the operator's site (tester #6).

Before: the demo operators had no site column, and an operator without a site went, PIN hash and
all, to every station of every site (a 4-digit PIN falls to an offline search of its hash). Now
every operator central imports names a site, or `*` for a company-wide one (a quality supervisor):
the demo's line operators are PLANT1's, its supervisor is `*`. Shown with two sites' stations
pulling (snapshot, pull changes and rows by key), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli as main
from lotscan.paths import demo_data_dir
from tests.central.support import Central
from tests.central.test_authority import _operators_seen

PLANT2 = {
    "sites": [{"code": "PLANT2", "name": "Second plant"}],
    "locations": [{"code": "P2-DOCK", "site": "PLANT2", "pickable": "no"}],
    "operators": [{"badge": "2001", "name": "Dana Plant2", "pin": "8642", "site": "PLANT2"}],
}


def _demo_central(db_url: str, tmp_path: Path) -> Central:
    imported = CliRunner().invoke(main, ["central", "import", str(demo_data_dir()), "--db", db_url])
    assert imported.exit_code == 0, imported.output
    central = Central(db_url)
    central.import_rows(tmp_path, PLANT2)
    return central


def _seen(central: Central, token: str) -> dict[str, object]:
    seen = _operators_seen(central, token)
    # _operators_seen asks rows by key for 900/901 (the plant's); ask for the demo's too
    body = {
        "after": 0,
        "limit": 5000,
        "keys": [["operator", b] for b in ("1001", "1002", "1003", "9001", "2001")],
    }
    answer = central.http.post("/api/v1/sync/pull", json=body, headers={"Authorization": f"Bearer {token}"})
    for row in answer.json()["rows"]:
        if row["data"] is not None:
            seen[row["key"][1]] = row["data"]["pin_hash"]
    return seen


def test_each_sites_stations_get_only_their_operators_and_the_company_wide_ones(
    db_url: str, tmp_path: Path
) -> None:
    central = _demo_central(db_url, tmp_path)
    try:
        _, plant1 = central.enroll("PLANT1")
        _, plant2 = central.enroll("PLANT2")
        at_plant1, at_plant2 = _seen(central, plant1), _seen(central, plant2)
        assert set(at_plant1) == {"1001", "1002", "1003", "9001"}
        assert set(at_plant2) == {"2001", "9001"}  # none of PLANT1's line operators
        assert str(at_plant1["9001"]).startswith("scrypt$") and at_plant1["9001"] == at_plant2["9001"]
        assert str(at_plant2["2001"]).startswith("scrypt$")
    finally:
        central.close()


def test_central_refuses_an_operator_without_a_site(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "operators.csv").write_text("badge,name,role,pin\n7001,No Site,supervisor,1357\n")
    refused = CliRunner().invoke(main, ["central", "import", str(tmp_path), "--db", db_url])
    assert refused.exit_code == 1, refused.output
    assert "7001" in refused.output and "have no site" in refused.output and "*" in refused.output
    assert "Nothing was imported" in refused.output
