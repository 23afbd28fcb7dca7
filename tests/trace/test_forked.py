"""A drill writes its EPCIS extract in a forked process (trace/forked.py): what the child writes is
there when the block ends, and a child that fails makes the caller fail, naming the work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lotscan.central.errors import CentralError
from lotscan.central.trace.forked import alongside


def test_the_childs_file_is_written_when_the_block_ends(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    parent = os.getpid()

    def work() -> None:
        target.write_text(str(os.getpid()), encoding="utf-8")

    with alongside(work, "the test file"):
        pass
    assert target.exists()
    if hasattr(os, "fork") and not os.environ.get("LOTSCAN_NO_FORK"):
        assert int(target.read_text(encoding="utf-8")) != parent  # written by another process


def test_a_failing_child_fails_the_caller(tmp_path: Path) -> None:
    def work() -> None:
        raise ValueError("boom")

    with (
        pytest.raises((CentralError, ValueError), match=r"the EPCIS extract|boom"),
        alongside(work, "the EPCIS extract"),
    ):
        pass
