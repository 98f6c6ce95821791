# psutil-exporter: the agent as a container image.
#
#   docker build -t psutil-exporter .
#   docker run -d --name psutil-exporter --pid=host --net=host \
#     -v /proc:/host/proc:ro -v /sys:/host/sys:ro -v /:/host/root:ro,rslave \
#     --read-only --cap-drop=ALL psutil-exporter
#
# The entrypoint reads the host through /host/proc, /host/sys and /host/root (node_exporter's container habit):
# mount them read-only as above. --pid=host is needed for the host's mount table (/host/proc/1/mountinfo) and for
# process groups of the host's processes. To run on the container's own view instead, pass the flags again: the
# last one wins (`... psutil-exporter --path.procfs=/proc --path.sysfs=/sys --path.rootfs=/`).
# The default command uses config/default.yaml; mount a file and pass --config.file=FILE to use another.
# Kubernetes: deploy/helm/psutil-exporter (a DaemonSet); see deploy/README.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: the TypeScript compiler and the dev dependencies stay in this stage ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: every dependency ships ready to run (koffi's native code comes in an optional package),
# and nothing may need a compiler here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# ---- production dependencies ----
FROM ${NODE_IMAGE} AS deps
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
LABEL org.opencontainers.image.title="psutil-exporter" \
      org.opencontainers.image.description="Host and process-group metrics: Prometheus /metrics (node_exporter and process-exporter names) and OTLP push" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
# Everything below is owned by root and only readable by the agent's user: the agent writes nothing at run time,
# so the container runs with a read-only root filesystem.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# config/schema.json is read at run time (config validation); config/default.yaml is the default command's file.
COPY config ./config
# nobody:nogroup. The read path needs no privilege; the admin API's capabilities are granted by the runtime
# (deploy/README.md, "Admin API").
USER 65534:65534
EXPOSE 9464
ENTRYPOINT ["node", "/app/dist/cli.js", "--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"]
CMD ["--config.file=/app/config/default.yaml"]
