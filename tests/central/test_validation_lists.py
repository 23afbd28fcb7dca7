"""The batch read's lists travel as JSON text (central/validation.py `_json_texts`): the quick
join for texts with nothing to escape, json.dumps for the rest. Whatever the texts (quotes,
backslashes, control characters, any script), a JSON reader must read back exactly the list sent
(the checks' own tests read such lists on PostgreSQL: tests/central/test_authority_holes.py)."""

from __future__ import annotations

import json
import os
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from lotscan.central.validation import _json_texts

EXAMPLES = settings(max_examples=int(os.environ.get("LOTSCAN_FUZZ_EXAMPLES", "400")), deadline=None)
# Code-like texts, and every character that needs escaping in JSON or is not ASCII.
PIECES = st.sampled_from(
    ["A", "z", "0", "-", " ", "#", '"', "\\", "\n", "\x00", "\x1f", "\x7f", "é", "٣", "💥"]
)
TEXTS = st.lists(st.lists(PIECES, max_size=6).map("".join), max_size=8)


@EXAMPLES
@given(TEXTS)
def test_any_list_of_texts_reads_back_as_sent(texts: list[str]) -> None:
    assert json.loads(_json_texts(texts)) == texts


def test_event_ids_take_the_quick_join() -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    assert _json_texts(ids) == '["' + '","'.join(ids) + '"]'
    assert json.loads(_json_texts(ids)) == ids
