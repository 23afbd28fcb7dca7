from __future__ import annotations

import pytest

from lotscan.devices.config import ConfigError, DeviceConfig
from lotscan.devices.profiles import FAMILIES, ProfileError, known_profiles, load_profile

REQUIRED = {
    "generic-cdc-scanner": "serial-scanner",
    "honeywell-serial": "serial-scanner",
    "zebra-serial": "serial-scanner",
    "generic-hid-wedge": "hid-scanner",
    "usb-camera": "camera",
    "r2000-uhf": "r2000",
    "mqtt-fixed-reader": "mqtt-rfid",
    "rdm6300-badge": "rdm6300",
}


@pytest.mark.parametrize(("name", "family"), sorted(REQUIRED.items()))
def test_every_shipped_profile_loads(name, family):
    profile = load_profile(name)
    assert profile.family == family and profile.description
    assert profile.family in FAMILIES


def test_camera_profile_formats_are_known_to_zxing():
    import zxingcpp

    zxingcpp.barcode_formats_from_str(",".join(load_profile("usb-camera").formats))


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(ProfileError) as caught:
        load_profile("acme-9000")
    message = str(caught.value)
    assert "acme-9000" in message and "honeywell-serial" in message and "drivers/README.md" in message


def test_profiles_from_lotscan_drivers_and_by_path(tmp_path, monkeypatch):
    (tmp_path / "acme-9000.toml").write_text(
        '[profile]\nfamily = "serial-scanner"\n[framing]\nsuffix = "lf"\n[serial]\nbaud = 19200\n'
    )
    monkeypatch.setenv("LOTSCAN_DRIVERS", str(tmp_path))
    assert "acme-9000" in known_profiles()
    profile = load_profile("acme-9000")
    assert (profile.baud, profile.suffix, profile.suffix_bytes) == (19200, "LF", b"\n")
    assert load_profile(tmp_path / "acme-9000.toml").name == "acme-9000"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[profile]\nfamily = "toaster"\n', "family"),
        ('[profile]\nfamily = "serial-scanner"\n[framing]\nsuffix = "EOT"\n', "suffix"),
        ('[profile]\nfamily = "serial-scanner"\n[symbology]\naim_ids = "maybe"\n', "aim_ids"),
        ('[profile]\nfamily = "serial-scanner"\n[wiring]\nx = 1\n', "unknown section"),
        ("[profile\n", "not valid TOML"),
        ("[serial]\nbaud = 9600\n", "missing 'family'"),
    ],
)
def test_bad_profiles_say_what_is_wrong(tmp_path, text, complaint):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=complaint):
        load_profile(path)


def test_device_config_from_station_toml_table():
    config = DeviceConfig.from_mapping(
        {"id": "dock-1", "profile": "zebra-serial", "port": "/dev/ttyACM0", "baud": 115200}
    )
    assert (config.id, config.port, config.overrides) == ("dock-1", "/dev/ttyACM0", {"baud": 115200})
    assert config.resolve_profile().baud == 115200


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ({"profile": "zebra-serial"}, "lacks id"),
        ({"id": "x"}, "lacks profile"),
        ({"id": "x", "profile": "p", "port": "a", "url": "b"}, "either port or url"),
        ({"id": "x", "profile": "p", "enabled": "false"}, "enabled = 'false' must be true or false"),
    ],
)
def test_device_config_errors(entry, complaint):
    with pytest.raises(ConfigError, match=complaint):
        DeviceConfig.from_mapping(entry)


def test_bad_override_is_a_profile_error():
    with pytest.raises(ProfileError, match="suffix"):
        DeviceConfig.from_mapping({"id": "x", "profile": "zebra-serial", "suffix": "??"}).resolve_profile()


def test_port_resolution_rules(tmp_path):
    from lotscan.devices.errors import DeviceMissing
    from lotscan.devices.seriallink import PortChoice, resolve_port

    assert resolve_port(PortChoice("socket://10.0.0.5:4001")) == "socket://10.0.0.5:4001"
    assert resolve_port(PortChoice("rfc2217://10.0.0.5:4002")) == "rfc2217://10.0.0.5:4002"
    present = tmp_path / "usb-Honeywell-if00"
    present.touch()
    assert resolve_port(PortChoice(str(present))) == str(present)
    with pytest.raises(DeviceMissing, match="not present"):
        resolve_port(PortChoice(str(tmp_path / "gone")))
    with pytest.raises(DeviceMissing, match=r"0c2e:0b61 \(serial 123\)"):
        resolve_port(PortChoice("0c2e:0b61", serial_number="123"))
    with pytest.raises(DeviceMissing, match="usb-Honeywell"):
        resolve_port(PortChoice(None, by_id=("usb-Honeywell*",)))


def test_device_entry_extras_merge_with_profile_extras(tmp_path, monkeypatch):
    (tmp_path / "door.toml").write_text('[profile]\nfamily = "mqtt-rfid"\nportal = true\n')
    monkeypatch.setenv("LOTSCAN_DRIVERS", str(tmp_path))
    config = DeviceConfig.from_mapping({"id": "d", "profile": "door", "username": "station"})
    assert config.resolve_profile().extra == {"portal": True, "username": "station"}


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"baud": "fast"}, "baud = 'fast' should be a int"),
        ({"exclusive": 1}, "should be a bool"),
        ({"power_dbm": 20.5}, "power_dbm"),
        ({"address": "zz"}, "not a number"),
    ],
)
def test_wrongly_typed_fields_are_refused(override, complaint):
    with pytest.raises(ProfileError, match=complaint):
        load_profile("r2000-uhf").with_overrides(override)


def test_numbers_are_accepted_where_floats_are_expected():
    profile = load_profile("honeywell-serial").with_overrides({"stopbits": 2, "interbyte_timeout_ms": 30})
    assert (profile.stopbits, profile.interbyte_timeout_ms) == (2.0, 30.0)
