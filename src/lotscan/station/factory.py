"""The one way a station app is built: `lotscan station`, `lotscan demo`, the served sessions
(web, SSH) and the UI tests all call `station_app`, so tests run the code the CLI runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from lotscan.services.session import StationSession, open_service
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.station.app import StationApp


def station_app(
    settings: StationSettings,
    *,
    service: StationService | None = None,
    clock: Callable[[], datetime] = datetime.now,
    today: Callable[[], date] = date.today,
    start_devices: bool = True,
    start_sync: bool = True,
    **options: Any,
) -> StationApp:
    """A station app with its own operator session.

    `service` shares one station service (its cache) between apps; without it one is opened on
    the settings' cache (lotscan.store.db.CacheError if unusable). Other `options` go to
    `StationApp` unchanged.
    """
    if service is None:
        service = open_service(settings)
    session = StationSession(service)
    return StationApp(
        session, clock=clock, today=today, start_devices=start_devices, start_sync=start_sync, **options
    )


def run_station(settings: StationSettings) -> None:
    """The station UI in this terminal, on the settings' cache (`lotscan station`, `lotscan demo`)."""
    app = station_app(settings)
    try:
        app.run()
    finally:
        app.session.service.engine.dispose()
