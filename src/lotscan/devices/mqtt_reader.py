"""Fixed UHF readers that publish tag reads over MQTT (Impinj R700, Zebra FX series).

Payloads understood (one event, a JSON list of events, or one event per line):

- Impinj IoT device interface: ``{"eventType": "tagInventory", "tagInventoryEvent":
  {"epcHex": "...", "antennaPort": 1, "peakRssiCdbm": -5400}}``
- Zebra IoT Connector: ``{"type": "SIMPLE", "data": {"idHex": "...", "antenna": 1,
  "peakRssi": -54}}``
- generic: ``{"epc": "...", "rssi": -54, "antenna": 1}``
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from lotscan.devices.errors import DeviceLost, DeviceMissing
from lotscan.devices.messages import Sink
from lotscan.devices.portal import Portal
from lotscan.devices.profiles import Profile
from lotscan.devices.rfid import TagFilter, TagSink
from lotscan.devices.supervisor import Reader


@dataclass(frozen=True, slots=True)
class MqttTag:
    epc_hex: str
    rssi_dbm: float | None
    antenna: int | None


def parse_tag_events(payload: bytes, fmt: str = "auto") -> list[MqttTag]:
    """Tags in one MQTT payload; anything that is not a tag event is ignored."""
    text = payload.decode("utf-8", errors="replace").strip()
    if not text:
        return []
    try:
        documents: list[Any] = [json.loads(text)]
    except json.JSONDecodeError:
        documents = []
        for line in text.splitlines():
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    events: list[Any] = []
    for document in documents:
        events += document if isinstance(document, list) else [document]
    tags = [_tag(event, fmt) for event in events if isinstance(event, dict)]
    return [tag for tag in tags if tag is not None]


def _tag(event: dict[str, Any], fmt: str) -> MqttTag | None:
    if fmt in ("auto", "impinj") and isinstance(event.get("tagInventoryEvent"), dict):
        inner = event["tagInventoryEvent"]
        rssi = inner.get("peakRssiCdbm")
        return _make(inner.get("epcHex"), None if rssi is None else rssi / 100, inner.get("antennaPort"))
    if fmt in ("auto", "zebra") and isinstance(event.get("data"), dict):
        inner = event["data"]
        return _make(inner.get("idHex"), inner.get("peakRssi"), inner.get("antenna"))
    if fmt in ("auto", "generic"):
        return _make(
            event.get("epc") or event.get("epcHex") or event.get("idHex"),
            event.get("rssi"),
            event.get("antenna"),
        )
    return None


def _make(epc: Any, rssi: Any, antenna: Any) -> MqttTag | None:
    if not isinstance(epc, str) or not epc:
        return None
    try:
        bytes.fromhex(epc)
    except ValueError:
        return None
    return MqttTag(
        epc.upper(),
        float(rssi) if isinstance(rssi, int | float) else None,
        int(antenna) if isinstance(antenna, int) else None,
    )


class MqttTagReader(Reader):
    """Subscribes to a reader's tag topic; ``url`` may be ``mqtt://host:port/topic/#``."""

    def __init__(
        self,
        device_id: str,
        profile: Profile,
        url: str | None,
        post: Sink,
        *,
        portal: Portal | None = None,
    ) -> None:
        super().__init__(device_id, post)
        self.profile = profile
        self.host, self.port, self.topic = profile.host, profile.mqtt_port, profile.topic
        if url:
            parts = urlsplit(url if "://" in url else f"mqtt://{url}")
            self.host = parts.hostname or self.host
            self.port = parts.port or self.port
            if parts.path.strip("/"):
                self.topic = parts.path.lstrip("/")
        if not self.topic:
            raise ValueError(f"device {device_id}: no MQTT topic (set topic in the profile or url)")
        self.filter = TagFilter(profile.rssi_threshold_dbm, profile.dedupe_window_s)
        self.tags = TagSink(device_id, post, self.filter, portal)
        self.client: mqtt.Client | None = None
        self._subscribed = threading.Event()

    @property
    def description(self) -> str:
        return f"mqtt://{self.host}:{self.port}/{self.topic}"

    def open(self) -> None:
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=f"lotscan-{self.device_id}-{uuid.uuid4().hex[:8]}",
        )
        username = self.profile.extra.get("username")
        if username:
            client.username_pw_set(str(username), self.profile.extra.get("password"))
        if self.profile.extra.get("tls"):
            client.tls_set()
        client.on_message = self._on_message
        client.on_subscribe = lambda *args: self._subscribed.set()
        self._subscribed.clear()
        try:
            client.connect(self.host, self.port, keepalive=15)
        except OSError as exc:
            raise DeviceMissing(f"MQTT broker {self.host}:{self.port} is not reachable: {exc}") from exc
        self.client = client
        client.subscribe(self.topic, qos=0)
        deadline = time.monotonic() + 3
        while not self._subscribed.is_set():
            if client.loop(timeout=0.1) != mqtt.MQTT_ERR_SUCCESS or time.monotonic() > deadline:
                raise DeviceMissing(
                    f"MQTT broker {self.host}:{self.port} did not accept the subscription to {self.topic}"
                )

    def run(self, stop: threading.Event) -> None:
        assert self.client is not None
        while not stop.is_set():
            code = self.client.loop(timeout=0.05)
            self.tags.tick(time.monotonic())
            if code != mqtt.MQTT_ERR_SUCCESS:
                raise DeviceLost(f"lost the MQTT broker {self.host}:{self.port}: {mqtt.error_string(code)}")

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.disconnect()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.count("messages")
        now = time.monotonic()
        tags = parse_tag_events(bytes(message.payload), self.profile.payload)
        if not tags:
            self.count("ignored_messages")
        for tag in tags:
            self.count("tag_reports")
            self.tags.tag(tag.epc_hex, rssi_dbm=tag.rssi_dbm, antenna=tag.antenna, pc=None, now=now)

    def stats(self) -> dict[str, int]:
        return {**self.counters, **self.filter.stats()}
