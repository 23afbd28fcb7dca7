"""Delivery: a real TCP printer port, CUPS's `lp` (present or not), and files."""

from __future__ import annotations

import os
import socket
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lotscan.labels.content import LotLabel
from lotscan.labels.delivery import (
    CupsQueue,
    FileOutput,
    TcpPrinter,
    deliver,
    parse_destination,
    parse_printer,
)
from lotscan.labels.errors import DeliveryError
from lotscan.labels.printing import default_format, print_label, render_label
from tests.labels.printer import RawPortPrinter

LABEL = LotLabel("09521234001348", "FG3526E", date(2027, 3, 31), Decimal(12), description="Cookies")


def test_the_printer_receives_exactly_the_zpl_bytes() -> None:
    zpl = render_label(LABEL, "zpl")
    with RawPortPrinter() as printer:
        printed = print_label(LABEL, TcpPrinter("127.0.0.1", printer.port))
        jobs = printer.wait()
    assert jobs == [zpl]
    assert printed.format == "zpl" and printed.size == len(zpl)
    assert printed.destination == f"printer 127.0.0.1:{printer.port}"


def test_a_printer_that_is_not_listening_gives_a_clear_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError, match=rf"cannot send the label to printer 127.0.0.1:{port}: .*refused"):
        deliver(b"^XA^XZ", TcpPrinter("127.0.0.1", port, timeout_s=2))


def test_an_unknown_printer_host_gives_a_clear_error() -> None:
    with pytest.raises(DeliveryError, match="unknown host name"):
        deliver(b"^XA^XZ", TcpPrinter("no-such-printer.invalid", 9100, timeout_s=2))


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("10.0.0.7", "10.0.0.7", 9100),
        ("zebra-1:6101", "zebra-1", 6101),
        ("[fe80::1]:9100", "fe80::1", 9100),
        ("fe80::1", "fe80::1", 9100),
    ],
)
def test_printer_addresses(text: str, host: str, port: int) -> None:
    assert parse_printer(text) == TcpPrinter(host, port)


@pytest.mark.parametrize("text", ["", "host:", "host:port", "host:70000", "[fe80::1]:x"])
def test_bad_printer_addresses(text: str) -> None:
    with pytest.raises(DeliveryError, match="not a printer address"):
        parse_printer(text)


def test_missing_lp_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without `lp`
    with pytest.raises(DeliveryError, match=r"`lp` command is not installed.*cups-client"):
        deliver(b"^XA^XZ", CupsQueue("zebra_dock1"))


def _fake_lp(folder: Path, exit_code: int = 0) -> Path:
    """An `lp` stand-in (CUPS cannot run here) that records its arguments and input."""
    script = folder / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{folder}/args"\n'
        f'cat > "{folder}/job"\n'
        f'[ {exit_code} -eq 0 ] || echo "lp: The printer or class does not exist." >&2\n'
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


def test_cups_gets_the_zpl_raw_on_the_named_queue(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", f"{_fake_lp(tmp_path)}{os.pathsep}{os.environ['PATH']}")
    printed = print_label(LABEL, CupsQueue("zebra_dock1"))
    assert (tmp_path / "job").read_bytes() == render_label(LABEL, "zpl")
    assert (tmp_path / "args").read_text().split("\n")[:6] == [
        "-d",
        "zebra_dock1",
        "-t",
        "lotscan label",
        "-o",
        "raw",
    ]
    assert printed.destination == "CUPS queue zebra_dock1"


def test_cups_refusal_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", f"{_fake_lp(tmp_path, exit_code=1)}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(DeliveryError, match="CUPS refused the label for queue nope: lp: The printer"):
        deliver(b"x", CupsQueue("nope"))


def test_files_and_their_default_format(tmp_path: Path) -> None:
    for name, start in (("a.png", b"\x89PNG"), ("a.svg", b"<?xml"), ("a.zpl", b"^XA"), ("a.out", b"\x89PNG")):
        printed = print_label(LABEL, FileOutput(tmp_path / name))
        assert (tmp_path / name).read_bytes().startswith(start), name
        assert printed.destination == str(tmp_path / name)
    assert default_format(TcpPrinter("p")) == default_format(CupsQueue("q")) == "zpl"


def test_an_unwritable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match=r"cannot write the label to .*missing/a.png: No such file"):
        deliver(b"x", FileOutput(tmp_path / "missing" / "a.png"))


def test_destination_settings() -> None:
    assert parse_destination("tcp:10.0.0.7") == TcpPrinter("10.0.0.7", 9100)
    assert parse_destination("tcp:zebra:6101") == TcpPrinter("zebra", 6101)
    assert parse_destination("cups:zebra_dock1") == CupsQueue("zebra_dock1")
    assert parse_destination("file:/tmp/a.png") == FileOutput(Path("/tmp/a.png"))
    for bad in ("10.0.0.7:9100", "cups:", "smtp:x"):
        with pytest.raises(DeliveryError, match="not a label destination"):
            parse_destination(bad)
