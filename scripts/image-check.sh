#!/usr/bin/env bash
# Builds the container image from the unchanged Dockerfile with podman, runs it as deploy/README.md says (on
# loopback), and checks it as an operator would: /readyz, the host's boot time and mount table, the non-root user,
# the read-only root, the image's contents (no npm, no .d.ts/.js.map, the labels, file modes), the HEALTHCHECK, and
# a clean stop on SIGTERM. Also runs once without --pid=host: the host's procfs at /host/proc still shows the host.
#
#   scripts/image-check.sh          # needs root, podman, runc, debootstrap, npm, curl
#
# The base image node:20-bookworm-slim is made locally by scripts/make-node-base.sh when podman has none (no
# container registry is reachable here). Prints `image-check: ok` and figures (build time, image size) at the end;
# exits non-zero at the first failed check. Environment:
#   PODMAN_RUNTIME (default /usr/sbin/runc where it exists: crun is not usable on this project's machines),
#   IMAGE (default localhost/psutil-exporter:check), KEEP_IMAGE=1 keeps the built image.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${IMAGE:-localhost/psutil-exporter:check}
runtime=${PODMAN_RUNTIME:-}
[ -z "$runtime" ] && [ -x /usr/sbin/runc ] && runtime=/usr/sbin/runc
pod=(podman)
[ -n "$runtime" ] && pod+=(--runtime "$runtime")
name="psx-image-check-$$"
# This machine's sandbox refuses podman's default rlimits (runc: "error setting rlimit type 7/6: operation not
# permitted"): nofile and nproc within the hard limits it allows. Override with ULIMITS="--ulimit ...".
read -r -a limits <<<"${ULIMITS:---ulimit nofile=1024:20000 --ulimit nproc=4096:4096}"
fail() { echo "image-check: FAIL: $*" >&2; exit 1; }
step() { echo "image-check: $*"; }

cleanup() {
  "${pod[@]}" rm -f -t 0 "$name" >/dev/null 2>&1 || true
  [ "${KEEP_IMAGE:-0}" = 1 ] || "${pod[@]}" rmi -f "$image" >/dev/null 2>&1 || true
}
trap cleanup EXIT

t0=$(date +%s)
bash scripts/make-node-base.sh
t1=$(date +%s)

step "podman build (Dockerfile unchanged)"
version=$(node -p "require('./package.json').version")
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# --format docker: HEALTHCHECK is part of Docker's image format only (OCI images drop it).
"${pod[@]}" build --format docker --ulimit nofile=1024:20000 \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg SOURCE=https://example.invalid/psutil-exporter \
  -t "$image" . >/tmp/image-check-build.$$.log 2>&1 || { tail -30 /tmp/image-check-build.$$.log >&2; rm -f /tmp/image-check-build.$$.log; fail "podman build"; }
rm -f /tmp/image-check-build.$$.log
t2=$(date +%s)
size=$("${pod[@]}" image inspect --format '{{.Size}}' "$image")
base_size=$("${pod[@]}" image inspect --format '{{.Size}}' docker.io/library/node:20-bookworm-slim)

step "image contents"
label() { "${pod[@]}" image inspect --format "{{index .Labels \"org.opencontainers.image.$1\"}}" "$image"; }
[ "$(label version)" = "$version" ] || fail "label version is '$(label version)', want $version"
[ "$(label revision)" = "$revision" ] || fail "label revision is '$(label revision)', want $revision"
[ -n "$(label source)" ] || fail "no source label"
[ -n "$("${pod[@]}" image inspect --format '{{.Config.Healthcheck}}' "$image" | grep -v '<nil>')" ] || fail "no HEALTHCHECK in the image"
inside() { "${pod[@]}" run --rm --network none --no-healthcheck "${limits[@]}" --entrypoint /bin/sh "$image" -c "$1"; }
inside '! command -v npm && ! command -v npx && [ ! -e /usr/local/lib/node_modules/npm ]' || fail "npm or npx in the runtime image"
[ -z "$(inside "find /app/dist -name '*.d.ts' -o -name '*.map'")" ] || fail "/app/dist holds .d.ts or .map files"
[ -n "$(inside "find /app/dist -name '*.js'")" ] || fail "/app/dist holds no .js files"
# Owned by root, not writable by anyone else (the Dockerfile's text).
bad=$(inside "find /app \\( ! -user 0 -o \\( -perm /022 ! -type l \\) \\) -print | head -5")
[ -z "$bad" ] || fail "files not root-owned or writable by others: $bad"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
step "run as deploy/README.md says, on 127.0.0.1:$port"
# deploy/README.md's command, with the listen address on loopback and podman's runtime/ulimit needs on this machine.
"${pod[@]}" run -d --name "$name" --pid=host --net=host \
  -v /proc:/host/proc:ro -v /sys:/host/sys:ro -v /:/host/root:ro,rslave \
  --read-only --cap-drop=ALL "${limits[@]}" \
  -e HEALTHCHECK_URL="http://127.0.0.1:$port/healthz" \
  "$image" --config.file=/app/config/default.yaml --web.listen-address="127.0.0.1:$port" >/dev/null

ready=0
t3=$(date +%s%N)
for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null; then ready=1; break; fi
  [ "$("${pod[@]}" inspect --format '{{.State.Running}}' "$name")" = true ] || { "${pod[@]}" logs "$name" >&2; fail "the container exited"; }
  sleep 0.5
done
[ "$ready" = 1 ] || { "${pod[@]}" logs "$name" >&2; fail "/readyz not 200 within 60 s"; }
ready_ms=$(( ($(date +%s%N) - t3) / 1000000 ))
metrics=$(curl -fsS --max-time 30 "http://127.0.0.1:$port/metrics")

step "the host's boot time and mounts"
btime=$(awk '/^btime /{print $2}' /proc/stat)
boot=$(awk '/^node_boot_time_seconds /{printf "%d", $2}' <<<"$metrics")
[ "$boot" = "$btime" ] || fail "node_boot_time_seconds $boot, the host's btime $btime"
mounts=$(grep -o '^node_filesystem_size_bytes{[^}]*}' <<<"$metrics" | grep -o 'mountpoint="[^"]*"' | sed 's/mountpoint="//; s/"$//' | sort -u)
grep -qx / <<<"$mounts" || fail "no filesystem for / (mounts: $mounts)"
! grep -q '^/host/' <<<"$mounts" || fail "mount points keep the /host/root prefix: $mounts"
host_mounts=$(awk '{print $5}' /proc/1/mountinfo | sort -u)
while read -r m; do
  grep -qxF "$m" <<<"$host_mounts" || fail "mount point $m is not one of the host's"
done <<<"$mounts"

step "non-root, read-only root"
pid=$("${pod[@]}" inspect --format '{{.State.Pid}}' "$name")
uid=$(awk '/^Uid:/{print $2}' "/proc/$pid/status")
[ "$uid" = 65534 ] || fail "the agent runs as uid $uid"
[ "$("${pod[@]}" inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name")" = true ] || fail "root file system not read-only"
if "${pod[@]}" exec "$name" /bin/sh -c 'echo x > /app/probe' 2>/dev/null; then fail "/app is writable"; fi
"${pod[@]}" healthcheck run "$name" >/dev/null || fail "the HEALTHCHECK failed"

step "stop on SIGTERM"
t4=$(date +%s%N)
"${pod[@]}" stop -t 20 "$name" >/dev/null
stop_ms=$(( ($(date +%s%N) - t4) / 1000000 ))
code=$("${pod[@]}" inspect --format '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || { "${pod[@]}" logs "$name" | tail -5 >&2; fail "exit code $code after SIGTERM (137: it had to be killed)"; }

step "without --pid=host: the host's procfs at /host/proc still shows the host"
# Process groups by comm (process-exporter's packaged default), from a config file mounted read-only.
cfg=$(mktemp /tmp/image-check-config.XXXXXX.yaml)
trap 'rm -f "$cfg"; cleanup' EXIT
printf '%s\n' 'process_names:' '  - name: "{{.Comm}}"' '    cmdline: [".+"]' >"$cfg"
chmod 0644 "$cfg"
once=$("${pod[@]}" run --rm --no-healthcheck --net=host -v /proc:/host/proc:ro -v /sys:/host/sys:ro -v /:/host/root:ro,rslave \
  -v "$cfg:/etc/psutil-exporter.yaml:ro" --read-only --cap-drop=ALL "${limits[@]}" "$image" \
  --config.file=/etc/psutil-exporter.yaml --log.level=error --once)
[ "$(awk '/^node_boot_time_seconds /{printf "%d", $2}' <<<"$once")" = "$btime" ] || fail "boot time without --pid=host"
grep -q '^node_filesystem_size_bytes{[^}]*mountpoint="/"' <<<"$once" || fail "no / filesystem without --pid=host"
# conmon, podman's monitor, is a host process outside the container's PID namespace: seen only through the host's procfs.
grep -Eq '^namedprocess_namegroup_num_procs\{groupname="conmon"\} [1-9]' <<<"$once" \
  || fail "the host's processes (conmon) not seen without --pid=host: $(grep -c '^namedprocess_namegroup_num_procs' <<<"$once") groups"

step "start-up inside the container: exec -> /readyz (bench/container-startup.js, ${STARTUP_RUNS:-10} starts)"
# The image's own command, timed from inside (no runtime's start in the figure), on the container's loopback.
startup=$("${pod[@]}" run --rm --no-healthcheck --network none -v /proc:/host/proc:ro -v /sys:/host/sys:ro \
  -v /:/host/root:ro,rslave -v "$PWD/bench/container-startup.js:/bench/container-startup.js:ro" \
  --read-only --cap-drop=ALL "${limits[@]}" -e BENCH_RUNS="${STARTUP_RUNS:-10}" --entrypoint node "$image" \
  /bench/container-startup.js) || fail "start-up inside the container"
startup_ms=$(node -p "JSON.parse(process.argv[1]).readyMs" "$startup")
startup_cpu=$(node -p "JSON.parse(process.argv[1]).cpuMs" "$startup")
step "start-up: $startup"

echo "image-check: ok: base $((t1 - t0)) s, build $((t2 - t1)) s, image $((size / 1000000)) MB (base $((base_size / 1000000)) MB), ready in $ready_ms ms (exec -> /readyz inside: $startup_ms ms, $startup_cpu ms of CPU), stopped in $stop_ms ms"
