#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100, runs on Node 20) into a git-ignored cache folder,
# outside the project's own dependency tree. Quick when already installed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${PRODLENS_CODE_SERVER_DIR:-$ROOT/.cache/code-server}"
VERSION=4.100.3
BIN="$CACHE/node_modules/.bin/code-server"
if [ -x "$BIN" ] && grep -q "\"version\": \"$VERSION\"" "$CACHE/node_modules/code-server/package.json" 2>/dev/null; then
  exit 0
fi
echo "setup-code-server: installing code-server@$VERSION into $CACHE (takes about 2 minutes)"
command -v rg >/dev/null || { echo "setup-code-server: ripgrep missing; run scripts/setup-system.sh first" >&2; exit 1; }
# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here; it looks in
# this cache folder first, so hand it Debian's rg in the archive it expects.
RG_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE"
TMP_RG="$(mktemp -d)"
cp "$(command -v rg)" "$TMP_RG/rg"
tar czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$TMP_RG" rg
rm -rf "$TMP_RG"
mkdir -p "$CACHE"
[ -f "$CACHE/package.json" ] || echo '{"name":"prodlens-code-server-cache","private":true}' > "$CACHE/package.json"
# As root the postinstall needs unsafe-perm; node-pty's postinstall runs npx and needs "yes".
npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error \
  --prefix "$CACHE" "code-server@$VERSION" >/dev/null
test -x "$BIN"
