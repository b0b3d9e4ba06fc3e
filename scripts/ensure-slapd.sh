#!/usr/bin/env bash
# Makes sure the OpenLDAP server binary (slapd) and its tools (ldapadd, ldapmodify, slapadd) are
# installed, for the LDAP tests (test/helpers/slapd.ts starts a private slapd per test run on a
# free loopback port). Installs them from Debian's packages when missing. It never starts,
# enables or configures the system slapd service: the tests bring their own config and data.
# Idempotent.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"

have() { command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ]; }
tools() { command -v ldapmodify >/dev/null 2>&1; }

if have && tools; then
  echo "ensure-slapd: slapd and ldap-utils are installed"
  exit 0
fi

# no default directory: the package's postinst then creates no database and starts nothing
APT_PRESEED='slapd slapd/no_configuration boolean true' apt_install ensure-slapd slapd ldap-utils

if ! have || ! tools; then
  echo "ensure-slapd: slapd or ldap-utils still missing after installing them" >&2
  exit 1
fi
echo "ensure-slapd: slapd and ldap-utils are installed"
