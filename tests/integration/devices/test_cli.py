"""The device commands, run for real: decode on sample photos, devices over ptys, simulators."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.devices.manager import DeviceManager
from lotscan.devices.messages import BadgeRead, State
from lotscan.devices.profiles import load_profile
from lotscan.devices.simulate import PtyPort, ScannerSimulator


def test_decode_json_keeps_gs_and_gives_symbology_format_and_ms(samples):
    images = [str(samples / "rssexpanded-1" / "10.png"), str(samples / "falsepositives-1" / "#245.png")]
    result = CliRunner().invoke(cli, ["decode", "--json", *images])
    assert result.exit_code == 0, result.output
    files = json.loads(result.output)["files"]
    (hit,) = files[0]["results"]
    assert hit["text"] == (samples / "rssexpanded-1" / "10.txt").read_text()
    assert "\x1d" in hit["text"]
    assert (hit["symbology_id"], hit["format"]) == ("]e0", "DataBar Expanded")
    assert files[0]["ms"] > 0
    assert files[1]["results"] == []


def test_decode_with_pyzbar_and_a_missing_file(samples):
    result = CliRunner().invoke(
        cli, ["decode", "--backend", "pyzbar", str(samples / "upca-1" / "1.webp"), "/no/such.png"]
    )
    assert result.exit_code == 1
    assert "no/such.png: cannot read image" in result.output


def test_devices_lists_hardware_and_configured_device_states(tmp_path):
    with PtyPort() as pty:
        config = tmp_path / "station.toml"
        config.write_text(
            f'[[devices]]\nid = "dock-scanner"\nprofile = "honeywell-serial"\nport = "{pty.address}"\n'
            '[[devices]]\nid = "gone"\nprofile = "zebra-serial"\nport = "/dev/serial/by-id/usb-x"\n'
            '[[devices]]\nid = "typo"\nprofile = "honeywel-serial"\nport = "/dev/ttyACM0"\n'
        )
        result = CliRunner().invoke(cli, ["devices", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    states = {d["id"]: d for d in report["configured"]}
    assert states["dock-scanner"]["state"] == "connected"
    assert states["gone"]["state"] == "disconnected" and "not present" in states["gone"]["detail"]
    assert states["typo"]["state"] == "error" and "Known profiles" in states["typo"]["detail"]
    assert "r2000-uhf" in report["profiles"]
    text = CliRunner().invoke(cli, ["devices", "--config", str(config)]).output
    assert "Attached hardware:" in text and "Configured devices:" in text


def test_devices_test_prints_decoded_scans():
    with PtyPort() as pty:
        sim = ScannerSimulator(pty, load_profile("honeywell-serial"))

        def send_later() -> None:
            time.sleep(0.8)
            sim.send("0109506000134352172812311024A117\x1d21SN0001", aim_id="]C1")

        threading.Thread(target=send_later, daemon=True).start()
        result = CliRunner().invoke(
            cli,
            [
                "devices",
                "test",
                "honeywell-serial",
                "--port",
                pty.address,
                "--count",
                "1",
                "--seconds",
                "10",
                "--json",
            ],
        )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    scan = next(line for line in lines if "scan" in line)
    assert scan["aim_id"] == "]C1" and scan["data"].endswith("\x1d21SN0001")
    assert scan["scan"]["gtin"] == "09506000134352" and scan["scan"]["lot"] == "24A117"
    assert any(line.get("state") == "connected" for line in lines)


def test_devices_test_unknown_profile_is_a_clear_error():
    result = CliRunner().invoke(cli, ["devices", "test", "nope"])
    assert result.exit_code != 0 and "unknown device profile 'nope'" in result.output


def run_simulator(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lotscan", "simulate", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


def wait_for_path(path: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_simulate_scanner_feeds_a_station(collector, tmp_path):
    link = tmp_path / "scanner"
    process = run_simulator(
        ["scanner", "--profile", "zebra-serial", "--link", str(link), "--interval", "0.2", "--count", "15"]
    )
    try:
        wait_for_path(link)
        manager = DeviceManager([{"id": "s", "profile": "zebra-serial", "port": str(link)}], collector)
        manager.start()
        try:
            scans = collector.wait_scans(4, timeout=10)
        finally:
            manager.stop()
    finally:
        process.kill()
        process.wait()
    assert len(scans) >= 4
    assert any(s.raw.aim_id == "]d2" and b"\x1d" in s.raw.data for s in scans)  # GS via "|"


def test_simulate_rfid_and_badge_feed_a_station(collector, tmp_path):
    uhf, badge = tmp_path / "uhf", tmp_path / "badge"
    processes = [
        run_simulator(
            [
                "rfid",
                "--link",
                str(uhf),
                "--tags",
                "6",
                "--noise",
                "--split",
                "--corrupt-every",
                "5",
                "--interval",
                "5",
            ]
        ),
        run_simulator(["badge", "--link", str(badge), "--interval", "0.3"]),
    ]
    try:
        wait_for_path(uhf)
        wait_for_path(badge)
        manager = DeviceManager(
            [
                {"id": "uhf", "profile": "r2000-uhf", "port": str(uhf)},
                {"id": "badge", "profile": "rdm6300-badge", "port": str(badge)},
            ],
            collector,
        )
        manager.start()
        try:
            scans = collector.wait_scans(6, timeout=10)
            assert collector.wait_for(lambda ms: any(isinstance(m, BadgeRead) for m in ms), 10)
            assert all(collector.wait_state(State.CONNECTED) for _ in range(1))
        finally:
            manager.stop()
    finally:
        for process in processes:
            process.kill()
            process.wait()
    assert len({s.tag.epc_hex for s in scans}) == 6
    assert all(s.raw.data.startswith(b"30") for s in scans)
