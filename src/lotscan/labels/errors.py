"""The one exception family of lotscan.labels: every message says what to fix."""

from __future__ import annotations


class LabelError(Exception):
    """A label that cannot be made or delivered; the message is for the person at the station."""


class TemplateError(LabelError):
    """A label template is missing or wrong."""


class LotNotFound(LabelError):
    """The lot is not in the station cache."""


class AmbiguousLot(LabelError):
    """Several items have a lot with this code; the GTIN decides which."""

    def __init__(self, lot: str, gtins: list[str]) -> None:
        self.lot = lot
        self.gtins = gtins
        super().__init__(
            f"lot {lot} exists for {len(gtins)} items ({', '.join(gtins)}): say which with --gtin"
        )


class DeliveryError(LabelError):
    """The printer, queue or file did not take the label."""


class LabelRefused(LabelError):
    """The lot's status forbids a label (recalled, rejected), or needs --force (expired, on hold,
    in quarantine): a usage matter, not a fault (the command line exits 2)."""
