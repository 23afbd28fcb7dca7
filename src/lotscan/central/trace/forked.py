"""Work done in a forked child process while the caller goes on: a drill builds and writes its
EPCIS extract (pure Python from data already read: no database) on the other core while it
writes the FSMA spreadsheet, the mass balance and the notices.

The child shares nothing back but its exit status and the files it writes; it never touches the
parent's database connection and leaves with os._exit, so no cleanup of the parent's objects
(connections, buffered output) runs twice. Without os.fork (Windows), or with LOTSCAN_NO_FORK
set, the work runs in the caller's process first.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from lotscan.central.errors import CentralError


@contextmanager
def alongside(work: Callable[[], object], what: str) -> Iterator[None]:
    """Run `work` in a child process during the with-block; at its end, wait for the child and
    raise CentralError if it failed (naming `what`)."""
    if not hasattr(os, "fork") or os.environ.get("LOTSCAN_NO_FORK"):
        work()
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            work()
            code = 0
        except BaseException:  # reported on stderr, then the exit status says it
            traceback.print_exc()
        finally:
            os._exit(code)
    try:
        yield
    finally:
        _pid, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise CentralError(f"{what} failed in its process (exit status {os.waitstatus_to_exitcode(status)})")
