#!/usr/bin/env bash
# Installs the Debian packages the test lanes need (Chromium for the e2e lane, headers for
# code-server's native modules, ripgrep). Idempotent and quiet when everything is present.
set -euo pipefail
need=()
for pkg in chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev ripgrep; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-system: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
