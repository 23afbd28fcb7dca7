"""docs/sync.md against the code (tester #24: its threat model was out of date in parts).

The rule table lists exactly central's refusal codes (`RefusalCode`), and every test the threat
model cites as evidence exists, so a renamed or removed test makes the document fail here
rather than quietly claim what nothing shows. Plus one claim no other test showed: a station
token reads its own site's flagged items only.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from lotscan.central.validation import RefusalCode
from tests.central.support import Central, auth, event, push

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "sync.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(title)
    following = re.search(r"^#{2,3} ", text[start + len(title) :], re.MULTILINE)
    return text[start : start + len(title) + (following.start() if following else len(text))]


def test_the_rule_table_lists_every_refusal_code_and_no_other() -> None:
    rules = _section("## What a pushed event must pass")
    listed = re.findall(r"^\| `([A-Z_]+)` \|", rules, re.MULTILINE)
    assert len(listed) == len(set(listed)), listed
    assert set(listed) == {code.value for code in RefusalCode}


def _cited_tests() -> list[tuple[str, str]]:
    """(file, test) pairs the threat model cites: `path.py::test` and `::test` after one."""
    cited: list[tuple[str, str]] = []
    threat = _section("### Threat model: a stolen station token")
    for cell in re.findall(r"`([^`]+)`", threat):
        match = re.fullmatch(r"((?:tests/[\w/]+/)?test_\w+\.py)?::(test_\w+)", cell)
        if match:
            path = match.group(1) or (cited[-1][0] if cited else "")
            cited.append((path, match.group(2)))
        elif re.fullmatch(r"(tests/[\w/]+/)?test_\w+\.py", cell):
            cited.append((cell, ""))
    return cited


def _test_path(cited: str) -> Path:
    return ROOT / cited if cited.startswith("tests/") else ROOT / "tests" / "central" / cited


def test_every_test_the_threat_model_cites_exists() -> None:
    cited = _cited_tests()
    assert len(cited) >= 15, cited
    for path, name in cited:
        source = _test_path(path)
        assert source.exists(), f"docs/sync.md cites {path}, which does not exist"
        if name:
            tree = ast.parse(source.read_text(encoding="utf-8"))
            names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
            assert name in names, f"docs/sync.md cites {path}::{name}, which does not exist"


def test_a_station_token_reads_only_its_own_sites_flagged_items(central: Central, tmp_path: Path) -> None:
    central.import_rows(tmp_path, {"sites": [{"code": "P2"}], "locations": [{"code": "B1", "site": "P2"}]})
    _, p1 = central.enroll("P1")
    _, p2 = central.enroll("P2")
    refused = push(central, p1, event(1, "lot.status_changed", item="FLOUR", lot="F-LATE", to="recalled"))
    assert refused.json()["results"][0]["outcome"] == "rejected", refused.text
    assert len(central.http.get("/api/v1/flagged", headers=auth(p1)).json()) == 1
    assert central.http.get("/api/v1/flagged", headers=auth(p2)).json() == []
