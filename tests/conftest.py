"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the developer's own ~/.config or ~/.local/share."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("LOTSCAN_CONFIG", raising=False)
    monkeypatch.delenv("LOTSCAN_DB", raising=False)
    monkeypatch.delenv("LOTSCAN_OPERATOR", raising=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files with slow tests run first, then the files with the most tests; each file kept whole
    and in its own order (the sort is stable).

    With two workers each taking a file at a time (`--dist loadfile`), a long file handed out last
    leaves the other worker idle while one finishes it. xdist orders files by their number of
    tests unless told not to (`--no-loadscope-reorder`, scripts/test.sh): a slow file with a test
    or two (the schemathesis runs, the ten-session minute) came last and ran alone at the end.
    """
    del config
    slow_files = {item.path for item in items if item.get_closest_marker("slow") is not None}
    counts: dict[Path, int] = {}
    for item in items:
        counts[item.path] = counts.get(item.path, 0) + 1
    items.sort(key=lambda item: (item.path not in slow_files, -counts[item.path]))


class _CpuTimes:
    """`LOTSCAN_TEST_TIMES=FILE`: each test's wall-clock and CPU seconds (this worker and the
    children it waited for), one JSON line per test phase, appended to FILE.

    Wall-clock is inflated on a shared machine; CPU time is what a test costs whatever the load.
    """

    def __init__(self, path: str):
        self.path = path

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
        del nextitem
        import json
        import os
        import resource
        import time

        def cpu() -> tuple[float, float]:
            me = resource.getrusage(resource.RUSAGE_SELF)
            kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime

        start_wall, (start_me, start_kids) = time.perf_counter(), cpu()
        yield
        wall, (me, kids) = time.perf_counter() - start_wall, cpu()
        line = {
            "test": item.nodeid,
            "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
            "end": time.time(),
            "wall": round(wall, 3),
            "cpu": round(me - start_me, 3),
            "children_cpu": round(kids - start_kids, 3),
        }
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def pytest_configure(config: pytest.Config) -> None:
    import os

    path = os.environ.get("LOTSCAN_TEST_TIMES")
    if path:
        config.pluginmanager.register(_CpuTimes(path), "lotscan-test-times")
