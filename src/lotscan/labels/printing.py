"""Print a lot label: the one call the CLI and the station UI make.

    from lotscan.labels.printing import print_lot_label
    from lotscan.labels.delivery import TcpPrinter
    printed = print_lot_label(service, gtin, lot, qty, TcpPrinter("10.0.0.7"))

Blocking (a socket or `lp`, at most a few seconds): the UI runs it in a worker thread.
Raises LabelError (and its subclasses) with a sentence to show the operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from lotscan.labels.content import LotLabel
from lotscan.labels.delivery import (
    CupsQueue,
    Destination,
    FileOutput,
    TcpPrinter,
    deliver,
    parse_destination,
)
from lotscan.labels.errors import LabelError
from lotscan.labels.layout import Layout, lay_out
from lotscan.labels.lots import lot_label
from lotscan.labels.templates import DEFAULT_TEMPLATE, Template, load_template
from lotscan.services.station import StationService

Format = Literal["png", "svg", "zpl"]
FORMATS: tuple[Format, ...] = ("png", "svg", "zpl")


@dataclass(frozen=True, slots=True)
class Printed:
    label: LotLabel
    format: Format
    destination: str  # where it went, in words
    size: int  # bytes sent or written


def render(layout: Layout, format: Format) -> bytes:
    if format == "png":
        from lotscan.labels.png import render_png

        return render_png(layout)
    if format == "svg":
        from lotscan.labels.svg import render_svg

        return render_svg(layout)
    if format == "zpl":
        from lotscan.labels.zpl import render_zpl

        return render_zpl(layout)
    raise LabelError(f"unknown label format {format!r}: use one of {', '.join(FORMATS)}")


def render_label(label: LotLabel, format: Format, template: Template | str = DEFAULT_TEMPLATE) -> bytes:
    chosen = template if isinstance(template, Template) else load_template(template)
    return render(lay_out(label, chosen), format)


def default_format(destination: Destination) -> Format:
    """ZPL for printers and queues; for files, what the name ends with (PNG otherwise)."""
    if isinstance(destination, TcpPrinter | CupsQueue):
        return "zpl"
    suffix = destination.path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "png"  # type: ignore[return-value]


def print_label(
    label: LotLabel,
    destination: Destination,
    *,
    template: Template | str = DEFAULT_TEMPLATE,
    format: Format | None = None,
) -> Printed:
    chosen = format or default_format(destination)
    data = render_label(label, chosen, template)
    where = deliver(data, destination)
    return Printed(label, chosen, where, len(data))


def print_lot_label(
    service: StationService,
    gtin: str | None,
    lot: str,
    qty: Decimal | float | int | None,
    destination: Destination | str | Path,
    *,
    template: Template | str = DEFAULT_TEMPLATE,
    format: Format | None = None,
    force: bool = False,
) -> Printed:
    """Look the lot up in the station cache and print its label, if its status allows
    (labels.lots: recalled/rejected never; expired, held, quarantined only with ``force``).

    ``destination``: a TcpPrinter, CupsQueue or FileOutput; a str such as "tcp:10.0.0.7:9100",
    "cups:zebra_dock1" or "file:/tmp/lot.png" (see ``parse_destination``); or a Path (a file).
    """
    if isinstance(destination, str):
        destination = parse_destination(destination)
    elif isinstance(destination, Path):
        destination = FileOutput(destination)
    label = lot_label(service, lot, gtin=gtin, quantity=qty, force=force)
    return print_label(label, destination, template=template, format=format)
