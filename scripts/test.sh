#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite, slow tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests scripts benchmarks
.venv/bin/lint-imports
# Two workers, one test file each at a time (files share module fixtures and ports): the
# suite's servers and pseudo-terminals wait much of the time, so this halves it on 2 cores.
# --no-loadscope-reorder: files go out in the order tests/conftest.py gives (slow files first);
# xdist's own order (most tests first) left the slow one- and two-test files for the end.
# --durations: the 25 slowest tests are listed, to keep the suite under 15 minutes.
# The whole suite (no arguments) type-checks beside pytest: mypy is CPU-bound for about a minute
# while the test workers spend much of theirs waiting on servers and terminals.
mypy_pid=""
if [ $# -eq 0 ]; then
  mypy_out=$(mktemp)
  .venv/bin/mypy >"$mypy_out" 2>&1 &
  mypy_pid=$!
  export LOTSCAN_MYPY_BESIDE=1  # tests/unit/test_layers.py: mypy is not run twice
fi
status=0
.venv/bin/pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=25 "$@" || status=$?
if [ -n "$mypy_pid" ]; then
  if wait "$mypy_pid"; then
    echo "mypy: $(tail -1 "$mypy_out")"
  else
    cat "$mypy_out"
    echo "mypy found type errors (above)" >&2
    status=1
  fi
  rm -f "$mypy_out"
fi
exit "$status"
