#!/usr/bin/env bash
# The test command: installs what is missing (nginx, HAProxy, npm packages), then runs the
# whole suite: the type check, unit tests, and integration tests with real proxies. The last
# line printed is `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/install-deps.sh >&2
exec npm test --silent -- "$@"
