#!/usr/bin/env bash
# The reliability suite's servers: everything the end-to-end tests use, and
# PostgreSQL with PowerDNS's PostgreSQL backend (the backend production
# PowerDNS runs on), for the several-writers run. Services are never started
# by the packages: the suite runs its own instances on loopback.
set -euo pipefail
here="$(dirname "$0")"
. "$here/debian-packages.sh"
bash "$here/install-dns-servers.sh"

need=()
[ -f /usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql ] || need+=(pdns-backend-pgsql)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
install_debian_packages "the reliability suite" "bash test/setup/install-reliability-servers.sh" ${need[@]+"${need[@]}"}
