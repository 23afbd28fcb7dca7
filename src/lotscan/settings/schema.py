"""The station.toml schema: what each table may hold, with types, ranges and patterns.

Every key is optional here: a key left out takes its default from `StationSettings` (or
`Policy` for [policy]), the one place defaults are written. Unknown keys and tables are
refused, and `explain` turns pydantic's findings into one line per mistake that names the file,
the key and what is allowed."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from lotscan.codes.internal import KIND_OF_TYPE
from lotscan.codes.normalise import gs_substitute_problem

NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
Name = Annotated[str, StringConstraints(pattern=NAME, min_length=1, max_length=32)]
OneChar = Annotated[str, StringConstraints(min_length=1, max_length=1)]
Word = Annotated[str, StringConstraints(min_length=1)]
Prefix = Annotated[str, StringConstraints(min_length=1, max_length=8)]


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class StationTable(Table):
    id: Name | None = Field(None, description="letters, digits, '-' or '_' (up to 32), e.g. \"ST-01\"")
    site: Name | None = Field(None, description='the site code, e.g. "PLANT1"')
    database: Word | None = Field(None, description="a file path (relative to station.toml)")
    server_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = Field(
        None, description="an http:// or https:// URL of the central lot service"
    )
    line: Name | None = Field(None, description='the production line code, e.g. "L1"')


class LotsTable(Table):
    pattern: Word | None = Field(None, description='a lot-number pattern, e.g. "{date:%y%j}{seq:03}"')


class CodesTable(Table):
    internal_prefixes: dict[Prefix, str] | None = Field(
        None, description=f"a table of PREFIX = type, types: {', '.join(KIND_OF_TYPE)}"
    )
    gs_substitutes: list[OneChar] | None = Field(None, description='a list of single characters, e.g. ["|"]')

    @field_validator("internal_prefixes")
    @classmethod
    def _known_types(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for prefix, kind in (value or {}).items():
            if kind not in KIND_OF_TYPE:
                raise ValueError(f"{prefix!r} = {kind!r}: the type must be one of {', '.join(KIND_OF_TYPE)}")
        return value

    @field_validator("gs_substitutes")
    @classmethod
    def _not_data_characters(cls, value: list[str] | None) -> list[str] | None:
        for substitute in value or []:
            if problem := gs_substitute_problem(substitute):
                raise ValueError(f"{substitute!r} cannot stand for GS: {problem}")
        return value


class PolicyTable(Table):
    levels: dict[str, str] | None = Field(
        None, description='a table of REASON_CODE = "WARNING" or "REJECTED"'
    )
    overridable: list[str] | None = Field(None, description="a list of reason codes")
    override_reasons: list[Word] | None = Field(None, description="a list of reason words")
    duplicate_window_s: float | None = Field(None, ge=0, le=3600, description="seconds, 0 to 3600")
    split_label_window_s: float | None = Field(None, ge=0, le=60, description="seconds, 0 to 60")
    require_pin: bool | None = Field(None, description="true or false (not quoted)")
    idle_signout_s: int | None = Field(None, ge=0, le=86400, description="whole seconds, 0 to 86400")
    pin_tries: int | None = Field(None, ge=1, le=20, description="wrong PINs before a lockout, 1 to 20")
    pin_lockout_s: int | None = Field(None, ge=0, le=86400, description="whole seconds, 0 (never) to 86400")


class LabelsTable(Table):
    destination: Annotated[str, StringConstraints(pattern=r"^(tcp|cups|file):.+$")] | None = Field(
        None, description='"tcp:HOST[:PORT]", "cups:QUEUE" or "file:PATH"'
    )
    template: Word | None = Field(None, description='a label template name, e.g. "case"')


class StationFile(Table):
    station: StationTable = StationTable()
    lots: LotsTable = LotsTable()
    codes: CodesTable = CodesTable()
    policy: PolicyTable = PolicyTable()
    labels: LabelsTable = LabelsTable()
    devices: list[dict[str, Any]] = Field([], description="[[devices]] tables (see docs/devices.md)")


def explain(error: ValidationError, where: Path | str) -> list[str]:
    """One line per mistake: `station.toml: unknown key 'ide' in [station]; did you mean 'id'?`."""
    return [_line(item, str(where)) for item in error.errors()]


def _line(item: Any, where: str) -> str:
    loc = tuple(str(part) for part in item["loc"])
    model = _model_at(loc[:-1])
    if item["type"] == "extra_forbidden":
        known = list(model.model_fields) if model else []
        if len(loc) == 1 and isinstance(item["input"], dict):
            hint = _suggest(loc[0], [k for k in known if k != "devices"], "[{}]")
            return f"{where}: unknown table [{loc[0]}]; {hint}"
        table = f" in [{'.'.join(loc[:-1])}]" if len(loc) > 1 else ""
        return f"{where}: unknown key {loc[-1]!r}{table}; {_suggest(loc[-1], known, '{!r}')}"
    key = _key(loc)
    field = _field(loc)
    allowed = f"; use {field.description}" if field is not None and field.description else ""
    message = item["msg"].removeprefix("Value error, ")
    return f"{where}: {key} = {item['input']!r} is not allowed: {message}{allowed}"


def _suggest(name: str, known: list[str], form: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {form.format(close[0])}?"
    return "known: " + ", ".join(form.format(k) for k in known)


def _model_at(loc: tuple[str, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = StationFile
    for part in loc:
        field = model.model_fields.get(part) if model else None
        annotation = field.annotation if field else None
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return model


def _field(loc: tuple[str, ...]) -> Any:
    for cut in range(len(loc), 0, -1):
        model = _model_at(loc[: cut - 1])
        if model is not None and loc[cut - 1] in model.model_fields:
            return model.model_fields[loc[cut - 1]]
    return None


def _key(loc: tuple[str, ...]) -> str:
    if len(loc) == 1:
        return loc[0]
    return f"[{loc[0]}] " + ".".join(loc[1:])
