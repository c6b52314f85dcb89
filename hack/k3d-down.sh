#!/usr/bin/env bash
# Deletes the k3d cluster hack/k3d-up.sh created (GATEPLANE_CLUSTER, default gateplane), with
# everything in it. The gateplane image stays in the local Docker image store.
set -euo pipefail

CLUSTER="${GATEPLANE_CLUSTER:-gateplane}"
command -v k3d >/dev/null 2>&1 || {
  echo "k3d-down: k3d is required" >&2
  exit 1
}
if k3d cluster get "$CLUSTER" >/dev/null 2>&1; then
  k3d cluster delete "$CLUSTER"
else
  echo "No k3d cluster named $CLUSTER"
fi
