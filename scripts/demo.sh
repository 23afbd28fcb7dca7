#!/usr/bin/env bash
# Set up (first time only) and open the demo station on the embedded demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/lotscan demo "$@"
