# The gateplane image: the operator (`gateplane run`), the agent (`gateplane agent`) and, as the
# default proxy image, Debian's nginx and HAProxy. One image for all three keeps what the
# operator validates with (nginx -t / haproxy -c) identical to what the proxies run.
#
# gateplane runs compiled: dist/ (`npm run build`, tsc's output of the same sources, which the
# integration tests also run through bin/gateplane.js once `npm ci` has built it). The sources
# stay in the image beside it; bin/gateplane.js would fall back to them only if they were newer.

# ---- build: compile, then keep production dependencies only ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts yet: `prepare` builds dist/, which needs the sources copied below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY hack/build.mjs hack/
COPY bin/ bin/
COPY operator/ operator/
COPY drivers/ drivers/
COPY templates/ templates/
RUN npm run build && npm prune --omit=dev --no-audit --no-fund
RUN chmod 0755 bin/gateplane.js
# Every module the command line imports must load with production dependencies only, compiled.
RUN node bin/gateplane.js --version | grep -F '(compiled)' && node bin/gateplane.js --help >/dev/null

# ---- runtime ----
FROM debian:bookworm-slim
# The user first, so uid and gid 101 are still free: the packages below allocate system ids.
RUN groupadd --system --gid 101 gateplane \
 && useradd --system --uid 101 --gid 101 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin gateplane
# Debian's nginx and HAProxy, the versions the integration tests run. policy-rc.d stops the
# packages' scripts from starting the services during the build.
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d \
 && chmod 0755 /usr/sbin/policy-rc.d \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nginx haproxy libstdc++6 \
 && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d \
 && mkdir -p /var/run/gateplane \
 && chown 101:101 /var/run/gateplane
COPY --from=build /usr/local/bin/node /usr/local/bin/node
# Owned by root and read-only to the runtime user. `gateplane` on the PATH is what the proxy
# pods' agent container runs (command: gateplane agent); bin/gateplane.js starts with
# #!/usr/bin/env node.
COPY --from=build /app /app
RUN ln -s /app/bin/gateplane.js /usr/local/bin/gateplane
# Should the sources ever run (dist/ older than them), tsx caches compiled modules under the temp
# folder unless told not to; with a read-only root filesystem and no writable /tmp (the agent
# container) that would fail at start.
ENV NODE_ENV=production \
    TSX_DISABLE_CACHE=1
WORKDIR /app
# Numeric, so the kubelet can verify runAsNonRoot without reading /etc/passwd.
USER 101:101
# The proxy container overrides this with its `sh -c` wait loop (dash, Debian's /bin/sh).
ENTRYPOINT ["node", "/app/bin/gateplane.js"]
CMD ["--help"]
