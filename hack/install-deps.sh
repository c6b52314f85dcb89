#!/usr/bin/env bash
# Installs what gateplane needs on Debian: nginx and HAProxy from Debian's packages (only when
# missing) and the npm dependencies. Uses sudo for apt when not run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
# The tests make their own TLS certificates with the openssl command line.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The packaging tests: shellcheck for the hack/ scripts, unzip for the helm binary (hack/helm.sh).
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
if ((${#missing[@]} > 0)); then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "Installing ${missing[*]} from Debian's packages"
  "${sudo[@]}" apt-get update -qq
  # The packages' services are not needed: gateplane runs its own proxy processes.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
