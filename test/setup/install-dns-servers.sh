#!/usr/bin/env bash
# Installs the real DNS servers the end-to-end tests start (PowerDNS with its
# SQLite backend, BIND 9 and its tools), when any is missing. Safe to run
# again: it does nothing when all are present. Services are never started by
# the packages: the tests run their own instances on loopback ports.
set -euo pipefail

need=()
command -v pdns_server >/dev/null 2>&1 || need+=(pdns-server)
[ -f /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql ] || need+=(pdns-backend-sqlite3)
command -v named >/dev/null 2>&1 || need+=(bind9)
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v named-checkzone >/dev/null 2>&1 || need+=(bind9-utils)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these Debian packages: ${need[*]}. Install them as root:" >&2
  echo "  apt-get update && apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "Installing ${need[*]} for the end-to-end tests" >&2
# Keep the packages from starting system daemons on port 53 during install.
policy=/usr/sbin/policy-rc.d
created_policy=no
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=yes
fi
trap '[ "$created_policy" = yes ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o Acquire::Retries=5
apt-get install -y -qq -o Acquire::Retries=5 --no-install-recommends "${need[@]}" >/dev/null
