"""Every path lotscan uses, in one place: the user's folders and the data shipped in the package.

User folders follow the platform's conventions (`platformdirs`; on Linux the XDG variables):
  config  ~/.config/lotscan         station.toml, central.toml, your own drivers/ and labels/
  data    ~/.local/share/lotscan    station.db, demo.db, central.db
  cache   ~/.cache/lotscan          what can be rebuilt (benchmark caches)
  state   ~/.local/state/lotscan    logs and other run state
Environment variables that name one file or folder win over these: LOTSCAN_CONFIG (station
settings file), LOTSCAN_DB (station cache), LOTSCAN_CENTRAL_DB (central database URL) and
LOTSCAN_DRIVERS (extra profile folders, os.pathsep-separated).

Shipped data (device profiles, example settings, label templates, the demo plant) is package
data under `lotscan/shipped/`, read with `importlib.resources`. In the source checkout those are
links to the top-level `drivers/` and `config/` folders, the single copy that people edit; a
wheel carries the files themselves.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

import platformdirs

APP = "lotscan"


def config_dir() -> Path:
    return platformdirs.user_config_path(APP, appauthor=False)


def data_dir() -> Path:
    return platformdirs.user_data_path(APP, appauthor=False)


def cache_dir() -> Path:
    return platformdirs.user_cache_path(APP, appauthor=False)


def state_dir() -> Path:
    return platformdirs.user_state_path(APP, appauthor=False)


def station_config_file() -> Path:
    """Where `lotscan config init` writes station.toml and where it is read when no
    --config or LOTSCAN_CONFIG names another file."""
    return config_dir() / "station.toml"


def station_database() -> Path:
    return data_dir() / "station.db"


def demo_database() -> Path:
    return data_dir() / "demo.db"


def ssh_host_key() -> Path:
    """The served station's SSH host key (`lotscan station --ssh`), created on first use."""
    return data_dir() / "ssh_host_ed25519_key"


def ssh_authorized_keys() -> Path:
    """One public key per handheld allowed to `lotscan station --ssh`."""
    return config_dir() / "authorized_keys"


def central_database_url() -> str:
    env = os.environ.get("LOTSCAN_CENTRAL_DB")
    return env or f"sqlite:///{data_dir() / 'central.db'}"


def bench_cache_dir() -> Path:
    return cache_dir() / "bench"


def shipped(*parts: str) -> Path:
    """A file or folder of the package data. lotscan is installed as files (a wheel or an
    editable checkout), never imported from a zip, so the resource is a real path."""
    resource = files("lotscan").joinpath("shipped", *parts)
    path = Path(str(resource))
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing from this lotscan installation; reinstall lotscan")
    return path


def example_station_config() -> Path:
    return shipped("config", "station.toml")


def example_central_config() -> Path:
    return shipped("config", "central.toml")


def demo_data_dir() -> Path:
    return shipped("config", "demo")


def label_template_dirs() -> list[Path]:
    """Where label templates are looked for, first match wins: the user's own, then shipped."""
    return _existing([config_dir() / "labels", shipped("config", "labels")])


def driver_dirs() -> list[Path]:
    """Where device profiles are looked for, first match wins: $LOTSCAN_DRIVERS, ./drivers,
    the user's own (~/.config/lotscan/drivers), then the profiles shipped with lotscan."""
    candidates = [Path(p) for p in os.environ.get("LOTSCAN_DRIVERS", "").split(os.pathsep) if p]
    candidates += [Path.cwd() / "drivers", config_dir() / "drivers", shipped("drivers")]
    return _existing(candidates)


def toml_files(folders: list[Path]) -> dict[str, Path]:
    """Every NAME.toml in these folders by NAME; the first folder that has a name wins."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            found.setdefault(path.stem, path)
    return found


def _existing(candidates: list[Path]) -> list[Path]:
    seen: list[Path] = []
    for candidate in candidates:
        if candidate.is_dir() and candidate.resolve() not in seen:
            seen.append(candidate.resolve())
    return seen
