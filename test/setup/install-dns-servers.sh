#!/usr/bin/env bash
# Installs the real DNS servers the end-to-end tests start (PowerDNS with its
# SQLite backend, BIND 9 and its tools), when any is missing. Safe to run
# again: it does nothing when all are present. Services are never started by
# the packages: the tests run their own instances on loopback ports.
set -euo pipefail
. "$(dirname "$0")/debian-packages.sh"

need=()
command -v pdns_server >/dev/null 2>&1 || need+=(pdns-server)
[ -f /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql ] || need+=(pdns-backend-sqlite3)
command -v named >/dev/null 2>&1 || need+=(bind9)
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v named-checkzone >/dev/null 2>&1 || need+=(bind9-utils)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
install_debian_packages "the end-to-end tests" "bash test/setup/install-dns-servers.sh" ${need[@]+"${need[@]}"}
