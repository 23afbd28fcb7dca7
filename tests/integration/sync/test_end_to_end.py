"""Real processes: `lotscan central serve`, two enrolled stations scanning and syncing through the
CLI, central stopped while both keep scanning (overselling one lot), then started again."""

from __future__ import annotations

import json
import os
import shutil
import signal
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from lotscan.central.db import make_engine
from lotscan.central.schema import received_events
from lotscan.store.db import open_cache
from lotscan.store.schema import Event
from lotscan.sync import local
from tests.central.processes import LOTSCAN, Server, free_port
from tests.central.support import state_of
from tests.plant import FLOUR, write_plant

pytestmark = pytest.mark.slow


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*LOTSCAN, *args], capture_output=True, text=True, timeout=120, env=os.environ.copy()
    )
    if check and done.returncode != 0:
        raise AssertionError(f"lotscan {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def station_config(directory: Path, name: str) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(
        f'[station]\nid = "{name}"\nsite = "P1"\ndatabase = "{name}.db"\n\n'
        "[policy]\nduplicate_window_s = 0\n",
        encoding="utf-8",
    )
    return path


def consume(config: Path, lot: str, location: str, qty: int) -> None:
    run(
        "scan", f"(01){FLOUR}(10){lot}", "-w", "consume", "--task", "WO-1", "--location", location,
        "--qty", str(qty), "--operator", "100", "--config", str(config),
    )  # fmt: skip


# PostgreSQL only: production's database, and the same walk on SQLite took 40-150 s of the suite
# for no new path (central on SQLite is covered in-process by tests/central, both backends).
@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_stations_offline_then_online_converge_with_every_event_once(db_url: str, tmp_path: Path) -> None:
    run("central", "import", str(write_plant(tmp_path)), "--db", db_url)
    server = Server(db_url, free_port(), tmp_path / "central.log")
    server.start()
    try:
        configs = [station_config(tmp_path, name) for name in ("ST1", "ST2")]
        for config in configs:
            added = run("central", "station", "add", "--site", "P1", "--db", db_url).stdout
            code = added.split("enrolment code: ")[1].split()[0]
            run("enroll", "--server", server.url, "--code", code, "--config", str(config))
        consume(configs[0], "F-EARLY", "A1", 5)
        consume(configs[1], "F-LATE", "A2", 10)
        for config in configs:
            run("sync", "--once", "--config", str(config))

        server.stop()
        consume(configs[0], "F-EARLY", "A1", 30)  # 45 left: together 30 + 25 oversell it
        consume(configs[1], "F-EARLY", "A1", 25)
        consume(configs[1], "F-LATE", "A2", 1)
        offline = run("sync", "--once", "--json", "--config", str(configs[0]), check=False)
        assert offline.returncode == 1 and '"OFFLINE"' in offline.stdout

        server.start()
        for _ in range(2):
            for config in configs:
                run("sync", "--once", "--config", str(config))
        flagged = json.loads(run("central", "flagged", "--json", "--db", db_url).stdout)
        assert [(f["code"], f["lot_code"]) for f in flagged] == [("NEGATIVE_STOCK", "F-EARLY")]
        stations = json.loads(run("central", "stations", "--json", "--db", db_url).stdout)
        assert [(s["last_seq"], s["online"]) for s in stations] == [(2, "ONLINE"), (3, "ONLINE")]
        admin = run("central", "token", "add", "--name", "sue", "--db", db_url).stdout.strip()
        remote = ("--server", server.url, "--token", admin)
        held = run("central", "lot", "hold", "S-1", "--reason", "lab", *remote).stdout
        assert "released -> hold" in held
        assert json.loads(run("central", "flagged", "--json", *remote).stdout)[0]["code"] == "NEGATIVE_STOCK"
        for config in configs:
            run("sync", "--once", "--config", str(config))
    finally:
        server.stop()

    central = make_engine(db_url)
    try:
        with central.connect() as conn:
            stored = conn.execute(select(received_events.c.id, received_events.c.outcome)).all()
        server_state = state_of(central)
    finally:
        central.dispose()
    ids = [r.id for r in stored]
    assert len(ids) == len(set(ids)) == 5
    assert server_state["stock"][("FLOUR", "F-EARLY", "A1")] == -10
    for number, name in enumerate(("ST1", "ST2"), start=1):
        engine = open_cache(tmp_path / f"{name}.db")
        with engine.connect() as conn:
            mine = conn.execute(select(Event.id, Event.sync_state)).all()
            # `lotscan enroll` keeps the lot part central gave (the name, which fits 11 characters)
            assert local.get_state(conn, local.LOT_PART) == f"P1-ST{number:02d}"
        assert {r.id for r in mine} <= set(ids) and {r.sync_state for r in mine} == {"acked"}
        assert state_of(engine) == server_state
        engine.dispose()


@pytest.mark.skipif(
    shutil.which("openssl") is None, reason="needs the openssl command for a test certificate"
)
def test_tls_directly_in_uvicorn_with_a_private_ca(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    run("central", "import", str(write_plant(tmp_path)), "--db", db_url)
    code = (
        run("central", "station", "add", "--site", "P1", "--db", db_url)
        .stdout.split("enrolment code: ")[1]
        .split()[0]
    )
    port = free_port()
    log = (tmp_path / "central.log").open("wb")
    process = subprocess.Popen(
        [*LOTSCAN, "central", "serve", "--db", db_url, "--port", str(port),
         "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"https://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if (
                    httpx.get(
                        f"{url}/health", verify=ssl.create_default_context(cafile=cert), timeout=1
                    ).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        config = station_config(tmp_path, "ST1")
        refused = run("enroll", "--server", url, "--code", code, "--config", str(config), check=False)
        assert refused.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr
        run("enroll", "--server", url, "--code", code, "--ca", str(cert), "--config", str(config))
        consume(config, "F-EARLY", "A1", 5)
        said = run("sync", "--once", "--config", str(config)).stdout
        assert "\npushed 1 (1 applied), pulled " in said, said  # words, not a Python dict
        assert "{" not in said
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
        log.close()
