"""R2000 UHF readers and RDM6300 badge readers over real pseudo-terminals and sockets."""

from __future__ import annotations

import time

from lotscan.devices import r2000
from lotscan.devices.manager import DeviceManager
from lotscan.devices.messages import BadgeRead, DeviceState, PortalResult, State
from lotscan.devices.simulate import BadgeSimulator, PtyPort, R2000Simulator, TcpPort

EPCS = [f"3034{n:020X}" for n in range(1, 6)]


def start(collector, port: str, profile: str = "r2000-uhf", **overrides) -> DeviceManager:
    manager = DeviceManager([{"id": "uhf-1", "profile": profile, "port": port, **overrides}], collector)
    manager.start()
    assert collector.wait_state(State.CONNECTED), collector.messages
    return manager


def test_inventory_is_reissued_each_round_and_tags_are_posted_once(collector):
    with PtyPort() as pty:
        sim = R2000Simulator(pty, [(epc, -50) for epc in EPCS], noise=True, split=True).start()
        manager = start(collector, pty.address, antennas=[1, 2], power_dbm=20)
        try:
            scans = collector.wait_scans(5)
            time.sleep(0.3)
            stats = manager.states()[0].stats
        finally:
            manager.stop()
            sim.stop()
    assert sorted(s.tag.epc_hex for s in scans) == EPCS  # each tag once within the window
    assert all(s.raw.source == "rfid" and s.raw.data.decode() in EPCS for s in scans)
    assert scans[0].tag.rssi_dbm == -50 and scans[0].tag.pc == 0x3000
    assert sim.power_dbm == 20
    assert sim.rounds >= 3 and stats["rounds"] >= 3
    inventories = [c for c in sim.commands if c == r2000.CMD_REAL_TIME_INVENTORY]
    assert len(inventories) == sim.rounds
    assert r2000.CMD_SET_WORK_ANTENNA in sim.commands  # two antennas: switched between rounds
    assert stats["tag_repeats"] > 0


def test_checksum_errors_are_counted_and_reading_goes_on(collector):
    with PtyPort() as pty:
        sim = R2000Simulator(pty, [(epc, -50) for epc in EPCS], corrupt_every=3, noise=True)
        sim.start()
        manager = start(collector, pty.address)
        try:
            collector.wait_scans(5)
            time.sleep(0.2)
            stats = manager.states()[0].stats
        finally:
            manager.stop()
            sim.stop()
    assert sorted({s.tag.epc_hex for s in collector.scans()}) == EPCS
    assert stats["checksum_errors"] >= 1
    assert stats["garbage_bytes"] >= 1


def test_rssi_threshold_drops_weak_tags(collector):
    with PtyPort() as pty:
        sim = R2000Simulator(pty, [(EPCS[0], -40), (EPCS[1], -90)]).start()
        manager = start(collector, pty.address, rssi_threshold_dbm=-70)
        try:
            collector.wait_scans(1)
            time.sleep(0.3)
        finally:
            manager.stop()
            sim.stop()
    assert [s.tag.epc_hex for s in collector.scans()] == [EPCS[0]]


def test_portal_mode_batches_a_pallet_and_judges_it_against_expected_epcs(collector):
    tcp = TcpPort()
    sim = R2000Simulator(tcp, []).start()
    manager = start(collector, tcp.address, portal=True, portal_quiet_s=0.3)
    try:
        manager.expect("uhf-1", epcs=[*EPCS[:4], "3034FFFFFFFFFFFFFFFFFFFF"])
        sim.set_tags([(epc, -45) for epc in EPCS])  # pallet enters the door
        time.sleep(0.4)
        sim.set_tags([])  # and leaves
        assert collector.wait_for(lambda ms: any(isinstance(m, PortalResult) for m in ms), 3)
    finally:
        manager.stop()
        sim.stop()
        tcp.close()
    (result,) = collector.of(PortalResult)
    assert result.expected == tuple(EPCS[:4])
    assert result.unexpected == (EPCS[4],)
    assert result.missing == ("3034FFFFFFFFFFFFFFFFFFFF",)
    assert not collector.scans()  # portal reads are judged as a batch, not one by one


def test_silent_reader_reports_error_and_is_retried(collector):
    with PtyPort() as pty:  # nothing answers on this line
        manager = DeviceManager([{"id": "uhf-1", "profile": "r2000-uhf", "port": pty.address}], collector)
        manager.start()
        try:
            assert collector.wait_state(State.ERROR, timeout=4)
        finally:
            manager.stop()
    errors = [m for m in collector.of(DeviceState) if m.state == State.ERROR]
    assert "no answer" in errors[0].detail


def test_badge_reader_posts_one_read_per_presentation(collector):
    with PtyPort() as pty:
        manager = start(collector, pty.address, "rdm6300-badge")
        try:
            pty.write(b"\x13\x99noise")
            BadgeSimulator(pty).present("0F00A3B2C1", repeats=5)
            assert collector.wait_for(lambda ms: any(isinstance(m, BadgeRead) for m in ms))
            time.sleep(0.2)
        finally:
            manager.stop()
    (badge,) = collector.of(BadgeRead)
    assert badge.card_hex == "0F00A3B2C1" and badge.card_number == 0x00A3B2C1
    assert badge.device_id == "uhf-1"


def test_200_tag_pallet_is_judged_against_its_asn_within_1s_of_the_last_read(collector):
    from lotscan.devices.simulate import pallet_epcs

    gtins = ["09506000134352", "09506000134376", "09506000134369", "09506000134383"]
    pallet = pallet_epcs(gtins, 50)
    with PtyPort() as pty:
        sim = R2000Simulator(pty, [], noise=True, split=True).start()
        manager = start(collector, pty.address, portal=True, portal_quiet_s=0.5)
        try:
            # the ASN: 50 of each GTIN, but 52 of the last one (two cases short)
            manager.expect("uhf-1", gtins={**dict.fromkeys(gtins[:3], 50), gtins[3]: 52})
            sim.set_tags([(epc, -50) for epc in pallet])
            time.sleep(1.0)
            sim.set_tags([])
            left_the_door = time.monotonic()
            assert collector.wait_for(lambda ms: any(isinstance(m, PortalResult) for m in ms), 3)
            verdict_after = time.monotonic() - left_the_door
        finally:
            manager.stop()
            sim.stop()
    (result,) = collector.of(PortalResult)
    assert len(result.tags) == 200 and len(result.expected) == 200
    assert result.missing == ("09506000134383 x2",) and not result.unexpected
    assert verdict_after < 1.0, verdict_after
