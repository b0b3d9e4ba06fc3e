#!/usr/bin/env bash
# Makes sure rsyslogd and its TLS driver (rsyslog-gnutls) are installed, for the syslog export
# test (test/security/siem-syslog.test.ts starts a private rsyslogd with its own config on a free
# loopback port). Installs them from Debian's packages when missing. It never starts, enables or
# configures the system rsyslog service: the test brings its own config, pid file and output.
# Idempotent; fails loudly rather than letting the test skip.
set -euo pipefail

have() { command -v rsyslogd >/dev/null 2>&1 || [ -x /usr/sbin/rsyslogd ]; }
gtls() { compgen -G "/usr/lib/*/rsyslog/lmnsd_gtls.so" >/dev/null || [ -e /usr/lib/rsyslog/lmnsd_gtls.so ]; }

if have && gtls; then
  echo "ensure-rsyslog: rsyslog and rsyslog-gnutls are installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "ensure-rsyslog: rsyslog/rsyslog-gnutls are missing and this is neither root nor passwordless sudo;" >&2
    echo "ensure-rsyslog: install them with: apt-get install rsyslog rsyslog-gnutls" >&2
    exit 1
  fi
else
  SUDO=
fi

echo "ensure-rsyslog: installing rsyslog and rsyslog-gnutls from apt (the system service stays off)"
export DEBIAN_FRONTEND=noninteractive
# a postinst that tries to start the service asks policy-rc.d first: 101 = action forbidden
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if [ "$own_policy" -eq 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends rsyslog rsyslog-gnutls; }; then
  echo "ensure-rsyslog: could not install rsyslog/rsyslog-gnutls with apt-get (no network or no Debian mirror?)" >&2
  exit 1
fi

if ! have || ! gtls; then
  echo "ensure-rsyslog: rsyslogd or its gtls driver still missing after installing them" >&2
  exit 1
fi
echo "ensure-rsyslog: rsyslog and rsyslog-gnutls are installed"
