#!/usr/bin/env bash
# Makes sure the OpenLDAP server binary (slapd) and its tools (ldapadd, ldapmodify, slapadd) are
# installed, for the LDAP tests (test/helpers/slapd.ts starts a private slapd per test run on a
# free loopback port). Installs them from Debian's packages when missing. It never starts,
# enables or configures the system slapd service: the tests bring their own config and data.
# Idempotent.
set -euo pipefail

have() { command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ]; }
tools() { command -v ldapmodify >/dev/null 2>&1; }

if have && tools; then
  echo "ensure-slapd: slapd and ldap-utils are installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "ensure-slapd: slapd/ldap-utils are missing and this is neither root nor passwordless sudo;" >&2
    echo "ensure-slapd: install them with: apt-get install slapd ldap-utils" >&2
    exit 1
  fi
else
  SUDO=
fi

echo "ensure-slapd: installing slapd and ldap-utils from apt (the system service stays off)"
export DEBIAN_FRONTEND=noninteractive
# no default directory: the package's postinst then creates no database and starts nothing
echo 'slapd slapd/no_configuration boolean true' | $SUDO debconf-set-selections
# and should a postinst still try, invoke-rc.d asks policy-rc.d first: 101 = action forbidden
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if [ "$own_policy" -eq 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends slapd ldap-utils; }; then
  echo "ensure-slapd: could not install slapd/ldap-utils with apt-get (no network or no Debian mirror?)" >&2
  exit 1
fi

if ! have || ! tools; then
  echo "ensure-slapd: slapd or ldap-utils still missing after installing them" >&2
  exit 1
fi
echo "ensure-slapd: slapd and ldap-utils are installed"
