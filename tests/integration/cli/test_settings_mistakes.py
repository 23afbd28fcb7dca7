"""Each settings mistake from issue 12 is refused: a message naming the file, the key and what is
allowed, exit status 2, and no traceback. `lotscan config --json` says where each value came from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LOTSCAN = str(Path(sys.executable).with_name("lotscan"))


def config(path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LOTSCAN, "config", "--config", str(path), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[station]\nide = "ST-9"\n', "station.toml: unknown key 'ide' in [station]; did you mean 'id'?"),
        ("[polcy]\nrequire_pin = true\n", "station.toml: unknown table [polcy]; did you mean [policy]?"),
        (
            "[policy]\nrequre_pin = true\n",
            "station.toml: unknown key 'requre_pin' in [policy]; did you mean 'require_pin'?",
        ),
        (
            '[policy]\nrequire_pin = "false"\n',
            "station.toml: [policy] require_pin = 'false' is not allowed: Input should be a valid boolean; "
            "use true or false (not quoted)",
        ),
        (
            '[policy]\nduplicate_window_s = "abc"\n',
            "station.toml: [policy] duplicate_window_s = 'abc' is not allowed: Input should be a valid "
            "number; use seconds, 0 to 3600",
        ),
        ("[policy]\nidle_signout_s = -5\n", "[policy] idle_signout_s = -5 is not allowed"),
        ('[station]\nid = "ST 9"\n', "[station] id = 'ST 9' is not allowed"),
        ('[codes.internal_prefixes]\n"BIN:" = "bin"\n', "the type must be one of location"),
        ('[lots]\npattern = "{item}{seq:04}"\n', "could pass GS1's 20 characters"),
        # tester's #2: a malformed pattern was a traceback
        ('[lots]\npattern = "{seq:03"\n', "station.toml: [lots] pattern: lot pattern '{seq:03' cannot"),
        ('[lots]\npattern = "{date:%y%j}{seq:%y}"\n', "[lots] pattern: lot pattern '{date:%y%j}{seq:%y}'"),
        ("[station\n", "station.toml: not valid TOML"),
        (
            '[codes]\ngs_substitutes = ["1"]\n',
            "[codes] gs_substitutes = ['1'] is not allowed: '1' cannot stand for GS: '1' can appear in GS1 "
            "data (character set 82)",
        ),
        ('[codes]\ngs_substitutes = ["|", "("]\n', "'(' cannot stand for GS"),
        ('[codes]\ngs_substitutes = ["x"]\n', "'x' cannot stand for GS"),
    ],
)
def test_a_settings_mistake_is_named_and_exits_2(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "station.toml"
    path.write_text(toml, encoding="utf-8")
    result = config(path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_every_mistake_is_listed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_text('[station]\nide = "ST-9"\n[polcy]\n[policy]\nrequre_pin = true\n', encoding="utf-8")
    result = config(path)
    assert result.returncode == 2
    assert all(name in result.stderr for name in ("'ide'", "[polcy]", "'requre_pin'"))


def test_config_json_says_where_each_value_came_from(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_text('[station]\nid = "DOCK-7"\n[policy]\nrequire_pin = false\n', encoding="utf-8")
    shown = json.loads(config(path, "--json").stdout)
    origins = shown["origins"]
    assert origins["station.id"] == f"file {path}"
    assert origins["policy.require_pin"] == f"file {path}"
    assert origins["station.site"] == "default" and shown["station"]["site"] == "PLANT1"
    assert origins["station.database"] == "default"
    from_env = json.loads(config(path, "--json", LOTSCAN_DB=str(tmp_path / "env.db")).stdout)
    assert from_env["origins"]["station.database"] == "env LOTSCAN_DB"
    assert from_env["station"]["database"] == str(tmp_path / "env.db")


def test_config_text_names_each_values_origin(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_text('[station]\nid = "DOCK-7"\n', encoding="utf-8")
    shown = config(path).stdout
    assert f'  id = "DOCK-7"    # file {path}' in shown
    assert '  site = "PLANT1"    # default' in shown


def test_every_setting_shown_is_one_the_file_may_set() -> None:
    """The schema and the settings agree: a key `lotscan config` shows can be written in
    station.toml, and the schema has no key the settings ignore."""
    from lotscan.settings import StationSettings
    from lotscan.settings.schema import StationFile

    shown = StationSettings().as_dict()
    for table, model in StationFile.model_fields.items():
        annotation = model.annotation
        if table == "devices" or annotation is None:
            continue
        assert set(shown[table]) == set(annotation.model_fields), table  # type: ignore[union-attr]


def test_the_shipped_gs_substitute_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_text('[codes]\ngs_substitutes = ["|", "^"]\n', encoding="utf-8")
    result = config(path, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["codes"]["gs_substitutes"] == ["|", "^"]
