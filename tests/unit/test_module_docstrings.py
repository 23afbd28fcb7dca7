"""Every module says its one job in its docstring (migrations excepted: Alembic writes theirs), and
a module of 400 lines or more has a docstring of more than its own name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "lotscan"
MODULES = sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_the_module_says_its_job(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    docstring = (ast.get_docstring(ast.parse(text)) or "").strip()
    dotted = ".".join(("lotscan", *path.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
    assert docstring and docstring != dotted, f"{path}: no docstring saying what the module is for"
    if len(text.splitlines()) >= 400:
        assert len(docstring.split()) >= 8, f"{path}: 400+ lines; its docstring must name its one job"
