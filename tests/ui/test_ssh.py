"""`lotscan station --ssh` driven by a real SSH client (asyncssh) on a VT100 screen (pyte): the
README's demo journey at 20x16 and 80x24, GS sent as the byte 0x1D, plain ASCII on a VT100."""

from __future__ import annotations

import re
from pathlib import Path

import asyncssh
import pytest

from tests.ui.served import SshHandheld, journey, served_station

pytestmark = pytest.mark.anyio
COLOUR_SGR = re.compile(rb"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


@pytest.mark.parametrize("size", [(20, 16), (80, 24)], ids=["20x16", "80x24"])
async def test_the_demo_journey_on_a_vt100_over_ssh(tmp_path: Path, size: tuple[int, int]) -> None:
    steps = journey()
    assert any("\x1d" in keys for _, keys, _ in steps)  # the journey sends GS
    with served_station(tmp_path) as served:
        gun = await SshHandheld(served, "gun-01", *size, term="vt100").connect()
        try:
            for what, keys, levels in steps:
                level = await gun.scan(keys)
                assert level in levels, f"{what}: {level}\n{gun.screen}"
                if what == "Pick list":  # the FEFO prompt: which lot to take, and where, at any size
                    await gun.wait_for("FG3526E")
                    await gun.wait_for("FG-B07")
            registry = served.registry()
            [session] = registry["sessions"]
            assert (session["transport"], session["device"], session["operator"]) == ("ssh", "gun-01", "1001")
            assert session["size"] == f"{size[0]}x{size[1]}" and session["terminal"] == "vt100"
        finally:
            await gun.close()
        assert gun.session is not None
        raw = bytes(gun.session.raw)
        assert max(raw) < 0x80, "a VT100 gets plain ASCII"
        assert not COLOUR_SGR.search(raw), "and no colour codes"
        assert b"\x1b[1;7m" in raw or b"\x1b[7m" in raw or b";7m" in raw  # the level in reverse video
        rows = served.events()
    received = [r for r in rows if r.type.startswith("lot.received") or r.workflow == "receive"]
    assert {r.lot_code for r in received} >= {"FL25001", "FL25003"}
    assert all(r.operator == "1001" for r in rows)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    raw_scans = [r.raw for r in rows if r.raw and "FL25001" in r.raw]
    assert raw_scans and "\x1d" in raw_scans[0]  # GS arrived and was kept


async def test_an_xterm_gets_colour_and_a_key_not_listed_is_refused(tmp_path: Path) -> None:
    with served_station(tmp_path) as served:
        gun = await SshHandheld(served, "gun-02", 40, 16, term="xterm-256color").connect()
        try:
            assert await gun.scan("OP:1001") == "NOTICE"
        finally:
            await gun.close()
        assert gun.session is not None
        assert b"\x1b[38;5;" in bytes(gun.session.raw) or b";38;5;" in bytes(gun.session.raw)
        stranger = asyncssh.generate_private_key("ssh-ed25519")
        with pytest.raises(asyncssh.PermissionDenied):
            await asyncssh.connect(
                "127.0.0.1", served.ssh_port, username="x", client_keys=[stranger], known_hosts=None
            )
