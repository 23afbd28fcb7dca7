"""The MQTT tag stream of fixed readers, against the real Mosquitto on 127.0.0.1:1883."""

from __future__ import annotations

import json
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from lotscan.devices.manager import DeviceManager
from lotscan.devices.messages import DeviceState, PortalResult, State

pytestmark = pytest.mark.mqtt

EPCS = [f"3034{n:020X}" for n in range(1, 4)]


@pytest.fixture
def publisher():
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    yield client
    client.loop_stop()
    client.disconnect()


def impinj(epc: str, rssi_cdbm: int = -5000) -> dict:
    return {
        "timestamp": "2026-11-21T10:00:00Z",
        "hostname": "impinj-14-12-34",
        "eventType": "tagInventory",
        "tagInventoryEvent": {"epcHex": epc, "antennaPort": 1, "peakRssiCdbm": rssi_cdbm},
    }


def zebra(epc: str, rssi: int = -50) -> dict:
    return {
        "type": "SIMPLE",
        "timestamp": "2026-11-21T10:00:00Z",
        "data": {"eventNum": 1, "format": "epc", "idHex": epc.lower(), "antenna": 2, "peakRssi": rssi},
    }


def start(collector, topic: str, **overrides) -> DeviceManager:
    manager = DeviceManager(
        [
            {
                "id": "dock-door-1",
                "profile": "mqtt-fixed-reader",
                "url": f"mqtt://127.0.0.1:1883/{topic}",
                **overrides,
            }
        ],
        collector,
    )
    manager.start()
    assert collector.wait_state(State.CONNECTED), collector.messages
    return manager


def test_impinj_and_zebra_events_become_deduplicated_tag_scans(collector, publisher):
    topic = f"lotscan-test/{uuid.uuid4().hex}/tags"
    manager = start(collector, topic)
    try:
        publisher.publish(topic, json.dumps(impinj(EPCS[0]))).wait_for_publish()
        publisher.publish(topic, json.dumps([zebra(EPCS[1]), zebra(EPCS[0])])).wait_for_publish()
        publisher.publish(topic, json.dumps(impinj(EPCS[2], rssi_cdbm=-9000))).wait_for_publish()
        publisher.publish(topic, b"not json").wait_for_publish()
        scans = collector.wait_scans(2)
        time.sleep(0.3)
        stats = manager.states()[0].stats
    finally:
        manager.stop()
    assert [s.tag.epc_hex for s in collector.scans()] == EPCS[:2]
    assert scans[0].tag.rssi_dbm == -50.0 and scans[1].tag.antenna == 2
    assert stats["tags_too_weak"] == 1 and stats["tag_repeats"] == 1
    assert stats["ignored_messages"] == 1


def test_portal_batch_over_mqtt(collector, publisher):
    topic = f"lotscan-test/{uuid.uuid4().hex}/tags"
    manager = start(collector, topic, portal=True, portal_quiet_s=0.3)
    try:
        manager.expect("dock-door-1", epcs=EPCS)
        for _ in range(3):
            for epc in EPCS[:2]:
                publisher.publish(topic, json.dumps(impinj(epc)))
        assert collector.wait_for(lambda ms: any(isinstance(m, PortalResult) for m in ms), 3)
    finally:
        manager.stop()
    (result,) = collector.of(PortalResult)
    assert result.expected == tuple(EPCS[:2]) and result.missing == (EPCS[2],)


def test_unreachable_broker_is_reported_as_disconnected(collector):
    manager = DeviceManager(
        [{"id": "door", "profile": "mqtt-fixed-reader", "url": "mqtt://127.0.0.1:1/x"}], collector
    )
    manager.start()
    try:
        assert collector.wait_state(State.DISCONNECTED)
    finally:
        manager.stop()
    state = next(m for m in collector.of(DeviceState) if m.state == State.DISCONNECTED)
    assert "not reachable" in state.detail


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_broker(port: int):
    import shutil
    import subprocess

    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    process = subprocess.Popen(
        [mosquitto, "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        probe = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
        try:
            probe.connect("127.0.0.1", port)
            probe.disconnect()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("mosquitto did not start")


def test_reader_reconnects_after_the_broker_restarts(collector):
    port = free_port()
    broker = start_broker(port)
    topic = "door/tags"
    manager = start(collector, topic, url=f"mqtt://127.0.0.1:{port}/{topic}")
    try:
        mark = len(collector.messages)
        broker.terminate()
        broker.wait()
        assert collector.wait_state(State.DISCONNECTED, timeout=5, after=mark)
        mark = len(collector.messages)
        broker = start_broker(port)
        assert collector.wait_state(State.CONNECTED, timeout=5, after=mark)
        client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
        client.connect("127.0.0.1", port)
        client.loop_start()
        client.publish(topic, json.dumps(impinj(EPCS[0]))).wait_for_publish()
        (scan,) = collector.wait_scans(1)
        client.loop_stop()
        client.disconnect()
    finally:
        manager.stop()
        broker.terminate()
        broker.wait()
    assert scan.tag.epc_hex == EPCS[0]
