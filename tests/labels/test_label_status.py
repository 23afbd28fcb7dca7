"""Which lots get a label (tester W25): the one rule (labels.lots) the command line and the station
app share. Recalled and rejected never; held and quarantined marked; expired only when forced, marked."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.labels.errors import LabelRefused
from lotscan.labels.printing import print_lot_label
from lotscan.services.station import StationService
from lotscan.settings import load_settings
from lotscan.store.db import open_cache
from tests.plant import build_plant

OLD_EXPIRY = (date.today() - timedelta(days=1)).isoformat()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    database = tmp_path / "station.db"
    build_plant(database)
    return database


def label(database: Path, *args: str) -> tuple[int, str]:
    out = database.parent / "label.svg"
    done = CliRunner().invoke(cli, ["label", *args, "-o", str(out), "--db", str(database)])
    return done.exit_code, " ".join(done.output.split())


@pytest.mark.parametrize("force", [(), ("--force",)], ids=["plain", "forced"])
def test_a_recalled_lot_gets_no_label_forced_or_not(database: Path, force: tuple[str, ...]) -> None:
    code, said = label(database, "F-RECALL", *force)
    assert code == 2, said
    assert "lot F-RECALL is RECALLED: no label is printed for it, --force or not" in said
    assert "lifted only at central" in said and "Nothing was printed" in said
    assert not (database.parent / "label.svg").exists()


def test_a_held_lot_is_labelled_and_its_label_says_so_first(database: Path) -> None:
    """Held or quarantined goods need identifying while they wait (a lot produced into quarantine
    is labelled at the line: test_lot_numbers), and the mark keeps them out of circulation."""
    code, said = label(database, "F-HOLD")
    assert code == 0, said
    assert "WARNING: lot F-HOLD is ON HOLD; the label says so first." in said
    assert "ON HOLD - Flour" in (database.parent / "label.svg").read_text()


@pytest.mark.parametrize(("lot", "mark"), [("F-OLD", f"EXPIRED {OLD_EXPIRY}")])
def test_an_expired_lot_needs_force_and_its_label_says_so(database: Path, lot: str, mark: str) -> None:
    code, said = label(database, lot)
    assert code == 2, said
    assert f"lot {lot} is {mark}: a new label would put it back among usable goods. Give --force" in said
    assert not (database.parent / "label.svg").exists()
    code, said = label(database, lot, "--force")
    assert code == 0, said
    assert f"WARNING: lot {lot} is {mark}; the label says so first." in said
    assert f"{mark} - Flour" in (database.parent / "label.svg").read_text()


def test_a_usable_lot_is_labelled_without_a_word(database: Path) -> None:
    code, said = label(database, "F-TODAY")  # usable on its expiry day
    assert code == 0 and "WARNING" not in said, said
    assert "ON HOLD" not in (database.parent / "label.svg").read_text()


def test_the_station_s_own_labels_follow_the_same_rule(database: Path, tmp_path: Path) -> None:
    """The station app prints through print_lot_label with force (a lot it just received or made):
    a held lot is printed marked, a recalled one never."""
    service = StationService(open_cache(database), load_settings(None, database=str(database)))
    printed = print_lot_label(service, None, "F-HOLD", None, tmp_path / "h.svg", force=True)
    assert printed.label.status_mark == "ON HOLD"
    with pytest.raises(LabelRefused, match="RECALLED: no label is printed"):
        print_lot_label(service, None, "F-RECALL", None, tmp_path / "r.svg", force=True)
    assert not (tmp_path / "r.svg").exists()
