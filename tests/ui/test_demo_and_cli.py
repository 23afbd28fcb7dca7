"""The demo walk-through a new user follows, and the `lotscan station` command's errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from lotscan.cli.demo_cmd import demo_barcodes, prepare_demo
from lotscan.cli.main import cli
from lotscan.settings import load_settings
from lotscan.station.factory import station_app
from tests.ui.conftest import FIXED_CLOCK, banner_text, panel_text, press_letter, scan


@pytest.mark.anyio
async def test_the_demo_walk_through(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    codes = {what: code for what, code in demo_barcodes()}
    app = station_app(
        replace(load_settings(), database=database), clock=lambda: FIXED_CLOCK, start_sync=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        assert "OP:1001" in banner_text(app)  # the demo badges are on screen
        assert await scan(pilot, codes["Sign in (operator)"]) == "ACCEPTED"
        assert await scan(pilot, codes["ASN to receive against"]) == "ACCEPTED"
        assert await scan(pilot, codes["Receive: new flour lot, good shelf life"]) == "ACCEPTED"
        assert await scan(pilot, codes["Receive: flour with short shelf life (warning)"]) == "WARNING"
        assert await scan(pilot, codes["Pick list"]) == "ACCEPTED"
        assert "Take lot FG3526E" in panel_text(app)
        assert await scan(pilot, codes["Pick: the FEFO lot of ginger nuts (accepted)"]) == "ACCEPTED"
        assert await scan(pilot, codes["Work order"]) == "ACCEPTED"
        assert await scan(pilot, codes["Consume: flour lot that is RECALLED (rejected)"]) == "REJECTED"
        assert await scan(pilot, codes["Consume: released flour lot"]) in ("ACCEPTED", "WARNING")
        await press_letter(pilot, "m", "l")
        assert await scan(pilot, codes["Consume: released flour lot"]) == "ACCEPTED"
        assert "Lot FLO9313B" in panel_text(app)
        await press_letter(pilot, "question_mark")
        assert "Demo barcodes" in str(app.screen.query_one("#menu-body").render())
    app.session.service.engine.dispose()


def test_station_command_reports_a_missing_cache(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["station", "--db", str(tmp_path / "none.db")])
    assert result.exit_code != 0
    assert "no station cache" in result.output


def test_station_serving_options_are_checked_before_anything_listens(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    runner = CliRunner()
    pem = tmp_path / "cert.pem"
    pem.write_text("not a certificate")
    result = runner.invoke(cli, ["station", "--db", str(database), "--tls-cert", str(pem)])
    assert result.exit_code == 2 and "--tls-key" in result.output
    result = runner.invoke(
        cli, ["station", "--db", str(database), "--tls-cert", str(pem), "--tls-key", str(pem)]
    )
    assert result.exit_code == 2 and "is for --web or --ssh" in result.output
    missing = tmp_path / "no-keys"
    result = runner.invoke(
        cli, ["station", "--db", str(database), "--ssh", "--authorized-keys", str(missing)]
    )
    assert result.exit_code == 2 and "one public key per handheld" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
