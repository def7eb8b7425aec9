#!/usr/bin/env bash
# Debian packages dutybound needs beside Python: a C compiler and Python headers (durable-rules
# builds from source), Pango and HarfBuzz-subset (WeasyPrint), Noto CJK fonts (Chinese vendor
# names in reports) and poppler-utils (PDF checks); with DUTYBOUND_TEST_BROWSER=1 also Chromium
# (CI). Installs what is missing when run as root; otherwise prints the command to run.
set -euo pipefail
packages=(gcc python3-dev make libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
          fonts-dejavu-core fonts-noto-cjk poppler-utils)
# CI also drives the service's pages in headless Chromium (tests skip it where it is absent)
[ "${DUTYBOUND_TEST_BROWSER:-}" = 1 ] && packages+=(chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "dutybound needs: ${missing[*]} (Debian package names); install them, then retry." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "dutybound needs: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
