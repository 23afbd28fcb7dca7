"""The station does not promise a release central will refuse (tester #18).

Central refuses a station's release of a lot another site or central put on hold
(RELEASE_NOT_ALLOWED, docs/sync.md). The station showed such a release ACCEPTED and recorded
it, and the lot was used until the refusal came back. Central now sends who holds the lot
(`held_by`) with it, and the station refuses the scan up front with central's code and a
sentence saying who can lift it. Real SQLite station caches, real central database (SQLite and
PostgreSQL), central's real HTTP app.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lotscan.domain.verdict import Level
from lotscan.services.context import Workflow
from lotscan.store.schema import Lot
from tests.central.support import Central, Station, state_of
from tests.central.test_authority import PLANT2
from tests.plant import FLOUR

F_LATE = f"(01){FLOUR}(10)F-LATE"


@pytest.fixture
def two_sites(central: Central, tmp_path: Path) -> Central:
    central.import_rows(tmp_path, PLANT2)
    return central


def held_by(station: Station, lot: str) -> str | None:
    with station.engine.connect() as conn:
        return conn.execute(select(Lot.held_by).where(Lot.code == lot)).scalar()


def test_a_supervisor_cannot_release_at_a_station_what_another_site_held(
    two_sites: Central, tmp_path
) -> None:
    """Tester #18: PLANT2's supervisor released PLANT1's hold: ACCEPTED at the station, then
    refused by central (RELEASE_NOT_ALLOWED)."""
    plant1 = Station(two_sites, tmp_path, "ST-P1", site="P1")
    plant2 = Station(two_sites, tmp_path, "ST-P2", site="P2")
    held = plant1.scan(F_LATE, Workflow.HOLD, operator="900", reason="foreign body found")
    assert held.recorded, held
    assert plant1.sync().outcomes == {"applied": 1}
    plant2.sync()
    verdict = plant2.scan(F_LATE, Workflow.RELEASE, operator="901", reason="looks fine to me")
    assert verdict.level is Level.REJECTED and not verdict.recorded
    assert [r.code for r in verdict.reasons] == ["RELEASE_NOT_ALLOWED"]  # central's code
    assert "held by site P1: only P1's supervisor or central can release it" in verdict.message
    assert held_by(plant2, "F-LATE") == "P1"  # central sent it with the lot
    assert plant2.pending() == 0
    assert state_of(plant2.engine, "P2")["lots"][("FLOUR", "F-LATE")] == "hold"
    # PLANT1's own supervisor may, and central agrees.
    plant1.sync()
    released = plant1.scan(F_LATE, Workflow.RELEASE, operator="900", reason="lab clear")
    assert released.level is not Level.REJECTED, released
    assert plant1.sync().outcomes == {"applied": 1}
    plant2.sync()
    assert held_by(plant2, "F-LATE") is None


def test_a_hold_central_set_is_released_only_at_central(central: Central, tmp_path) -> None:
    """The same for central's own hold, learned from a snapshot and from a pull."""
    station = Station(central, tmp_path, "ST1")
    answer = central.http.post(
        "/api/v1/admin/lots/F-LATE/status",
        json={"action": "quarantine", "reason": "lab", "item": "FLOUR"},
        headers=central.admin(),
    )
    assert answer.status_code == 200
    station.sync()  # a pull brings the lot, with its holder
    verdict = station.scan(F_LATE, Workflow.RELEASE, operator="900", reason="looks fine")
    assert [r.code for r in verdict.reasons] == ["RELEASE_NOT_ALLOWED"] and not verdict.recorded
    assert "held by central: only central can release it" in verdict.message
    fresh = Station(central, tmp_path, "ST2")  # a snapshot brings it too
    assert held_by(fresh, "F-LATE") == "central"
    imported_hold = fresh.scan(f"(01){FLOUR}(10)F-HOLD", Workflow.RELEASE, operator="900", reason="ok")
    assert [r.code for r in imported_hold.reasons] == ["RELEASE_NOT_ALLOWED"]  # central imported it on hold


def test_a_station_releases_its_own_sites_hold_as_before(central: Central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    assert station.scan(F_LATE, Workflow.HOLD, operator="900", reason="check temp").recorded
    station.sync()
    assert held_by(station, "F-LATE") == "P1"
    released = station.scan(F_LATE, Workflow.RELEASE, operator="900", reason="temp ok")
    assert released.recorded, released
    assert station.sync().outcomes == {"applied": 1}
