"""`lotscan central import config/demo` works on both databases: the demo operators' PINs are
stored as whole scrypt hashes (168 characters; PostgreSQL refused them in VARCHAR(128))."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from lotscan.central.db import open_central
from lotscan.cli.main import cli as main
from lotscan.paths import demo_data_dir
from lotscan.services.pins import check_pin
from lotscan.store.schema import Operator


def test_central_import_of_the_demo_plant_keeps_every_pin_hash_whole(db_url) -> None:
    imported = CliRunner().invoke(main, ["central", "import", str(demo_data_dir()), "--db", db_url])
    assert imported.exit_code == 0, imported.output
    assert "operators" in imported.output
    engine = open_central(db_url)
    try:
        with engine.connect() as conn:
            hashes = (
                conn.execute(select(Operator.pin_hash).where(Operator.pin_hash.is_not(None))).scalars().all()
            )
            longest = conn.execute(select(func.max(func.length(Operator.pin_hash)))).scalar()
    finally:
        engine.dispose()
    assert hashes and longest is not None and longest > 128
    assert all(h.startswith("scrypt$") and h.count("$") == 2 for h in hashes)
    assert not check_pin("not-a-pin", hashes[0])
