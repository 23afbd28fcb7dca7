"""What the station UI calls: print_lot_label on a real cache, and the label.requested path."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from lotscan.devices.decoders import load_image
from lotscan.labels.delivery import FileOutput
from lotscan.labels.errors import AmbiguousLot, LabelError, LotNotFound
from lotscan.labels.lots import lot_label
from lotscan.labels.printing import print_lot_label
from lotscan.labels.requests import label_requests
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.station import StationService
from lotscan.settings import load_settings
from tests.labels.printer import RawPortPrinter
from tests.labels.scanback import read_back
from tests.plant import COOKIE, FLOUR, build_plant


@pytest.fixture
def service(tmp_path: Path) -> StationService:
    database = tmp_path / "station.db"
    engine = build_plant(database)
    return StationService(engine, load_settings(None, database=str(database)))


def test_the_lot_label_comes_from_the_cache(service: StationService) -> None:
    label = lot_label(service, "F-LATE", quantity=25)
    assert (label.gtin, label.lot, label.item, label.unit, label.description) == (
        FLOUR,
        "F-LATE",
        "FLOUR",
        "SACK",
        "Flour",
    )
    assert label.expiry == date.today() + timedelta(days=200)
    assert label.quantity == Decimal(25)


def test_unknown_and_foreign_lots(service: StationService) -> None:
    with pytest.raises(LotNotFound, match="lot NOPE is not in the station cache"):
        lot_label(service, "NOPE")
    with pytest.raises(LotNotFound, match=f"for GTIN {COOKIE}"):
        lot_label(service, "F-LATE", gtin=COOKIE)
    assert issubclass(AmbiguousLot, LabelError)


def test_print_lot_label_to_a_file_scans_back(service: StationService, tmp_path: Path) -> None:
    printed = print_lot_label(service, COOKIE, "C-1", 40, tmp_path / "c1.png", template="pallet")
    assert printed.format == "png" and printed.destination == str(tmp_path / "c1.png")
    read = read_back(load_image(str(tmp_path / "c1.png")))
    expiry = date.today() + timedelta(days=100)
    assert read.merged() == {"gtin": COOKIE, "lot": "C-1", "expiry": expiry, "quantity": 40}


def test_print_lot_label_to_a_printer(service: StationService) -> None:
    with RawPortPrinter() as printer:
        printed = print_lot_label(service, None, "C-1", None, f"tcp:127.0.0.1:{printer.port}")
        jobs = printer.wait()
    assert printed.format == "zpl" and jobs[0].startswith(b"^XA")
    assert f"(01){COOKIE}".encode() in jobs[0]


def test_a_receive_without_expiry_requests_a_label_the_ui_can_print(
    service: StationService, tmp_path: Path
) -> None:
    ctx = ScanContext(Workflow.RECEIVE, operator="100", task="ASN-1")
    verdict = service.handle(service.interpret(f"(01){FLOUR}(10)NEW-1(30)5"), ctx)
    (request,) = label_requests(service, verdict.event_ids)
    assert (request.item, request.gtin, request.lot, request.task) == ("FLOUR", FLOUR, "NEW-1", "ASN-1")
    printed = print_lot_label(service, request.gtin, request.lot or "", 5, FileOutput(tmp_path / "new.zpl"))
    assert printed.label.expiry is None and printed.label.lot == "NEW-1"

    dated = service.handle(service.interpret(f"(01){FLOUR}(17)271231(10)NEW-2(30)5"), ctx)
    assert dated.event_ids and label_requests(service, dated.event_ids) == []
    assert label_requests(service, []) == []
