#!/usr/bin/env bash
# Installs Debian's Prometheus (2.42) and Alertmanager (0.25) for the backend interop tests.
# Idempotent and quiet when both are present; installing does not start them.
set -euo pipefail
exec "$(dirname "$0")/apt-install.sh" setup-backends prometheus prometheus-alertmanager
