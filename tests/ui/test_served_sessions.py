"""One cache, many sessions: sessions of a served station share one writer and one sync worker;
a dropped connection loses nothing shown as recorded and records nothing not shown; the session
registry (`lotscan station sessions`) and a supervisor's status line show the sessions."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.domain.policy import Policy
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.station.factory import station_app
from lotscan.station.serve.hub import StationHub
from lotscan.station.wedge import GS
from tests.plant import FLOUR
from tests.ui.conftest import FIXED_CLOCK, events_of, post_scan, scan, settle
from tests.ui.served import SshHandheld, WebHandheld, served_station

pytestmark = pytest.mark.anyio
# Demo flour, expiry 2027-09-24, net weight 1 kg (3100): ASN-1001 holds 1,500 KG, enough for every
# scan of the shift; a count (30) would be sacks of 25 kg and run past the ASN's lines.
RECEIVE = "011952123400101717270924"


def receive_label(lot: str) -> str:
    return f"{RECEIVE}10{lot}{GS}3100000001"


async def test_a_scan_queued_when_the_connection_drops_is_not_recorded(engine, tmp_path: Path) -> None:
    settings = StationSettings(station_id="ST1", database=tmp_path / "station.db")
    hub = StationHub(settings, service=StationService(engine, settings), start_sync=False)
    seat = hub.open_session("ssh", "10.0.0.7")
    app = station_app(settings, service=hub.service, hub=hub, seat=seat, clock=lambda: FIXED_CLOCK)
    gate = threading.Event()
    async with app.run_test(size=(40, 16)) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        assert await scan(pilot, "ASN:ASN-1") == "ACCEPTED"
        assert await scan(pilot, f"01{FLOUR}17270924" + f"10F-SHOWN{GS}301") == "ACCEPTED"
        busy = asyncio.ensure_future(hub.writer.call(gate.wait))  # another session's scan, being judged
        post_scan(app, f"01{FLOUR}17270924" + f"10F-NOT-SHOWN{GS}301")
        await pilot.pause(0.2)  # sent and queued in the writer, not judged: nothing shown
        app.connection_lost()
        gate.set()
        await busy
    lots = [r.lot_code for r in events_of(engine)]
    assert lots == ["F-SHOWN"]
    assert seat.operator == "100" and seat.scans == 1
    hub.close_session(seat)
    assert hub.summary() == "no sessions"


async def test_an_idle_session_signs_out_by_policy(engine, tmp_path: Path) -> None:
    settings = StationSettings(
        station_id="ST1", database=tmp_path / "station.db", policy=Policy(idle_signout_s=1)
    )
    hub = StationHub(settings, service=StationService(engine, settings), start_sync=False)
    seat = hub.open_session("web", "10.0.0.8")
    app = station_app(settings, service=hub.service, hub=hub, seat=seat, clock=lambda: FIXED_CLOCK)
    async with app.run_test(size=(40, 16)) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        assert seat.operator == "100"
        for _ in range(80):  # the idle check runs every few seconds
            await pilot.pause(0.1)
            if app.session.operator is None:
                break
        await settle(pilot)
        assert app.session.operator is None
        assert seat.operator is None  # the registry says so too
    hub.close_session(seat)


async def test_wifi_drop_mid_journey_then_sign_in_again(tmp_path: Path) -> None:
    with served_station(tmp_path) as served:
        gun = await SshHandheld(served, "gun-01", 40, 16).connect()
        assert await gun.scan("OP:1001") == "NOTICE"
        assert await gun.scan("ASN:ASN-1001") == "NOTICE"
        assert await gun.scan(receive_label("DROP-1")) == "ACCEPTED"
        gun.type(receive_label("DROP-2")[:20])  # half a scan when the Wi-Fi goes
        await asyncio.sleep(0.2)
        gun.cut()
        for _ in range(100):
            if not served.registry()["sessions"]:
                break
            await asyncio.sleep(0.1)
        assert served.registry()["sessions"] == []  # the station noticed and ended the session
        again = await SshHandheld(served, "gun-01", 40, 16).connect()
        try:
            assert "badge" in again.screen  # a new session: the operator signs in again
            assert await again.scan("OP:1001") == "NOTICE"
            assert await again.scan("ASN:ASN-1001") == "NOTICE"
            assert await again.scan(receive_label("DROP-3")) == "ACCEPTED"
        finally:
            await again.close()
        rows = served.events()
    assert [r.lot_code for r in rows] == ["DROP-1", "DROP-3"]  # nothing shown lost, no half scan
    assert [r.seq for r in rows] == [1, 2]


async def test_sessions_are_listed_and_a_supervisor_sees_them(tmp_path: Path) -> None:
    with served_station(tmp_path) as served:
        operator = await SshHandheld(served, "gun-01", 40, 16).connect()
        tab = await WebHandheld(served).connect()
        supervisor = await SshHandheld(served, "gun-02", 100, 24, term="xterm").connect()
        try:
            assert await operator.scan("OP:1001") == "NOTICE"
            await supervisor.scan("OP:9001")
            await supervisor.scan("4321")  # the PIN; at 100x24 the level is in block letters
            await supervisor.wait_for("Signed in: Sam Supervisor")
            await supervisor.wait_for("3 sessions (2 ssh 1 web, 2 signed in)")
            result = CliRunner().invoke(cli, ["station", "sessions", "--db", str(served.database)])
            assert result.exit_code == 0, result.output
            assert "sync workers: 1; sessions: 3" in result.output
            registry = served.registry()  # the apps run in session processes; one sync worker for all
            assert len(registry["session_processes"]) == 2 and registry["sync_workers"] == 1
            assert "gun-01" in result.output and "gun-02" in result.output and "9001" in result.output
            said = "".join(served.output)  # it listens on this machine only, and says so
            assert "127.0.0.1" in said and "this machine only: give --host 0.0.0.0" in said
        finally:
            for handheld in (operator, tab, supervisor):
                await handheld.close()
    result = CliRunner().invoke(cli, ["station", "sessions", "--db", str(served.database)])
    assert result.exit_code == 1 and "no station is serving" in result.output


async def test_a_served_station_goes_by_the_name_central_gave_at_enrolment(tmp_path: Path) -> None:
    """Issue 14: one station name everywhere, the one central gave at enrolment."""
    import aiohttp

    with served_station(tmp_path, enrolled="DOCK-7") as served:
        said = "".join(served.output)
        assert "station DOCK-7: web on" in said and "station DOCK-7: ssh on" in said, said
        async with aiohttp.ClientSession() as http, http.get(served.url) as page:
            assert "<title>lotscan station DOCK-7</title>" in await page.text()
        gun = await SshHandheld(served, "gun-01", 40, 16).connect()
        try:
            await gun.wait_for("Station DOCK-7 ready")
            assert served.registry()["station"] == "DOCK-7"
            assert await gun.scan("OP:1001") == "NOTICE"
            assert await gun.scan("ASN:ASN-1001") == "NOTICE"
            assert await gun.scan(receive_label("NAMED-1")) == "ACCEPTED"
        finally:
            await gun.close()
        [row] = served.events()
    assert "ST-01" not in said and row.station_id == "DOCK-7"


async def ends(handheld: SshHandheld) -> None:
    """Its connection ends (its session process died)."""
    assert handheld.session is not None
    for _ in range(100):
        if handheld.session.closed:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the session of {handheld.device} did not end")


async def test_a_session_process_that_dies_ends_only_its_own_sessions_and_another_takes_its_place(
    tmp_path: Path,
) -> None:
    with served_station(tmp_path, devices=3) as served:
        first = await SshHandheld(served, "gun-01", 40, 16).connect()  # the first session process
        second = await SshHandheld(served, "gun-02", 40, 16).connect()  # the other, less busy one
        try:
            assert await first.scan("OP:1001") == "NOTICE"
            killed, other = served.registry()["session_processes"]
            os.kill(killed, signal.SIGKILL)
            await ends(first)  # its handheld is told: the connection ends
            assert await second.scan("OP:1001") == "NOTICE"
            assert await second.scan("ASN:ASN-1001") == "NOTICE"
            assert await second.scan(receive_label("SURVIVOR-1")) == "ACCEPTED"
            assert [s["device"] for s in served.registry()["sessions"]] == ["gun-02"]
            # The serving process starts another session process in place of the dead one, and says so.
            for _ in range(600):
                pids = served.registry()["session_processes"]
                if killed not in pids and len(pids) == 2:
                    break
                await asyncio.sleep(0.1)
            new = next(pid for pid in pids if pid != other)
            assert pids == [new, other] and new != killed
            os.kill(new, 0)  # running
            log = (tmp_path / "station.log").read_text()
            assert f"session process {killed} ended (exit -9)" in log
            assert f"session process {new} started in place of {killed}" in log
            # Capacity is back: the next session goes to the new process (it has none), and so it
            # scans on when the other process dies too.
            third = await SshHandheld(served, "gun-03", 40, 16).connect()
            try:
                assert await third.scan("OP:1002") == "NOTICE"
                os.kill(other, signal.SIGKILL)
                await ends(second)
                assert await third.scan("ASN:ASN-1001") == "NOTICE"
                assert await third.scan(receive_label("SURVIVOR-2")) == "ACCEPTED"
            finally:
                await third.close()
        finally:
            await second.close()
        rows = served.events()
    assert [(row.lot_code, row.seq) for row in rows] == [("SURVIVOR-1", 1), ("SURVIVOR-2", 2)]


async def test_a_handheld_profile_with_tab_suffix_and_gs_substitute_in_the_browser(tmp_path: Path) -> None:
    wedge = '[[devices]]\nid = "handhelds"\nprofile = "android-keystroke-wedge"\nport = "terminal"\n'
    with served_station(tmp_path, config=wedge) as served:
        tab = await WebHandheld(served).connect()
        try:
            for keys in ("OP:1001\t", "ASN:ASN-1001\t", receive_label("TAB-1").replace(GS, "|") + "\t"):
                await tab.type(keys)  # as DataWedge types it: one burst, Tab at the end
                await asyncio.sleep(0.5)
            for _ in range(100):
                if served.events():
                    break
                await asyncio.sleep(0.1)
        finally:
            await tab.close()
        [row] = served.events()
    assert row.lot_code == "TAB-1" and row.operator == "1001"
    assert row.raw == receive_label("TAB-1")  # the "|" is GS again


@pytest.mark.slow
async def test_ten_sessions_web_and_ssh_scan_together_for_a_minute(tmp_path: Path) -> None:
    with served_station(tmp_path, operators=10, devices=5) as served:
        handhelds: list[SshHandheld | WebHandheld] = []
        for n in range(5):
            handhelds.append(
                await SshHandheld(served, f"gun-{n + 1:02d}", 40, 16, ("vt100", "xterm")[n % 2]).connect()
            )
            handhelds.append(await WebHandheld(served).connect())
        sent: dict[str, list[str]] = defaultdict(list)
        sync_workers: set[int] = set()

        async def shift(index: int, handheld: SshHandheld | WebHandheld) -> None:
            badge = str(2001 + index)
            await _type(handheld, f"OP:{badge}\r")
            await asyncio.sleep(1.0)
            await _type(handheld, "ASN:ASN-9001\r")
            await asyncio.sleep(1.0)
            end = time.monotonic() + 60
            count = 0
            while time.monotonic() < end:
                lot = f"H{index:02d}-{count:03d}"
                await _type(handheld, receive_label(lot) + "\r")
                sent[badge].append(lot)
                count += 1
                await asyncio.sleep(random.uniform(1.2, 1.8))

        async def watch() -> None:
            while True:
                sync_workers.add(served.registry()["sync_workers"])
                await asyncio.sleep(2)

        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(shift(i, h) for i, h in enumerate(handhelds)))
        total = sum(len(lots) for lots in sent.values())
        for _ in range(200):  # let the last scans be judged
            if len(served.events()) >= total:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        watcher.cancel()
        assert len(served.registry()["sessions"]) == 10
        for handheld in handhelds:
            await handheld.close()
        rows = served.events()
    assert sync_workers == {1}  # one sync worker, whatever the number of sessions
    assert total >= 300
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))  # gapless
    missing = {lot for lots in sent.values() for lot in lots} - {r.lot_code for r in rows}
    assert not missing, f"lost: {sorted(missing)}"
    assert len(rows) == total and len({r.lot_code for r in rows}) == total  # none lost, none twice
    for badge, lots in sent.items():  # each session's operator, each session's order
        assert [r.lot_code for r in rows if r.operator == badge] == lots


async def _type(handheld: SshHandheld | WebHandheld, keys: str) -> None:
    if isinstance(handheld, SshHandheld):
        handheld.type(keys)
    else:
        await handheld.type(keys)


async def test_the_browser_page_over_tls(tmp_path: Path) -> None:
    import datetime
    import ssl

    import aiohttp
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "station.local")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "box.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "box.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    tls = ("--tls-cert", str(tmp_path / "box.pem"), "--tls-key", str(tmp_path / "box.key"))
    with served_station(tmp_path, extra=tls) as served:
        assert f"https://127.0.0.1:{served.web_port}/" in "".join(served.output)
        trust = ssl.create_default_context(cafile=str(tmp_path / "box.pem"))
        trust.check_hostname = False  # a self-signed test certificate for station.local
        async with aiohttp.ClientSession() as http:
            async with http.get(f"https://127.0.0.1:{served.web_port}/", ssl=trust) as page:
                assert f"wss://127.0.0.1:{served.web_port}/ws" in await page.text()
            ws = await http.ws_connect(f"wss://127.0.0.1:{served.web_port}/ws?width=40&height=20", ssl=trust)
            screen = b""
            async for message in ws:
                screen += message.data if message.type is aiohttp.WSMsgType.BINARY else b""
                if b"Scan>" in screen:
                    break
            await ws.close()
            with pytest.raises(aiohttp.ClientError):  # plain HTTP is not served
                await http.get(f"http://127.0.0.1:{served.web_port}/")


async def test_a_page_of_another_site_cannot_open_a_station_session(tmp_path: Path) -> None:
    """Tester finding #25 (cross-site websocket hijacking): any page open in a browser on the
    warehouse Wi-Fi could open a session on the station and scan into it. A browser names the
    page in Origin; only the station's own page may open a session."""
    import aiohttp

    with served_station(tmp_path) as served:
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(f"{served.url}ws", origin="http://evil.example")
            assert refused.value.status == 403
            async with http.get(f"{served.url}ws", headers={"Origin": "http://evil.example"}) as answer:
                assert answer.status == 403
                assert "open http(s)://127.0.0.1:" in await answer.text()
            own = await http.ws_connect(f"{served.url}ws", origin=served.url.rstrip("/"))
            deadline = time.monotonic() + 20
            screen = b""
            while b"Scan" not in screen:
                assert time.monotonic() < deadline, screen[-500:]
                message = await own.receive(timeout=20)
                if message.type is aiohttp.WSMsgType.BINARY:
                    screen += message.data
            await own.close()
        assert served.events() == []
