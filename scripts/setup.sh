#!/usr/bin/env bash
# Set up everything lotscan needs on a fresh Debian/Ubuntu machine: system packages, a
# virtualenv in .venv and the package with its test extras. Safe to run again and anywhere: it
# only calls apt (and sudo) when something is missing, and waits for another apt to finish.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: one line each, "package  check". A check is a shell test that passes when
# the package's part is already there; add a line here for a new system dependency.
libraries=$(ldconfig -p 2>/dev/null || true)  # read once: `ldconfig | grep -q` races with pipefail
has_lib() { grep -qF "$1" <<<"$libraries"; }
PYTHON=${PYTHON:-python3}
SYSTEM_PACKAGES=(
  "libzbar0         has_lib libzbar.so.0"                      # pyzbar's decoder
  "libgl1           has_lib libGL.so.1"                        # opencv-python's wheel links it
  "libglib2.0-0     has_lib libglib-2.0.so.0"                  # ... and this
  "chromium         test -x /usr/bin/chromium"                 # tests/ui/test_web.py (Debian's, never downloaded)
  "chromium-driver  test -x /usr/bin/chromedriver"
  "python3-venv     $PYTHON -c 'import venv, ensurepip'"
)

missing=()
for entry in "${SYSTEM_PACKAGES[@]}"; do
  read -r package check <<<"$entry"
  eval "$check" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing system packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  # wait up to 5 minutes for another apt/dpkg (unattended upgrades, a parallel setup) to finish
  APT=(apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
  # DPkg::Lock::Timeout covers dpkg's lock; `update` takes the lists lock, so wait for it here
  for attempt in $(seq 60); do
    if out=$($SUDO "${APT[@]}" update -qq 2>&1); then break; fi
    if ! grep -qiE "could not get lock|unable to lock" <<<"$out" || [ "$attempt" -eq 60 ]; then
      echo "$out" >&2; exit 1
    fi
    echo "waiting for another apt to finish (lists lock)..." >&2; sleep 5
  done
  DEBIAN_FRONTEND=noninteractive $SUDO "${APT[@]}" install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.lotscan-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing lotscan's Python packages into .venv (first time only: a few minutes) ..." >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi
