"""Serial scanners over real pseudo-terminals and TCP sockets."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lotscan.devices.manager import DeviceManager
from lotscan.devices.messages import DeviceState, State
from lotscan.devices.profiles import load_profile
from lotscan.devices.simulate import PtyPort, ScannerSimulator, TcpPort

GS = "\x1d"
GS1_128 = f"0109506000134352172812311024A117{GS}21SN0001"


def start(collector, port: str, profile: str = "honeywell-serial", **overrides) -> DeviceManager:
    manager = DeviceManager([{"id": "scanner-1", "profile": profile, "port": port, **overrides}], collector)
    manager.start()
    assert collector.wait_state(State.CONNECTED), collector.messages
    return manager


@pytest.mark.parametrize("profile", ["generic-cdc-scanner", "honeywell-serial", "zebra-serial"])
def test_each_serial_profile_frames_scans_over_a_pty(collector, profile):
    with PtyPort() as pty:
        manager = start(collector, pty.address, profile)
        try:
            sim = ScannerSimulator(pty, load_profile(profile))
            sim.send("9506000134352", aim_id="]E0")
            sim.send(GS1_128, aim_id="]C1")
            scans = collector.wait_scans(2)
        finally:
            manager.stop()
    assert [s.raw.data for s in scans] == [b"9506000134352", GS1_128.encode()]
    assert all(s.raw.device_id == "scanner-1" and s.raw.source == "serial" for s in scans)


def test_gs_separated_gs1_128_keeps_gs_and_aim_id(collector):
    with PtyPort() as pty:
        manager = start(collector, pty.address)
        try:
            ScannerSimulator(pty, load_profile("honeywell-serial"), split=True).send(GS1_128, aim_id="]C1")
            (scan,) = collector.wait_scans(1)
        finally:
            manager.stop()
    assert scan.raw.aim_id == "]C1"
    assert scan.raw.data == GS1_128.encode()
    assert b"\x1d21SN0001" in scan.raw.data


def test_aim_ids_stripped_when_profile_says_strip(collector):
    with PtyPort() as pty:
        manager = start(collector, pty.address, aim_ids="strip")
        try:
            pty.write(b"]C10109506000134352\r")
            (scan,) = collector.wait_scans(1)
        finally:
            manager.stop()
    assert scan.raw.aim_id is None
    assert scan.raw.data == b"0109506000134352"


def test_gs_substitute_becomes_gs(collector):
    with PtyPort() as pty:
        manager = start(collector, pty.address, "zebra-serial")
        try:
            pty.write(b"]C101095060001343521024A1|21SN1\r\n")
            (scan,) = collector.wait_scans(1)
        finally:
            manager.stop()
    assert scan.raw.data == b"01095060001343521024A1\x1d21SN1"


def test_interbyte_timeout_frames_a_scanner_without_suffix(collector):
    with PtyPort() as pty:
        manager = start(collector, pty.address, "generic-cdc-scanner", suffix="NONE", interbyte_timeout_ms=40)
        try:
            pty.write(b"ABC")
            time.sleep(0.01)
            pty.write(b"123")  # same scan: the pause is shorter than the timeout
            time.sleep(0.15)
            pty.write(b"XYZ")
            scans = collector.wait_scans(2)
        finally:
            manager.stop()
    assert [s.raw.data for s in scans] == [b"ABC123", b"XYZ"]


def test_etx_framing_with_stx_prefix(collector):
    with PtyPort() as pty:
        manager = start(collector, pty.address, "generic-cdc-scanner", suffix="ETX")
        try:
            pty.write(b"\x02HELLO\x03\x02WORLD\x03")
            scans = collector.wait_scans(2)
        finally:
            manager.stop()
    assert [s.raw.data for s in scans] == [b"HELLO", b"WORLD"]


def test_garbage_is_dropped_counted_and_reported_and_reading_goes_on(collector):
    with PtyPort() as pty:
        manager = start(collector, pty.address)
        try:
            sim = ScannerSimulator(pty, load_profile("honeywell-serial"))
            sim.send_garbage()
            sim.send("12345", aim_id="]C0")
            (scan,) = collector.wait_scans(1)
            assert collector.wait_for(
                lambda ms: any(isinstance(m, DeviceState) and "garbage" in m.detail for m in ms)
            )
            stats = manager.states()[0].stats
        finally:
            manager.stop()
    assert scan.raw.data == b"12345"
    assert stats["garbage_frames"] == 1


def test_unplug_and_replug_reconnects_within_2s_and_loses_nothing_after(collector, tmp_path: Path):
    link = tmp_path / "usb-Honeywell_Xenon_1900-if00"  # like /dev/serial/by-id
    pty = PtyPort(link)
    manager = start(collector, str(link))
    sim = ScannerSimulator(pty, load_profile("honeywell-serial"))
    try:
        sim.send("BEFORE", aim_id="]C0")
        collector.wait_scans(1)
        for round_ in range(2):
            mark = len(collector.messages)
            pty.unplug()
            assert collector.wait_state(State.DISCONNECTED, after=mark), collector.messages[mark:]
            time.sleep(0.3)
            mark = len(collector.messages)
            pty.replug()
            replugged = time.monotonic()
            assert collector.wait_state(State.CONNECTED, timeout=2.0, after=mark)
            assert time.monotonic() - replugged < 2.0
            codes = [f"AFTER-{round_}-{i}" for i in range(20)]
            for code in codes:
                sim.send(code, aim_id="]C0")
            scans = collector.wait_scans(1 + 20 * (round_ + 1))
            got = [s.raw.data.decode() for s in scans]
            assert all(code in got for code in codes), got
        assert manager.states()[0].stats["reconnects"] == 2
    finally:
        manager.stop()
        pty.close()


def test_socket_url_reads_and_reconnects(collector):
    tcp = TcpPort()
    manager = start(collector, tcp.address)
    sim = ScannerSimulator(tcp, load_profile("honeywell-serial"))
    try:
        sim.send(GS1_128, aim_id="]C1")
        (scan,) = collector.wait_scans(1)
        assert scan.raw.data == GS1_128.encode()
        mark = len(collector.messages)
        tcp.unplug()
        assert collector.wait_state(State.DISCONNECTED, after=mark)
        mark = len(collector.messages)
        tcp.replug()
        assert collector.wait_state(State.CONNECTED, timeout=2.0, after=mark)
        sim.send("AGAIN", aim_id="]C0")
        scans = collector.wait_scans(2)
        assert scans[-1].raw.data == b"AGAIN"
    finally:
        manager.stop()
        tcp.close()


def test_busy_port_is_reported_and_other_devices_keep_running(collector):
    with PtyPort() as busy, PtyPort() as good:
        holder = DeviceManager(
            [{"id": "holder", "profile": "honeywell-serial", "port": busy.address}], lambda m: None
        )
        holder.start()
        time.sleep(0.3)
        manager = DeviceManager(
            [
                {"id": "busy", "profile": "honeywell-serial", "port": busy.address},
                {"id": "missing", "profile": "honeywell-serial", "port": "/dev/does-not-exist"},
                {"id": "unknown", "profile": "no-such-scanner", "port": good.address},
                {"id": "good", "profile": "honeywell-serial", "port": good.address},
            ],
            collector,
        )
        manager.start()
        try:
            assert collector.wait_for(
                lambda ms: (
                    {m.device_id for m in ms if isinstance(m, DeviceState)}
                    >= {"busy", "missing", "unknown", "good"}
                )
            )
            assert collector.wait_for(
                lambda ms: any(
                    isinstance(m, DeviceState) and m.device_id == "good" and m.state == State.CONNECTED
                    for m in ms
                )
            )
            ScannerSimulator(good, load_profile("honeywell-serial")).send("OK", aim_id="]C0")
            (scan,) = collector.wait_scans(1)
            assert scan.raw.device_id == "good"
            states = {s.device_id: s for s in manager.states()}
        finally:
            manager.stop()
            holder.stop()
    assert states["busy"].state == State.ERROR and "busy" in states["busy"].detail
    assert states["missing"].state == State.DISCONNECTED
    assert "not present" in states["missing"].detail
    assert states["unknown"].state == State.ERROR
    assert "honeywell-serial" in states["unknown"].detail  # lists the known profiles


def test_asyncio_consumer_gets_scans_through_asyncio_sink():
    import asyncio

    from lotscan.devices.messages import ScanRead, asyncio_sink

    async def main() -> ScanRead:
        inbox: asyncio.Queue = asyncio.Queue()
        with PtyPort() as pty:
            manager = DeviceManager(
                [{"id": "s", "profile": "generic-cdc-scanner", "port": pty.address}],
                asyncio_sink(asyncio.get_running_loop(), inbox),
            )
            manager.start()
            try:
                while getattr(await asyncio.wait_for(inbox.get(), 3), "state", None) != State.CONNECTED:
                    pass
                pty.write(b"LOC:DOCK-IN\r")
                while not isinstance(message := await asyncio.wait_for(inbox.get(), 3), ScanRead):
                    pass
                return message
            finally:
                manager.stop()

    assert asyncio.run(main()).raw.data == b"LOC:DOCK-IN"
