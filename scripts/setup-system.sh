#!/usr/bin/env bash
# Installs the Debian packages the test lanes need (Chromium for the e2e lane, headers for
# code-server's native modules, ripgrep). Idempotent and quiet when everything is present.
set -euo pipefail
exec "$(dirname "$0")/apt-install.sh" setup-system chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev ripgrep
