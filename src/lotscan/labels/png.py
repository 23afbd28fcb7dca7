"""Draw a layout as a PNG at the printer's resolution: one pixel per printer dot."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from lotscan.labels.gs1_128 import bar_runs
from lotscan.labels.layout import Bars, Layout, Matrix, TextLine

BLACK, WHITE = 0, 255


def render_png(layout: Layout) -> bytes:
    buffer = io.BytesIO()
    draw_image(layout).save(buffer, format="PNG", dpi=(layout.template.dpi, layout.template.dpi))
    return buffer.getvalue()


def draw_image(layout: Layout) -> Image.Image:
    """The label as a greyscale image (mode "L"), white background."""
    image = Image.new("L", (layout.width, layout.height), WHITE)
    draw = ImageDraw.Draw(image)
    for item in layout.items:
        if isinstance(item, Bars):
            _bars(draw, item)
        elif isinstance(item, Matrix):
            _matrix(draw, item)
        else:
            _text(draw, item)
    return image


def _bars(draw: ImageDraw.ImageDraw, bars: Bars) -> None:
    for start, width in bar_runs(bars.symbol.modules):
        x = bars.x + start * bars.module
        draw.rectangle((x, bars.y, x + width * bars.module - 1, bars.y + bars.height - 1), fill=BLACK)


def _matrix(draw: ImageDraw.ImageDraw, matrix: Matrix) -> None:
    size = matrix.module
    for row, cells in enumerate(matrix.symbol.dark):
        for column, dark in enumerate(cells):
            if dark:
                x, y = matrix.x + column * size, matrix.y + row * size
                draw.rectangle((x, y, x + size - 1, y + size - 1), fill=BLACK)


def _text(draw: ImageDraw.ImageDraw, line: TextLine) -> None:
    size = line.height
    font = _font(size)
    while size > 6 and font.getlength(line.text) > line.max_width:
        size -= 1
        font = _font(size)
    x = line.x
    if line.centred:
        x += max(0, (line.max_width - int(font.getlength(line.text))) // 2)
    draw.text((x, line.y), line.text, fill=BLACK, font=font)


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's own scalable font, so labels look the same on every machine."""
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError):  # Pillow built without FreeType: a small bitmap font
        return ImageFont.load_default()
