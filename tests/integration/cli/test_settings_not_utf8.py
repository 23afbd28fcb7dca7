"""Tester's T6: a settings file that is not UTF-8 (UTF-16 with a byte-order mark, as Notepad's
"Unicode" saves it, or Latin-1) was a UnicodeDecodeError traceback. The rule: never a traceback;
a message naming the file, what is wrong and what to do, exit 2. Every TOML file lotscan reads
(station.toml, central.toml, label templates, device profiles) says the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lotscan.devices.profiles import ProfileError, parse_profile
from lotscan.labels.errors import TemplateError
from lotscan.labels.templates import load_template

LOTSCAN = str(Path(sys.executable).with_name("lotscan"))
NOTEPAD_UNICODE = b"\xff\xfe" + "[station]\n".encode("utf-16-le")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOTSCAN_")}
    return subprocess.run([LOTSCAN, *args], capture_output=True, text=True, cwd=cwd, env=clean, check=False)


def test_a_station_toml_saved_as_utf16_is_named_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "bin.toml").write_bytes(NOTEPAD_UNICODE)
    done = run("config", "--config", "bin.toml", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "bin.toml: not UTF-8 text (byte 0xff at 0" in done.stderr
    assert "save it as UTF-8" in done.stderr


def test_a_central_toml_in_latin1_is_named_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_bytes("[central]\n# Büro\n".encode("latin-1"))
    done = run("central", "serve", "--config", "c.toml", "--show", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "c.toml: not UTF-8 text (byte 0xfc at 13): save it as UTF-8" in done.stderr


def test_a_central_toml_saved_as_utf16_is_named_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_bytes(b"\xff\xfe" + "[central]\n".encode("utf-16-le"))
    done = run("central", "serve", "--config", "c.toml", "--show", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "c.toml: not UTF-8 text (byte 0xff at 0" in done.stderr


def test_notepads_utf8_with_bom_is_read(tmp_path: Path) -> None:
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + b'[station]\nid = "ST-7"\n')
    done = run("config", "--config", "bom.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ST-7" in done.stdout


def test_a_label_template_or_device_profile_not_in_utf8_is_named(tmp_path: Path) -> None:
    template = tmp_path / "mine.toml"
    template.write_bytes(b"\xff\xfe" + "width_mm = 100\n".encode("utf-16-le"))
    with pytest.raises(TemplateError, match=r"mine.toml: not UTF-8 text \(byte 0xff at 0"):
        load_template(str(template))
    profile = tmp_path / "scanner.toml"
    profile.write_bytes('name = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ProfileError, match=r"scanner.toml: not UTF-8 text \(byte 0xe9 at 11\)"):
        parse_profile(profile)
