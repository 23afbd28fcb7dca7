"""Label templates: one TOML file per label stock, shipped in config/labels/, and the user's own
in ~/.config/lotscan/labels/ (see docs/labels.md)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from lotscan.labels.errors import TemplateError
from lotscan.paths import label_template_dirs, toml_files
from lotscan.textfiles import NotUtf8Error, read_utf8_text

SYMBOLS = ("gs1-128", "datamatrix")
FIELDS = ("description", "item", "gtin", "lot", "expiry", "quantity")
DEFAULT_TEMPLATE = "case"


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    width_mm: float
    height_mm: float
    description: str = ""
    dpi: int = 203
    margin_mm: float = 3.0
    symbols: tuple[str, ...] = SYMBOLS
    fields: tuple[str, ...] = FIELDS
    title_mm: float = 4.5  # text height of the first field
    text_mm: float = 3.0  # text height of the other fields and of the line under a barcode
    bar_height_mm: float = 12.0
    module_dots: int = 3  # narrowest GS1-128 bar, in printer dots
    min_module_dots: int = 2  # narrower still when a long lot needs it, never below this
    matrix_module_dots: int = 5  # DataMatrix cell, in printer dots

    def dots(self, mm: float) -> int:
        return round(mm * self.dpi / 25.4)

    @property
    def width_dots(self) -> int:
        return self.dots(self.width_mm)

    @property
    def height_dots(self) -> int:
        return self.dots(self.height_mm)


def template_files() -> dict[str, Path]:
    """Every template name found, mapped to its file (the user's own before the shipped ones)."""
    return toml_files(label_template_dirs())


def available() -> list[str]:
    return sorted(template_files())


def load_template(name_or_path: str | Path = DEFAULT_TEMPLATE) -> Template:
    """A template by name (NAME.toml in ~/.config/lotscan/labels or the shipped config/labels)
    or by the path of a TOML file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        known = template_files()
        if str(name_or_path) not in known:
            names = ", ".join(sorted(known)) or "none"
            raise TemplateError(f"no label template {str(name_or_path)!r} (known: {names})")
        path = known[str(name_or_path)]
    try:
        data = tomllib.loads(read_utf8_text(path, shown_as=f"label template {path}"))
    except NotUtf8Error as exc:
        raise TemplateError(str(exc)) from None
    except OSError as exc:
        raise TemplateError(f"cannot read label template {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"label template {path} is not valid TOML: {exc}") from exc
    return template_from_mapping(data, name=path.stem, where=str(path))


def template_from_mapping(data: dict[str, Any], *, name: str, where: str = "template") -> Template:
    known = {f.name for f in fields(Template)} - {"name"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise TemplateError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    for key in ("width_mm", "height_mm"):
        if key not in data:
            raise TemplateError(f"{where}: {key} is required")
    values = dict(data)
    for key, allowed in (("symbols", SYMBOLS), ("fields", FIELDS)):
        if key in values:
            chosen = values[key]
            if not isinstance(chosen, list) or any(v not in allowed for v in chosen):
                raise TemplateError(f"{where}: {key} must be a list of {', '.join(allowed)}")
            values[key] = tuple(chosen)
    try:
        template = Template(name=name, **values)
    except TypeError as exc:
        raise TemplateError(f"{where}: {exc}") from exc
    _check_numbers(template, where)
    return template


def _check_numbers(template: Template, where: str) -> None:
    for key in ("width_mm", "height_mm", "title_mm", "text_mm", "bar_height_mm"):
        value = getattr(template, key)
        if not isinstance(value, int | float) or value <= 0:
            raise TemplateError(f"{where}: {key} must be a positive number of millimetres")
    for key in ("dpi", "module_dots", "min_module_dots", "matrix_module_dots"):
        value = getattr(template, key)
        if not isinstance(value, int) or value < 1:
            raise TemplateError(f"{where}: {key} must be a whole number of at least 1")
    if template.min_module_dots > template.module_dots:
        raise TemplateError(f"{where}: min_module_dots is larger than module_dots")
    if not template.symbols:
        raise TemplateError(f"{where}: symbols must name at least one barcode")
