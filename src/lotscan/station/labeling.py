"""Internal labels after a scan: for a received lot whose supplier label lacked lot or expiry
(the receive recorded a ``label.requested`` event), and for a produced lot.

Runs in a worker thread (a printer may take seconds to answer); returns one sentence per label
for the person at the station. Without a configured label destination the request stays
recorded for the label station, and the sentence says so.
"""

from __future__ import annotations

import logging
from typing import Any

from lotscan.domain.verdict import Verdict
from lotscan.services.station import StationService
from lotscan.settings import StationSettings

log = logging.getLogger(__name__)


def wanted(verdict: Verdict, workflow: str) -> bool:
    """Whether this verdict may call for a label (cheap: no cache access)."""
    if not verdict.recorded:
        return False
    return workflow == "produce" or (workflow == "receive" and len(verdict.event_ids) > 1)


def print_labels(
    service: StationService, settings: StationSettings, verdict: Verdict, workflow: str
) -> list[str]:
    from lotscan.labels.errors import LabelError
    from lotscan.labels.printing import print_lot_label
    from lotscan.labels.requests import label_requests

    destination = settings.label_destination
    jobs: list[tuple[str | None, str, Any]] = []
    if workflow == "produce" and verdict.details.get("lot"):
        jobs.append((None, str(verdict.details["lot"]), None))
    elif workflow == "receive":
        jobs += [(r.gtin, r.lot, None) for r in label_requests(service, verdict.event_ids) if r.lot]
        if not jobs:
            return []
    if not destination:
        return [
            f"Internal label requested for lot {lot}: print it at the label station." for _, lot, _ in jobs
        ]
    messages = []
    for gtin, lot, qty in jobs:
        try:
            # The station's own label for a lot it has just received or produced is asked for
            # knowingly (force): a held or quarantined receipt still needs its label, marked.
            printed = print_lot_label(
                service, gtin, lot, qty, destination, template=settings.label_template, force=True
            )
            mark = f", marked {printed.label.status_mark}" if printed.label.status_mark else ""
            messages.append(f"Label printed for lot {printed.label.lot} ({printed.destination}{mark}).")
        except LabelError as exc:
            messages.append(f"Label for lot {lot} NOT printed: {exc}")
        except Exception:
            log.exception("printing the label of %s failed", lot)
            messages.append(f"Label for lot {lot} NOT printed: the printer failed; see the station log.")
    return messages
