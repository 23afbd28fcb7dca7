from __future__ import annotations

import subprocess
import sys


def test_devices_import_without_textual_store_or_services():
    code = (
        "import sys, lotscan.devices.manager, lotscan.devices.camera, lotscan.devices.hid_reader, "
        "lotscan.devices.mqtt_reader, lotscan.devices.r2000_reader, lotscan.devices.discovery;"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith(("
        "'lotscan.store', 'lotscan.services', 'lotscan.station'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hid_reader_without_evdev_says_how_to_get_it():
    code = (
        "import sys; sys.modules['evdev'] = None\n"
        "from lotscan.devices.config import DeviceConfig\n"
        "from lotscan.devices.discovery import probe, input_devices, all_profiles\n"
        "state = probe(DeviceConfig.from_mapping({'id': 'kbd', 'profile': 'generic-hid-wedge'}))\n"
        "print(state.state, state.detail)\n"
        "print(input_devices(all_profiles())[1])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "error" in result.stdout and "pip install 'lotscan[hid]'" in result.stdout
