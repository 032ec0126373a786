#!/usr/bin/env bash
# Installs Debian's `chromium` package if no Chromium binary is there yet, and prints the binary's path.
# The browser journey (npm run test:browser) drives it through playwright-core, which downloads nothing:
# the browser comes from the distribution's package, not from Playwright's CDN. Idempotent: a second
# run only prints the path. CHROMIUM_PATH, when set to an executable, is used as is.
set -euo pipefail

find_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then
    echo "$CHROMIUM_PATH"
    return 0
  fi
  for candidate in chromium chromium-browser; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if ! find_chromium >/dev/null; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: no Chromium found and no apt-get to install Debian's chromium package" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "install-chromium: installing Debian's chromium package" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >&2
fi

path="$(find_chromium)" || {
  echo "install-chromium: chromium was installed but no binary is on PATH" >&2
  exit 1
}
echo "$path"
