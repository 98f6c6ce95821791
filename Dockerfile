# psutil-exporter: the agent as a container image.
#
#   docker build -t psutil-exporter \
#     --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
#   docker run -d --name psutil-exporter --pid=host --net=host \
#     -v /proc:/host/proc:ro -v /sys:/host/sys:ro -v /:/host/root:ro,rslave \
#     --read-only --cap-drop=ALL psutil-exporter
#
# The entrypoint reads the host through /host/proc, /host/sys and /host/root (node_exporter's container habit):
# mount them read-only as above. The host's /proc mounted at /host/proc is the host's procfs, so the agent sees the
# host's processes and the host's mount table (/host/proc/1/mountinfo) with or without --pid=host. --pid=host is
# needed only by the admin API, whose pids must be the ones kill(2) reaches. To run on the container's own view
# instead, pass the flags again: the last one wins (`... psutil-exporter --path.procfs=/proc --path.sysfs=/sys
# --path.rootfs=/`).
# The default command uses config/default.yaml; mount a file and pass --config.file=FILE to use another.
# Kubernetes: deploy/helm/psutil-exporter (a DaemonSet); see deploy/README.md.
#
# The base is an ARG so that it can be pinned by digest:
#   --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:<digest>
# HEALTHCHECK is a Docker image-format instruction: podman/buildah keep it only with `--format docker`.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: the TypeScript compiler and the dev dependencies stay in this stage ----
FROM ${NODE_IMAGE} AS build
# No "new version of npm available" notice in the build log.
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: every dependency ships ready to run (koffi's native code comes in an optional package),
# and nothing may need a compiler here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY config/schema.json ./config/
# Then the config schema's validator, generated (scripts/gen-validator.js's step: src/config/validator.ts says why).
# Declarations and source maps are for the npm package, not the image.
RUN npx tsc -p tsconfig.build.json \
 && node -e "require('./dist/config/validator.js').writeValidator('config/schema.json', 'dist/config')" \
 && find dist \( -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.js.map' \) -delete

# ---- production dependencies ----
FROM ${NODE_IMAGE} AS deps
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev only. Never --omit=optional: koffi's prebuilt native code (@koromix/koffi-linux-<arch>) is an
# optional dependency, and without it every libc call of the library fails. The require() below makes the image
# build fail here rather than the agent at run time.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && node -e "require('koffi')"

# ---- runtime ----
FROM ${NODE_IMAGE}
# Set by the release build: the agent's version (package.json, checked by test/deploy), the source repository URL
# and the commit (--build-arg SOURCE=... --build-arg REVISION=$(git rev-parse HEAD)); empty labels otherwise.
ARG VERSION=0.1.0
ARG SOURCE=""
ARG REVISION=""
LABEL org.opencontainers.image.title="psutil-exporter" \
      org.opencontainers.image.description="Host and process-group metrics: Prometheus /metrics (node_exporter and process-exporter names) and OTLP push" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}"
ENV NODE_ENV=production
# The agent needs node only: npm, npx and yarn (and their ~15 MB) leave the runtime image's file system. The base
# layer still holds them, so the image is no smaller for it (deploy/README.md, "Image size").
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /usr/local/include/node \
 && ! command -v npm && ! command -v npx
WORKDIR /app
# Everything below is owned by root, world-readable (files 0644, directories 0755) and not writable by the agent's
# user: the agent writes nothing at run time, so the container runs with a read-only root filesystem.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# config/schema.json is read at run time (config validation); config/default.yaml is the default command's file.
COPY config ./config
# nobody:nogroup. The read path needs no privilege; the admin API's capabilities are granted by the runtime
# (deploy/README.md, "Admin API").
USER 65534:65534
EXPOSE 9464
# /healthz on the default listen address, with node (the image has no curl or wget). Set HEALTHCHECK_URL (or
# --health-cmd) when --web.listen-address moves the port or the address.
ENV HEALTHCHECK_URL=http://127.0.0.1:9464/healthz
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "require('http').get(process.env.HEALTHCHECK_URL,r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).setTimeout(4000,function(){this.destroy(new Error('timeout'))})"]
# --max-semi-space-size=1 keeps the main heap's young generation at 1 MB semi-spaces (V8 grows it to 16 MB ones,
# resident: about 8-11 MB more); src/exporters/v8mode.ts has the figures (AGENT_NODE_FLAGS, checked by the tests).
ENTRYPOINT ["node", "--max-semi-space-size=1", "/app/dist/cli.js", "--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"]
CMD ["--config.file=/app/config/default.yaml"]
