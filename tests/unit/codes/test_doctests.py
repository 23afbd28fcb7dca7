"""The examples in lotscan.codes docstrings run: they show how each parser is called."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import lotscan.codes

MODULES = sorted(m.name for m in pkgutil.iter_modules(lotscan.codes.__path__, "lotscan.codes."))
PARSERS = [
    "lotscan.codes.interpret.interpret",
    "lotscan.codes.interpret.interpret_text",
    "lotscan.codes.gs1.split_elements",
    "lotscan.codes.bracketed.parse_bracketed",
    "lotscan.codes.digital_link.parse_digital_link",
    "lotscan.codes.epc.decode_epc",
    "lotscan.codes.internal.parse_internal",
    "lotscan.codes.aim.split_prefix",
    "lotscan.codes.dates.parse_yymmdd",
    "lotscan.codes.upc_e.expand_upc_e",
    "lotscan.codes.dl_compression.decompress",
]


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_in_the_docstrings_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0


@pytest.mark.parametrize("qualified", PARSERS)
def test_every_parser_shows_how_it_is_called(qualified: str) -> None:
    module, name = qualified.rsplit(".", 1)
    docstring = getattr(importlib.import_module(module), name).__doc__ or ""
    assert f"{name}(" in docstring and ">>> " in docstring
