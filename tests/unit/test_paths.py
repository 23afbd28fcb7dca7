"""lotscan.paths: the user's folders follow XDG, shipped data comes from the package, and the
user's own drivers/ and labels/ folders add to (and override) what is shipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from lotscan import paths
from lotscan.devices.profiles import known_profiles, load_profile
from lotscan.labels.templates import available, load_template

ROOT = Path(__file__).resolve().parents[2]


def test_user_folders_follow_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONFIG", "DATA", "CACHE", "STATE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    assert paths.station_config_file() == tmp_path / "config" / "lotscan" / "station.toml"
    assert paths.station_database() == tmp_path / "data" / "lotscan" / "station.db"
    assert paths.bench_cache_dir() == tmp_path / "cache" / "lotscan" / "bench"
    assert paths.state_dir() == tmp_path / "state" / "lotscan"
    assert paths.central_database_url() == f"sqlite:///{tmp_path / 'data' / 'lotscan' / 'central.db'}"


def test_shipped_data_is_the_checkouts_single_copy() -> None:
    assert paths.example_station_config().read_bytes() == (ROOT / "config" / "station.toml").read_bytes()
    assert paths.shipped("drivers").resolve() == (ROOT / "drivers").resolve()
    assert paths.demo_data_dir().resolve() == (ROOT / "config" / "demo").resolve()


def test_a_users_own_drivers_folder_adds_profiles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no ./drivers here
    own = paths.config_dir() / "drivers"
    own.mkdir(parents=True)
    (own / "acme-7.toml").write_text('[profile]\nfamily = "serial-scanner"\n[serial]\nbaud = 19200\n')
    found = known_profiles()
    assert found["acme-7"] == own / "acme-7.toml"
    assert "honeywell-serial" in found  # the shipped ones are still there
    assert load_profile("acme-7").baud == 19200


def test_a_users_own_label_template_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    own = paths.config_dir() / "labels"
    own.mkdir(parents=True)
    (own / "small.toml").write_text("width_mm = 40\nheight_mm = 20\n")
    (own / "tiny.toml").write_text("width_mm = 30\nheight_mm = 15\n")
    assert {"case", "pallet", "small", "tiny"} <= set(available())
    assert load_template("small").width_mm == 40
    assert load_template("case").width_mm > 0
