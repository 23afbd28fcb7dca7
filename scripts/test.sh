#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite, slow tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests scripts benchmarks
.venv/bin/lint-imports
# Two workers, one test file each at a time (files share module fixtures and ports): the
# suite's servers and pseudo-terminals wait much of the time, so this halves it on 2 cores.
# --durations: the 25 slowest tests are listed, to keep the suite under 15 minutes.
exec .venv/bin/pytest -n 2 --dist loadfile --durations=25 "$@"
