#!/usr/bin/env bash
# Debian's chromium for the portal's real-browser test (test/portal/browser.test.ts). Idempotent:
# nothing happens when it is there. Installs with apt-get only when running as root; otherwise says
# what to run. CHROMIUM_PATH: use that binary instead.
set -uo pipefail
say() { printf '[tools] %s\n' "$*" >&2; }
bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
# Chinese text in screenshots needs a CJK font (without one the pages render as boxes).
if [ -x "$bin" ] && { ! command -v fc-list >/dev/null 2>&1 || [ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ]; }; then say "chromium: $bin"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "chromium: missing; run as root: apt-get install -y chromium (the browser test is skipped until then)"; exit 1
fi
say "chromium and a CJK font: installing with apt-get (once)..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null 2>&1; }
if [ -x /usr/bin/chromium ]; then say "chromium: installed"; exit 0; fi
say "chromium: apt-get could not install it"; exit 1
