#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite, slow tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests scripts benchmarks
.venv/bin/lint-imports
exec .venv/bin/pytest "$@"
