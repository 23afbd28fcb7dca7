"""Where everything goes on a label, in printer dots: one layout, drawn by the PNG, SVG and ZPL
renderers alike, so what the preview shows is what the printer prints.

Barcodes sit at the bottom, each with its human-readable line under it; the text fields fill
the top left and the DataMatrix the top right. A GS1-128 too wide for the label at its
narrowest allowed bar is split in two, (01)+(17)+quantity and (01)+(10): each still scans on
its own with its GTIN, as GS1 logistic labels do.
"""

from __future__ import annotations

from dataclasses import dataclass

from lotscan.labels import datamatrix, gs1_128
from lotscan.labels.content import Element, LotLabel, human_readable
from lotscan.labels.datamatrix import MatrixSymbol
from lotscan.labels.errors import LabelError
from lotscan.labels.gs1_128 import LinearSymbol
from lotscan.labels.templates import Template

CHAR_WIDTH = 0.6  # average character width / text height, to keep lines inside the label
LINE_SPACING = 1.3
SPLIT_BAR_HEIGHT = 0.5  # bar height of each of two split GS1-128 symbols, of the template's


@dataclass(frozen=True, slots=True)
class TextLine:
    x: int
    y: int  # top of the line
    height: int
    text: str
    max_width: int
    centred: bool = False


@dataclass(frozen=True, slots=True)
class Bars:
    x: int  # first bar; the quiet zones lie outside
    y: int
    module: int
    height: int
    symbol: LinearSymbol

    @property
    def width(self) -> int:
        return len(self.symbol.modules) * self.module


@dataclass(frozen=True, slots=True)
class Matrix:
    x: int  # first module; the quiet zone lies outside
    y: int
    module: int
    symbol: MatrixSymbol


Item = TextLine | Bars | Matrix


@dataclass(frozen=True, slots=True)
class Layout:
    template: Template
    label: LotLabel
    width: int
    height: int
    items: tuple[Item, ...]


def lay_out(label: LotLabel, template: Template) -> Layout:
    elements = label.elements()
    width, height, margin = template.width_dots, template.height_dots, template.dots(template.margin_mm)
    inner = width - 2 * margin
    lines = [(field, text) for field in template.fields if (text := _field_text(label, field))]
    sizes = [template.dots(template.title_mm if i == 0 else template.text_mm) for i in range(len(lines))]
    matrix = datamatrix.encode(elements) if "datamatrix" in template.symbols else None
    matrix_side = 0
    if matrix is not None:
        matrix_side = (matrix.size_modules + 2 * datamatrix.QUIET_ZONE_MODULES) * template.matrix_module_dots
    title_step = round(sizes[0] * LINE_SPACING) if lines else 0
    rest_height = sum(round(size * LINE_SPACING) for size in sizes[1:])
    top_height = title_step + max(rest_height, matrix_side)

    items: list[Item] = []
    bottom = height - margin
    if "gs1-128" in template.symbols:
        linear, bottom = _linear_items(elements, template, top_height)
        items.extend(linear)
    if margin + top_height > bottom:
        raise _too_small(template, "the text and barcodes")

    # The first line (the title) spans the label; the DataMatrix sits under it, on the right.
    text_room = inner
    if matrix is not None:
        module = template.matrix_module_dots
        quiet = datamatrix.QUIET_ZONE_MODULES * module
        x = width - margin - matrix_side + quiet
        items.append(Matrix(x, margin + title_step + quiet, module, matrix))
        text_room = inner - matrix_side - template.dots(2.0)
    y = margin
    for index, ((field, text), size) in enumerate(zip(lines, sizes, strict=True)):
        room = inner if index == 0 else text_room
        if field == "description":
            shown, shown_size = _clip(text, size, room), size
        else:
            shown, shown_size = text, _fitted_size(text, size, room)
        items.append(TextLine(margin, y, shown_size, shown, room))
        y += round(size * LINE_SPACING)
    return Layout(template, label, width, height, tuple(items))


def _linear_items(elements: list[Element], template: Template, top_height: int) -> tuple[list[Item], int]:
    """The GS1-128 symbol(s), bottom up, each over its human-readable line; and the y above them."""
    symbols, module = _fit_linear(elements, template)
    width, margin = template.width_dots, template.dots(template.margin_mm)
    inner = width - 2 * margin
    text_h = template.dots(template.text_mm)
    gap = max(2, text_h // 3)
    bar_h = template.dots(template.bar_height_mm)
    block = text_h + 2 * gap + gap // 2
    if len(symbols) > 1 and top_height + len(symbols) * (block + bar_h) > template.height_dots - 2 * margin:
        bar_h = max(template.dots(6.0), round(bar_h * SPLIT_BAR_HEIGHT))
    items: list[Item] = []
    bottom = template.height_dots - margin
    for symbol in reversed(symbols):
        bottom -= text_h
        hri = human_readable(list(symbol.elements))
        items.append(TextLine(margin, bottom, _fitted_size(hri, text_h, inner), hri, inner, True))
        bottom -= gap + bar_h
        bar_width = len(symbol.modules) * module
        items.append(Bars((width - bar_width) // 2, bottom, module, bar_h, symbol))
        bottom -= gap + gap // 2
    return items, bottom


def _fit_linear(elements: list[Element], template: Template) -> tuple[list[LinearSymbol], int]:
    """The GS1-128 symbol(s) and bar width: bars inside the margins, quiet zones inside the label."""
    modules = range(template.module_dots, template.min_module_dots - 1, -1)
    inner = template.width_dots - 2 * template.dots(template.margin_mm)

    def fits(symbols: list[LinearSymbol], module: int) -> bool:
        return all(
            len(s.modules) * module <= inner and s.width_modules * module <= template.width_dots
            for s in symbols
        )

    try:
        whole = gs1_128.encode(elements)
    except LabelError:
        whole = None
    if whole is not None:
        for module in modules:
            if fits([whole], module):
                return [whole], module
    identity = [e for e in elements if e.ai in ("01", "10")]
    rest = [e for e in elements if e.ai != "10"]
    if len(rest) > 1:
        parts = [gs1_128.encode(_ordered(rest)), gs1_128.encode(identity)]
        for module in modules:
            if fits(parts, module):
                return parts, module
    lot = next(e.value for e in elements if e.ai == "10")
    raise _too_small(template, f"the GS1-128 barcode of lot {lot}")


def _ordered(elements: list[Element]) -> list[Element]:
    """Fixed-length AIs first, so the only variable one (a count) needs no separator."""
    return sorted(elements, key=lambda e: not e.fixed_length)


def _field_text(label: LotLabel, field: str) -> str:
    match field:
        case "description":
            text = label.description or label.item
            return f"{label.status_mark} - {text}" if label.status_mark else text
        case "item":
            return f"ITEM {label.item}" if label.item else ""
        case "gtin":
            return f"GTIN {label.gtin}"
        case "lot":
            return f"LOT {label.lot}"
        case "expiry":
            return f"EXP {label.expiry.isoformat()}" if label.expiry else ""
        case "quantity":
            return f"QTY {label.quantity_text}" if label.quantity is not None else ""
    return ""


def _fitted_size(text: str, size: int, room: int) -> int:
    """A smaller text size for a line that must be shown whole (the human-readable line)."""
    return max(8, min(size, int(room / (len(text) * CHAR_WIDTH))))


def _clip(text: str, size: int, room: int) -> str:
    fits = max(1, int(room / (size * CHAR_WIDTH)))
    return text if len(text) <= fits else text[: fits - 1] + "…"


def _too_small(template: Template, what: str) -> LabelError:
    return LabelError(
        f"{what} does not fit on the {template.name} label ({template.width_mm:g} x "
        f"{template.height_mm:g} mm): choose a larger label template (--template, see config/labels/)"
    )
