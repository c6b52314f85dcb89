#!/usr/bin/env bash
# Creates a local k3d cluster running gateplane, for machines with Docker (CI does not run it):
#   1. k3d cluster "gateplane" (one server, Traefik off, k3s's built-in servicelb on), with the
#      ports the examples listen on published on localhost through k3d's load balancer;
#   2. the upstream Gateway API CRDs (standard channel) and gateplane's own CRD;
#   3. the gateplane image, built with docker and imported into the cluster (no registry);
#   4. the Helm chart, installed (or upgraded) into gateplane-system, waiting until it is ready.
# Re-running it reuses the cluster and rebuilds and reinstalls the rest: the dev loop.
# Then: hack/k3d-demo.sh to try it, hack/k3d-down.sh to delete the cluster.
#
# Settings (environment): GATEPLANE_CLUSTER (gateplane), GATEPLANE_IMAGE (gateplane:dev, must
# carry a tag), GATEPLANE_NAMESPACE (gateplane-system), GATEPLANE_K3D_PORTS ("8080 8081").
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER="${GATEPLANE_CLUSTER:-gateplane}"
IMAGE="${GATEPLANE_IMAGE:-gateplane:dev}"
NAMESPACE="${GATEPLANE_NAMESPACE:-gateplane-system}"
PORTS="${GATEPLANE_K3D_PORTS:-8080 8081}"
GATEWAY_API_VERSION="v1.6.1"
GATEWAY_API_CRDS="https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml"
CONTEXT="k3d-${CLUSTER}"

fail() {
  echo "k3d-up: $*" >&2
  exit 1
}
command -v docker >/dev/null 2>&1 || fail "docker is required (https://docs.docker.com/engine/install/)"
command -v k3d >/dev/null 2>&1 || fail "k3d is required (https://k3d.io: install.sh or a release binary)"
docker info >/dev/null 2>&1 || fail "the Docker daemon is not reachable"
# The tag is what follows the last colon of the last path part (a registry may carry a port).
case "${IMAGE##*/}" in
  *:*) ;;
  *) fail "GATEPLANE_IMAGE must carry a tag, such as gateplane:dev" ;;
esac

# helm and kubectl come from .tools/ (hack/helm.sh fetches both), so versions do not depend on
# the machine; kubectl always names the k3d context, never the current one.
bash hack/helm.sh >/dev/null
KUBECTL=".tools/kubectl/kubectl"
kubectl() { "$KUBECTL" --context "$CONTEXT" "$@"; }

if k3d cluster get "$CLUSTER" >/dev/null 2>&1; then
  echo "Reusing k3d cluster $CLUSTER"
else
  port_args=()
  for port in $PORTS; do port_args+=(--port "${port}:${port}@loadbalancer"); done
  # Traefik would hold ports 80/443 through servicelb; gateplane's Gateways take its place.
  k3d cluster create "$CLUSTER" --agents 0 "${port_args[@]}" \
    --k3s-arg "--disable=traefik@server:0" --wait
fi

echo "Installing the Gateway API CRDs ${GATEWAY_API_VERSION} (standard channel)"
kubectl apply --server-side --force-conflicts -f "$GATEWAY_API_CRDS"
kubectl wait --for condition=Established --timeout=120s \
  crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io \
  crd/httproutes.gateway.networking.k8s.io crd/referencegrants.gateway.networking.k8s.io
# Helm installs a chart's crds/ only once and never upgrades them: apply ours on every run.
kubectl apply --server-side --force-conflicts -f crds/
kubectl wait --for condition=Established --timeout=60s crd/dataplaneconfigs.gateplane.io

echo "Building $IMAGE and importing it into the cluster"
docker build --tag "$IMAGE" .
k3d image import "$IMAGE" --cluster "$CLUSTER"

echo "Installing the chart into $NAMESPACE"
# pullPolicy Never: the image exists only inside the cluster, imported above. A rebuilt image
# keeps its tag, so the image id goes into a pod annotation: the operator pods roll exactly when
# the image changed.
image_id="$(docker image inspect --format '{{.Id}}' "$IMAGE")"
bash hack/helm.sh upgrade --install gateplane charts/gateplane \
  --kube-context "$CONTEXT" --namespace "$NAMESPACE" --create-namespace \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" --set image.pullPolicy=Never \
  --set-string "operator.podAnnotations.gateplane\\.io/image-id=${image_id}" \
  --wait --timeout 5m
kubectl wait --for condition=Accepted --timeout=120s gatewayclass/gateplane-nginx gatewayclass/gateplane-haproxy

echo "gateplane is running in k3d cluster $CLUSTER (context $CONTEXT). Next: hack/k3d-demo.sh"
