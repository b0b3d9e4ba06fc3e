#!/usr/bin/env bash
# Makes sure rsyslogd and its TLS driver (rsyslog-gnutls) are installed, for the syslog export
# test (test/security/siem-syslog.test.ts starts a private rsyslogd with its own config on a free
# loopback port). Installs them from Debian's packages when missing. It never starts, enables or
# configures the system rsyslog service: the test brings its own config, pid file and output.
# Idempotent; fails loudly rather than letting the test skip.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"

have() { command -v rsyslogd >/dev/null 2>&1 || [ -x /usr/sbin/rsyslogd ]; }
gtls() { compgen -G "/usr/lib/*/rsyslog/lmnsd_gtls.so" >/dev/null || [ -e /usr/lib/rsyslog/lmnsd_gtls.so ]; }

if have && gtls; then
  echo "ensure-rsyslog: rsyslog and rsyslog-gnutls are installed"
  exit 0
fi

apt_install ensure-rsyslog rsyslog rsyslog-gnutls

if ! have || ! gtls; then
  echo "ensure-rsyslog: rsyslogd or its gtls driver still missing after installing them" >&2
  exit 1
fi
echo "ensure-rsyslog: rsyslog and rsyslog-gnutls are installed"
