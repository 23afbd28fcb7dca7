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
from click.testing import CliRunner
from sqlalchemy import select, update

from lotscan.cli.main import cli
from lotscan.domain.verdict import Level
from lotscan.services.context import Workflow
from lotscan.store.schema import Lot
from tests.central.support import Central, Station, state_of
from tests.central.test_authority import PLANT2, ev, outcome, status_change
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


def test_an_offline_hold_arriving_after_centrals_hold_leaves_it_centrals(central: Central, tmp_path) -> None:
    """Tester's W9: the station held F-LATE while central was unreachable, central's admin held it
    too, then the station synced. Central's row took the station's late hold for the only one
    (held_by P1, from the status at the event's time), so the station showed every release by
    its supervisor ACCEPTED, "now RELEASED", and central refused each one as held by central."""
    station = Station(central, tmp_path, "ST1")
    assert station.scan(F_LATE, Workflow.HOLD, operator="900", reason="check temp").recorded  # offline
    centrals = central.http.post(
        "/api/v1/admin/lots/F-LATE/status",
        json={"action": "hold", "reason": "central lab hold", "item": "FLOUR"},
        headers=central.admin(),
    )
    assert centrals.status_code == 200
    assert station.sync().outcomes == {"applied": 1}
    with central.engine.connect() as conn:
        assert conn.execute(select(Lot.held_by).where(Lot.code == "F-LATE")).scalar() == "central"
    assert held_by(station, "F-LATE") == "central"
    verdict = station.scan(F_LATE, Workflow.RELEASE, operator="900", reason="second try")
    assert verdict.level is Level.REJECTED and not verdict.recorded, verdict
    assert [r.code for r in verdict.reasons] == ["RELEASE_NOT_ALLOWED"]
    assert "held by central: only central can release it" in verdict.message
    assert station.pending() == 0


def test_a_lot_received_into_quarantine_is_its_receiving_sites_to_release(
    two_sites: Central, tmp_path
) -> None:
    """Tester's W9, second reproduction: P2 received F-Q2 into quarantine; central kept no holder
    (held_by empty), so P1's supervisor saw their release ACCEPTED, "now RELEASED", and central
    refused it as held by site P2. Central now keeps the receiving site as the holder, sends it,
    and the station refuses up front; a hold P1 lays over it adds P1, and the audit agrees."""
    p1 = Station(two_sites, tmp_path, "ST-P1", site="P1")
    _, p2 = two_sites.enroll("P2")
    received = {"item": "FLOUR", "lot": "F-Q2", "qty": 5, "location": "B1", "lot_status": "quarantine"}
    assert outcome(two_sites, p2, ev(1, "stock.received", received))["outcome"] == "applied"
    with two_sites.engine.connect() as conn:
        assert conn.execute(select(Lot.held_by).where(Lot.code == "F-Q2")).scalar() == "P2"
    p1.sync()
    label = f"(01){FLOUR}(10)F-Q2"
    verdict = p1.scan(label, Workflow.RELEASE, operator="900", reason="other site ok")
    assert verdict.level is Level.REJECTED and not verdict.recorded, verdict
    assert [r.code for r in verdict.reasons] == ["RELEASE_NOT_ALLOWED"]
    assert "held by site P2: only P2's supervisor or central can release it" in verdict.message
    assert p1.scan(label, Workflow.HOLD, operator="900", reason="our check too").recorded
    assert p1.sync().outcomes == {"applied": 1}
    assert held_by(p1, "F-Q2") == "P1,P2"
    verified = CliRunner().invoke(cli, ["central", "audit", "verify", "--db", two_sites.url])
    assert verified.exit_code == 0, verified.output
    lifted = outcome(
        two_sites, p2, ev(2, "lot.status_changed", status_change("F-Q2", "released"), operator="901")
    )
    assert (lifted["outcome"], lifted["code"]) == ("rejected", "RELEASE_NOT_ALLOWED")  # P1's hold too


def test_a_lot_received_into_quarantine_before_the_upgrade_gets_its_holder(
    two_sites: Central, tmp_path: Path
) -> None:
    """W9's second reproduction on a database from before the fix: F-Q2, received by P2 into
    quarantine, has no holder (as central left it); migration 0017 fills in P2, and P1's station
    refuses the release up front after its next pull."""
    from alembic import command

    from lotscan.central.db import _alembic_config, upgrade

    plant1 = Station(two_sites, tmp_path, "ST-P1", site="P1")
    _, p2 = two_sites.enroll("P2")
    received = {"item": "FLOUR", "lot": "F-Q2", "qty": 5, "location": "B1", "lot_status": "quarantine"}
    assert outcome(two_sites, p2, ev(1, "stock.received", received))["outcome"] == "applied"
    config = _alembic_config()
    with two_sites.engine.connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.downgrade(config, "0016_record_operators")
        conn.execute(update(Lot).where(Lot.code == "F-Q2").values(held_by=None))  # as before the fix
    upgrade(two_sites.engine)
    two_sites.restart()
    with two_sites.engine.connect() as conn:
        assert conn.execute(select(Lot.held_by).where(Lot.code == "F-Q2")).scalar() == "P2"
    plant1.sync()
    verdict = plant1.scan(f"(01){FLOUR}(10)F-Q2", Workflow.RELEASE, operator="900", reason="ok")
    assert [r.code for r in verdict.reasons] == ["RELEASE_NOT_ALLOWED"] and not verdict.recorded
    assert "held by site P2" in verdict.message


def test_a_station_releases_its_own_sites_hold_as_before(central: Central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    assert station.scan(F_LATE, Workflow.HOLD, operator="900", reason="check temp").recorded
    station.sync()
    assert held_by(station, "F-LATE") == "P1"
    released = station.scan(F_LATE, Workflow.RELEASE, operator="900", reason="temp ok")
    assert released.recorded, released
    assert station.sync().outcomes == {"applied": 1}


def test_a_hold_set_before_central_kept_holders_is_refused_up_front_after_the_upgrade(
    two_sites: Central, tmp_path
) -> None:
    """Tester's T15: a lot P2 held while central was at 0011 got held_by NULL from migration 0012,
    so P1's station accepted a release (RELEASED on screen) that central then refused. The hold
    is pushed by P2's station and pulled by P1's (its cache left without a holder, as an old
    station's); central goes back to 0011 (dropping the holders) and up to head again. The
    backfill finds P2 in the history, and P1's station, after its next pull, refuses up front."""
    from alembic import command

    from lotscan.central.db import _alembic_config, upgrade

    plant1 = Station(two_sites, tmp_path, "ST-P1", site="P1")
    plant2 = Station(two_sites, tmp_path, "ST-P2", site="P2")
    assert plant2.scan(F_LATE, Workflow.HOLD, operator="901", reason="foreign body").recorded
    assert plant2.sync().outcomes == {"applied": 1}
    plant1.sync()
    # P1's cache as an old station left it: the lot's row came without a holder, and the
    # station's migration 0008 added the column empty.
    with plant1.engine.begin() as conn:
        conn.execute(update(Lot).values(held_by=None))
    config = _alembic_config()
    with two_sites.engine.connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.downgrade(config, "0011_operator_site")  # central as it was before 0012
    upgrade(two_sites.engine)
    two_sites.restart()
    with two_sites.engine.connect() as conn:
        assert conn.execute(select(Lot.held_by).where(Lot.code == "F-LATE")).scalar() == "P2"
    plant1.sync()  # the backfill went into the change log: the pull brings it
    assert held_by(plant1, "F-LATE") == "P2"
    verdict = plant1.scan(F_LATE, Workflow.RELEASE, operator="900", reason="ok")
    assert [r.code for r in verdict.reasons] == ["RELEASE_NOT_ALLOWED"] and not verdict.recorded
    assert "held by site P2" in verdict.message
