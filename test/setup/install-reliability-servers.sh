#!/usr/bin/env bash
# The reliability suite's servers: everything the end-to-end tests use, and
# PostgreSQL with PowerDNS's PostgreSQL backend (the backend production
# PowerDNS runs on), for the several-writers run. Services are never started
# by the packages: the suite runs its own instances on loopback.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/install-dns-servers.sh"

need=()
[ -f /usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql ] || need+=(pdns-backend-pgsql)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "The reliability suite needs these Debian packages: ${need[*]}. Install them as root:" >&2
  echo "  apt-get update && apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "Installing ${need[*]} for the reliability suite" >&2
policy=/usr/sbin/policy-rc.d
created_policy=no
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=yes
fi
trap '[ "$created_policy" = yes ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq -o Acquire::Retries=5
apt-get -o DPkg::Lock::Timeout=600 install -y -qq -o Acquire::Retries=5 --no-install-recommends "${need[@]}" >/dev/null
