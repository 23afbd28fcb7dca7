#!/usr/bin/env bash
# Set up everything lotscan needs on a fresh Debian/Ubuntu machine: system libraries, a
# virtualenv in .venv and the package with its test extras. Safe to run again: it skips what
# is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# libzbar0: pyzbar's decoder; libgl1 + libglib2.0-0: what opencv-python's wheel links against.
for lib in libzbar.so.0 libGL.so.1 libglib-2.0.so.0; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || need_apt+=("$lib")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  packages=()
  for lib in "${need_apt[@]}"; do
    case "$lib" in
      libzbar.so.0) packages+=(libzbar0) ;;
      libGL.so.1) packages+=(libgl1) ;;
      libglib-2.0.so.0) packages+=(libglib2.0-0) ;;
    esac
  done
  echo "installing system packages: ${packages[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# chromium + chromium-driver: Debian's browser for tests/ui/test_web.py (never a downloaded one).
browser=()
[ -x /usr/bin/chromium ] || browser+=(chromium)
[ -x /usr/bin/chromedriver ] || browser+=(chromium-driver)
if [ ${#browser[@]} -gt 0 ]; then
  echo "installing system packages: ${browser[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${browser[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c "import venv, ensurepip" 2>/dev/null; then
  echo "installing python3-venv" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.lotscan-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi
