"""Our AI table, association rules and Digital Link keys agree with the GS1 Barcode Syntax
Dictionary in ../shared/standards (read here, never copied into the project)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lotscan.codes.ai_table import AI_TABLE
from lotscan.codes.associations import exclusions_of, requirements_of
from lotscan.codes.digital_link import PRIMARY_KEYS


@dataclass
class Entry:
    flags: str
    spec: list[str]
    req: list[str] = field(default_factory=list)
    ex: list[str] = field(default_factory=list)
    dlpkey: str | None = None


def _dictionary(root: Path) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for line in (root / "gs1" / "syntax-dictionary.txt").read_text(encoding="utf-8").splitlines():
        body = line.split("#", 1)[0].split()
        if not body:
            continue
        ais, rest = body[0], body[1:]
        flags = rest.pop(0) if rest and re.fullmatch(r"[*?]+", rest[0]) else ""
        spec = [token for token in rest if re.match(r"^\[?[NXYZ]", token)]
        entry = Entry(flags, spec)
        for token in rest[len(spec) :]:
            key, _, value = token.partition("=")
            if key == "req":
                entry.req.append(value)
            elif key == "ex":
                entry.ex.extend(value.split(","))
            elif key == "dlpkey":
                entry.dlpkey = value
        first, _, last = ais.partition("-")
        for number in range(int(first), int(last or first) + 1):
            entries[str(number).zfill(len(first))] = entry
    return entries


@pytest.fixture
def dictionary(standards: Path) -> dict[str, Entry]:
    return _dictionary(standards)


def test_every_ai_has_the_same_format_and_flags(dictionary: dict[str, Entry]) -> None:
    assert set(AI_TABLE) == set(dictionary)
    differences = []
    for ai, entry in dictionary.items():
        ours = AI_TABLE[ai]
        components = [
            ("[" if c.optional else "")
            + c.charset
            + (".." if c.min_length != c.max_length else "")
            + str(c.max_length)
            + ("]" if c.optional else "")
            + "".join("," + linter for linter in c.linters)
            for c in ours.components
        ]
        if components != entry.spec:
            differences.append((ai, components, entry.spec))
        if (ours.predefined_length, ours.dl_attribute) != ("*" in entry.flags, "?" in entry.flags):
            differences.append((ai, "flags", entry.flags))
    assert differences == []


def _rule(text: str) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(alternative.split("+")) for alternative in text.split(","))


def test_every_req_rule_is_encoded(dictionary: dict[str, Entry]) -> None:
    differences = []
    for ai, entry in dictionary.items():
        theirs = {_rule(rule) for rule in entry.req}
        ours = {frozenset(frozenset(alt) for alt in rule) for rule in requirements_of(ai)}
        if ours != theirs:
            differences.append((ai, sorted(map(sorted, ours)), entry.req))
    assert differences == [], f"{len(differences)} AIs differ"


def test_every_ex_rule_is_encoded(dictionary: dict[str, Entry]) -> None:
    differences = [
        (ai, sorted(exclusions_of(ai)), sorted(entry.ex))
        for ai, entry in dictionary.items()
        if sorted(exclusions_of(ai)) != sorted(entry.ex)
    ]
    assert differences == [], f"{len(differences)} AIs differ"


def test_digital_link_primary_keys_and_qualifiers(dictionary: dict[str, Entry]) -> None:
    theirs = {
        ai: tuple(tuple(seq.split(",")) if seq else () for seq in (entry.dlpkey or "").split("|"))
        for ai, entry in dictionary.items()
        if entry.dlpkey is not None
    }
    assert theirs == PRIMARY_KEYS
