"""`lotscan devices`: what hardware is attached and which profile fits it; test one device."""

from __future__ import annotations

import json
import os
import queue
import time
from typing import Any

import click

from lotscan.devices.config import ConfigError, DeviceConfig
from lotscan.devices.discovery import all_profiles, cameras, input_devices, probe, serial_ports
from lotscan.devices.messages import (
    BadgeRead,
    CameraStatus,
    DeviceState,
    PortalResult,
    ScanRead,
    State,
)
from lotscan.devices.profiles import ProfileError, known_profiles, load_profile
from lotscan.paths import driver_dirs


def _configured_devices(config_path: str | None) -> list[dict[str, Any]]:
    from lotscan.cli.common import settings_or_exit

    return [dict(d) for d in settings_or_exit(config_path).devices]


@click.group(
    "devices",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="station.toml whose [[devices]] to check (default: $LOTSCAN_CONFIG, then "
    "~/.config/lotscan/station.toml).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def devices(ctx: click.Context, config_path: str | None, as_json: bool) -> None:
    """List serial ports, input devices and cameras, with the profile that matches each,
    and the state of every device configured for this station.

    \b
    lotscan devices                      what is attached
    lotscan devices profiles             the device profiles known (drivers/*.toml)
    lotscan devices test PROFILE --port /dev/ttyACM0
                                         print what a device sends, decoded

    \b
    Examples:
      lotscan devices
    """
    if ctx.invoked_subcommand:
        return
    profiles = all_profiles()
    found = serial_ports(profiles) + cameras(profiles)
    inputs, input_note = input_devices(profiles)
    found += inputs
    configured = []
    for entry in _configured_devices(config_path):
        try:
            config = DeviceConfig.from_mapping(entry)
        except ConfigError as exc:
            configured.append(DeviceState(str(entry.get("id", "?")), State.ERROR, str(exc)))
            continue
        configured.append(
            probe(config)
            if config.enabled
            else DeviceState(config.id, State.STOPPED, "disabled in the config")
        )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "found": [f.to_json() for f in found],
                    "notes": [input_note] if input_note else [],
                    "configured": [
                        {"id": s.device_id, "state": str(s.state), "detail": s.detail} for s in configured
                    ],
                    "profiles": sorted(p.name for p in profiles),
                },
                indent=2,
            )
        )
        return
    click.echo("Attached hardware:")
    if not found:
        click.echo("  (none found)")
    for item in found:
        ids = ", ".join(f"{k} {v}" for k, v in item.ids.items())
        match = ", ".join(item.profiles) or "no profile matches"
        click.echo(f"  {item.kind:<7} {item.path:<22} {item.name}" + (f" [{ids}]" if ids else ""))
        click.echo(f"          profile: {match}")
    if input_note:
        click.echo(f"  note: {input_note}")
    click.echo("Configured devices:")
    if not configured:
        click.echo("  (none: add [[devices]] tables to station.toml, see docs/devices.md)")
    for state in configured:
        click.echo(f"  {state.device_id:<18} {state.state!s:<13} {state.detail}")


@devices.command("profiles")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def profiles_command(as_json: bool) -> None:
    """List the device profiles found in drivers/ (and $LOTSCAN_DRIVERS).

    \b
    Examples:
      lotscan devices profiles
    """
    rows = []
    for name, path in sorted(known_profiles().items()):
        try:
            profile = load_profile(path)
            rows.append(
                {
                    "name": name,
                    "family": profile.family,
                    "description": profile.description,
                    "path": str(path),
                }
            )
        except ProfileError as exc:
            rows.append({"name": name, "family": "?", "description": f"BROKEN: {exc}", "path": str(path)})
    if as_json:
        click.echo(json.dumps({"dirs": [str(d) for d in driver_dirs()], "profiles": rows}, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']:<22} {row['family']:<15} {row['description']}")
    if not rows:
        click.echo("no profiles found; searched: " + ", ".join(map(str, driver_dirs())))


def _show(text: str) -> str:
    return "".join("<GS>" if c == "\x1d" else f"<{ord(c):02X}>" if ord(c) < 0x20 else c for c in text)


def _describe_scan(message: ScanRead) -> dict[str, Any]:
    from lotscan.codes.interpret import interpret

    raw = message.raw
    scan = interpret(raw)
    out = {
        "device": raw.device_id,
        "data": raw.data.decode("utf-8", errors="replace"),
        "aim_id": raw.aim_id,
        "scan": scan.to_json(),
    }
    if message.tag:
        out["tag"] = {
            "epc_hex": message.tag.epc_hex,
            "rssi_dbm": message.tag.rssi_dbm,
            "antenna": message.tag.antenna,
            "pc": message.tag.pc,
        }
    return out


@devices.command("test")
@click.argument("profile")
@click.option(
    "--port",
    help="Port, by-id path, VID:PID, socket://host:port, camera index, "
    "video file or mqtt://host:port/topic. Default: match the profile.",
)
@click.option("--seconds", type=float, default=0, help="Stop after this long (default: Ctrl-C).")
@click.option("--count", type=int, default=0, help="Stop after this many scans.")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a profile field, e.g. --set baud=9600 --set suffix=CRLF.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def test_command(
    profile: str, port: str | None, seconds: float, count: int, overrides: tuple[str, ...], as_json: bool
) -> None:
    """Print what a device sends, decoded, to set a scanner or reader up.

    Each scan shows the bytes received (GS as <GS>), the AIM symbology id and what the
    interpretation layer makes of it; states and errors are shown as they change.

    \b
    Examples:
      lotscan devices test usb-camera --port label.jpg --count 1
    """
    from lotscan.devices.manager import DeviceManager

    entry: dict[str, Any] = {"id": "test", "profile": profile}
    if port:
        entry["port"] = port
    for item in overrides:
        key, _, value = item.partition("=")
        entry[key] = _parse_value(value)
    try:
        family = load_profile(profile).family
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from exc
    if family == "camera" and port and not port.isdigit() and "://" not in port and not os.path.exists(port):
        # A file that is not there will not appear: said at once, not retried until Ctrl-C
        # (tester tz, Z9k). A camera index or a stream may come back; those are retried.
        raise click.BadParameter(
            f"{port} does not exist: give a video or image file, a camera index (0) or a stream URL",
            param_hint="--port",
        )
    inbox: queue.Queue[Any] = queue.Queue()
    manager = DeviceManager([entry], inbox.put)
    manager.start()
    scans = 0
    deadline = time.monotonic() + seconds if seconds else None
    try:
        while (deadline is None or time.monotonic() < deadline) and (not count or scans < count):
            try:
                message = inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            if isinstance(message, ScanRead):
                scans += 1
                _print_scan(message, as_json)
            elif isinstance(message, DeviceState):
                _print(
                    as_json,
                    {"state": str(message.state), "detail": message.detail, "stats": message.stats},
                    f"[{message.state}] {message.detail}",
                )
            elif isinstance(message, BadgeRead):
                scans += 1
                _print(
                    as_json,
                    {"badge": message.card_hex, "number": message.card_number},
                    f"badge {message.card_hex} (card number {message.card_number})",
                )
            elif isinstance(message, PortalResult):
                scans += 1
                _print(
                    as_json,
                    {
                        "portal": {
                            "tags": len(message.tags),
                            "expected": len(message.expected),
                            "missing": list(message.missing),
                            "unexpected": list(message.unexpected),
                        }
                    },
                    f"pallet: {len(message.tags)} tags, {len(message.unexpected)} unexpected",
                )
            elif isinstance(message, CameraStatus) and not as_json:
                click.echo(
                    f"  camera {message.fps:.0f} fps, {message.decode_ms:.1f} ms/frame, "
                    f"{message.dropped} dropped",
                    err=True,
                )
    except KeyboardInterrupt:
        pass
    finally:
        final = manager.states()
        manager.stop()
    for state in final:
        _print(
            as_json,
            {"final_stats": state.stats},
            "counters: " + ", ".join(f"{k} {v}" for k, v in sorted(state.stats.items())),
        )


def _print_scan(message: ScanRead, as_json: bool) -> None:
    info = _describe_scan(message)
    if as_json:
        click.echo(json.dumps(info))
        return
    scan = info["scan"]
    click.echo(f"scan {_show(info['data'])}  aim {info['aim_id'] or '-'}")
    fields = {
        k: scan[k] for k in ("kind", "gtin", "lot", "expiry", "serial", "sscc", "epc_uri") if scan.get(k)
    }
    click.echo("     " + ", ".join(f"{k} {v}" for k, v in fields.items()))
    if "tag" in info:
        tag = info["tag"]
        click.echo(f"     rssi {tag['rssi_dbm']} dBm, antenna {tag['antenna']}")
    for finding in scan["errors"] + scan["warnings"]:
        click.echo(f"     ! {finding['code']}: {finding['message']}")


def _print(as_json: bool, payload: dict[str, Any], text: str) -> None:
    click.echo(json.dumps(payload) if as_json else text)


def _parse_value(text: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
