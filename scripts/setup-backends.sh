#!/usr/bin/env bash
# Installs Debian's Prometheus (2.42) and Alertmanager (0.25) for the backend interop tests.
# Idempotent and quiet when both are present; installing does not start them.
set -euo pipefail
need=()
for pkg in prometheus prometheus-alertmanager; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-backends: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
