#!/usr/bin/env bash
# The quickstart: installs what is missing, starts echo backends for examples/quickstart, and
# runs `gateplane standalone` on it with --watch until Ctrl-C. Pass --driver haproxy to use
# HAProxy instead of nginx; other arguments go to `gateplane standalone`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/install-deps.sh
exec node --import tsx hack/quickstart.ts "$@"
