#!/usr/bin/env bash
# Installs what the shipping tests use (test/shipping): a container runtime
# that works as root without a daemon (podman with runc, buildah, skopeo) to
# build and run the Dockerfile, and Prometheus with promtool. Prometheus is
# unpacked from Debian's package with dpkg -x instead of installed, so no
# service is set up: the tests start their own on loopback.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail
. "$(dirname "$0")/debian-packages.sh"

tools_dir="${DNSGATE_TEST_TOOLS_DIR:-/var/cache/dnsgate-test-tools}"
prometheus_root="$tools_dir/prometheus"

need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v runc >/dev/null 2>&1 || need+=(runc)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v ldd >/dev/null 2>&1 || need+=(libc-bin)
# The README test runs the documented commands in a network namespace of their own.
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v curl >/dev/null 2>&1 || need+=(curl)
need_prometheus=no
[ -x "$prometheus_root/usr/bin/prometheus" ] && [ -x "$prometheus_root/usr/bin/promtool" ] || need_prometheus=yes
[ ${#need[@]} -eq 0 ] && [ "$need_prometheus" = no ] && exit 0

if [ "$need_prometheus" = yes ] && [ "$(id -u)" -ne 0 ]; then
  echo "The shipping tests need prometheus (unpacked into $prometheus_root). As root:" >&2
  echo "  bash test/setup/install-shipping-tools.sh" >&2
  exit 1
fi
install_debian_packages "the shipping tests" "bash test/setup/install-shipping-tools.sh" ${need[@]+"${need[@]}"}
if [ "$need_prometheus" = yes ]; then
  echo "Unpacking Debian's prometheus package into $prometheus_root" >&2
  update_debian_lists
  download="$(mktemp -d)"
  trap 'rm -rf "$download"' EXIT
  (cd "$download" && apt_get download -qq prometheus >/dev/null)
  mkdir -p "$prometheus_root"
  dpkg -x "$download"/prometheus_*.deb "$prometheus_root"
fi
