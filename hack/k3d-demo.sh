#!/usr/bin/env bash
# Tries gateplane in the k3d cluster hack/k3d-up.sh made (CI does not run it): applies
# examples/cluster (a whoami backend, one Gateway per GatewayClass, a route each), waits until
# both Gateways are Programmed, then for each one prints its address from status.addresses and
# curls it with its route's Host header: the reply must come from whoami and echo that Host,
# and a request for an unknown host must get 404.
#
# Requests go to 127.0.0.1:<listener port>, which k3d publishes; set GATEPLANE_DEMO_VIA=address
# to curl the Gateway's own address instead (reachable from Linux hosts, not Docker Desktop).
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER="${GATEPLANE_CLUSTER:-gateplane}"
CONTEXT="k3d-${CLUSTER}"
DEMO_NAMESPACE="gateplane-demo"

bash hack/helm.sh >/dev/null
KUBECTL=".tools/kubectl/kubectl"
kubectl() { "$KUBECTL" --context "$CONTEXT" "$@"; }

kubectl apply -f examples/cluster/
kubectl --namespace "$DEMO_NAMESPACE" rollout status deployment/whoami --timeout=180s

for gateway in nginx haproxy; do
  kubectl --namespace "$DEMO_NAMESPACE" wait --for condition=Programmed --timeout=300s "gateway/$gateway"
  address="$(kubectl --namespace "$DEMO_NAMESPACE" get gateway "$gateway" -o jsonpath='{.status.addresses[0].value}')"
  port="$(kubectl --namespace "$DEMO_NAMESPACE" get gateway "$gateway" -o jsonpath='{.spec.listeners[0].port}')"
  host="$(kubectl --namespace "$DEMO_NAMESPACE" get httproute "whoami-$gateway" -o jsonpath='{.spec.hostnames[0]}')"
  target="127.0.0.1"
  if [ "${GATEPLANE_DEMO_VIA:-}" = "address" ]; then target="$address"; fi

  echo "Gateway $gateway is Programmed with address $address; curl -H 'Host: $host' http://$target:$port/"
  reply="$(curl --fail --silent --show-error --max-time 5 --retry 10 --retry-delay 2 --retry-all-errors \
    --header "Host: $host" "http://$target:$port/")"
  echo "$reply"
  grep -q "^Host: $host" <<<"$reply" || {
    echo "k3d-demo: the reply through $gateway does not echo Host: $host" >&2
    exit 1
  }
  code="$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 5 \
    --header "Host: unknown.example.com" "http://$target:$port/")"
  [ "$code" = "404" ] || {
    echo "k3d-demo: $gateway answered $code for an unknown host, not 404" >&2
    exit 1
  }
done
echo "Both Gateways serve their routes."
