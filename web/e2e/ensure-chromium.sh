#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
# Installs it when missing; fails loudly when it cannot, so the tests are never silently skipped.
set -euo pipefail
chromium_bin="${HUZA_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium_bin" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Chromium is missing at $chromium_bin and this user cannot install it (apt-get install chromium)" >&2
  exit 1
fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
if [ ! -x "$chromium_bin" ]; then
  echo "Chromium did not install at $chromium_bin" >&2
  exit 1
fi
"$chromium_bin" --version
