#!/usr/bin/env bash
# Sourced by the install-*.sh scripts: the one way the test setup installs
# Debian packages. It never lets a package start its service (the tests run
# their own instances on loopback ports, and a system BIND or PowerDNS would
# take port 53), waits for another apt run to finish rather than failing, and
# updates the package lists once per script run.

apt_get() { apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=5 "$@"; }

debian_lists_updated=no
update_debian_lists() {
  [ "$debian_lists_updated" = yes ] && return 0
  apt_get update -qq
  debian_lists_updated=yes
}

# install_debian_packages "<who needs them>" "<command to run as root>" PACKAGE...
install_debian_packages() {
  local purpose="$1" as_root="$2"
  shift 2
  [ $# -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Debian packages missing for $purpose: $*. Install them as root:" >&2
    echo "  $as_root" >&2
    exit 1
  fi
  echo "Installing $* for $purpose" >&2
  local policy=/usr/sbin/policy-rc.d created_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=yes
  fi
  export DEBIAN_FRONTEND=noninteractive
  local status=0
  update_debian_lists && apt_get install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
  [ "$created_policy" = yes ] && rm -f "$policy"
  return "$status"
}
