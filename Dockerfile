# dnsgate: the ExternalDNS webhook sidecar.
#
#   docker build -t dnsgate .        (or: podman build -t dnsgate .)
#
# Any image with Node 24 as `node` on PATH (and /bin/sh for the RUN steps)
# can stand in for the two bases: --build-arg BUILD_IMAGE=… RUNTIME_IMAGE=…
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=node:24-bookworm-slim

# Compiles every workspace with the dev dependencies (TypeScript).
FROM ${BUILD_IMAGE} AS build
# Only for a build behind a TLS-intercepting proxy: a CA bundle mounted at
# build time. Declared in the build stages only, so it never reaches the image.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
COPY apps/gateway/package.json apps/gateway/
COPY libs/protocol/package.json libs/protocol/
COPY libs/plugin-sdk/package.json libs/plugin-sdk/
COPY plugins/file/package.json plugins/file/
COPY plugins/powerdns/package.json plugins/powerdns/
COPY plugins/rfc2136/package.json plugins/rfc2136/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json tsconfig.json ./
COPY apps/gateway/tsconfig.json apps/gateway/
COPY apps/gateway/src apps/gateway/src
COPY libs/protocol/tsconfig.json libs/protocol/
COPY libs/protocol/src libs/protocol/src
COPY libs/plugin-sdk/tsconfig.json libs/plugin-sdk/
COPY libs/plugin-sdk/src libs/plugin-sdk/src
COPY plugins/file/tsconfig.json plugins/file/
COPY plugins/file/src plugins/file/src
COPY plugins/powerdns/tsconfig.json plugins/powerdns/
COPY plugins/powerdns/src plugins/powerdns/src
COPY plugins/rfc2136/tsconfig.json plugins/rfc2136/
COPY plugins/rfc2136/src plugins/rfc2136/src
RUN npm run build

# The same installation without the dev dependencies: pruned offline, so
# production runs exactly the versions the build was compiled against.
# --omit=optional too: fast-check, the SDK testkit's optional peer, is not needed to serve.
FROM build AS production-dependencies
RUN npm prune --offline --omit=dev --omit=optional --no-audit --no-fund --ignore-scripts

# Node, the production dependencies and the compiled output: no compiler, no
# sources, no npm at run time.
FROM ${RUNTIME_IMAGE}
WORKDIR /app
ENV NODE_ENV=production \
    DNSGATE_FILE_DIR=/data/zones
COPY --from=production-dependencies /src/package.json /src/package-lock.json ./
COPY --from=production-dependencies /src/node_modules node_modules
COPY --from=production-dependencies /src/apps/gateway/package.json apps/gateway/
COPY --from=production-dependencies /src/libs/protocol/package.json libs/protocol/
COPY --from=production-dependencies /src/libs/plugin-sdk/package.json libs/plugin-sdk/
COPY --from=production-dependencies /src/plugins/file/package.json plugins/file/
COPY --from=production-dependencies /src/plugins/powerdns/package.json plugins/powerdns/
COPY --from=production-dependencies /src/plugins/rfc2136/package.json plugins/rfc2136/
COPY --from=build /src/apps/gateway/dist apps/gateway/dist
COPY --from=build /src/libs/protocol/dist libs/protocol/dist
COPY --from=build /src/libs/plugin-sdk/dist libs/plugin-sdk/dist
COPY --from=build /src/plugins/file/dist plugins/file/dist
COPY --from=build /src/plugins/powerdns/dist plugins/powerdns/dist
COPY --from=build /src/plugins/rfc2136/dist plugins/rfc2136/dist
# The mount point of the zone files, owned by the user below: a new named
# volume takes this ownership, so the file plugin can write to it. (node, not
# mkdir/chown: the runtime base needs nothing but node and /bin/sh.)
RUN node -e "const fs = require('node:fs'); fs.mkdirSync('/data/zones', { recursive: true }); fs.chownSync('/data', 10001, 10001); fs.chownSync('/data/zones', 10001, 10001)"
# A numeric user, so that it runs on any base (with or without an /etc/passwd
# entry) and Kubernetes' runAsNonRoot can verify it. The file plugin writes
# only below /data/zones: mount a volume there, and the root file system can
# stay read-only.
USER 10001:10001
# 8888: the webhook API (on loopback unless DNSGATE_WEBHOOK_HOST says otherwise);
# 8080: /healthz, /readyz and /metrics.
EXPOSE 8888 8080
CMD ["node", "apps/gateway/dist/main.js"]
