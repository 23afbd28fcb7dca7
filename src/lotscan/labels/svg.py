"""Draw a layout as SVG: sized in millimetres, drawn in printer dots (the viewBox)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from lotscan.labels.content import human_readable
from lotscan.labels.gs1_128 import bar_runs
from lotscan.labels.layout import Bars, Layout, Matrix, TextLine

FONT = "Helvetica, Arial, sans-serif"


def render_svg(layout: Layout) -> bytes:
    template = layout.template
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{template.width_mm:g}mm" '
        f'height="{template.height_mm:g}mm" viewBox="0 0 {layout.width} {layout.height}" '
        'shape-rendering="crispEdges">',
        f"<title>{escape(f'Lot {layout.label.lot} ({layout.label.gtin})')}</title>",
        f'<rect width="{layout.width}" height="{layout.height}" fill="#fff"/>',
    ]
    for number, item in enumerate(layout.items):
        if isinstance(item, Bars):
            parts.append(_bars(item, number))
        elif isinstance(item, Matrix):
            parts.append(_matrix(item, number))
        else:
            parts.append(_text(item))
    parts.append("</svg>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def _bars(bars: Bars, number: int) -> str:
    rects = "".join(
        f'<rect x="{bars.x + start * bars.module}" y="{bars.y}" width="{width * bars.module}" '
        f'height="{bars.height}"/>'
        for start, width in bar_runs(bars.symbol.modules)
    )
    data = quoteattr(human_readable(list(bars.symbol.elements)))
    return f'<g id="gs1-128-{number}" class="gs1-128" data-gs1={data} fill="#000">{rects}</g>'


def _matrix(matrix: Matrix, number: int) -> str:
    size = matrix.module
    rects = "".join(
        f'<rect x="{matrix.x + column * size}" y="{matrix.y + row * size}" width="{size}" height="{size}"/>'
        for row, cells in enumerate(matrix.symbol.dark)
        for column, dark in enumerate(cells)
        if dark
    )
    data = quoteattr(human_readable(list(matrix.symbol.elements)))
    return f'<g id="datamatrix-{number}" class="datamatrix" data-gs1={data} fill="#000">{rects}</g>'


def _text(line: TextLine) -> str:
    # SVG places text on its baseline; the layout gives the top of the line.
    baseline = line.y + round(line.height * 0.8)
    centre = line.x + line.max_width // 2
    where = f'x="{centre}" text-anchor="middle"' if line.centred else f'x="{line.x}"'
    return (
        f'<text {where} y="{baseline}" font-family="{FONT}" font-size="{line.height}">'
        f"{escape(line.text)}</text>"
    )
