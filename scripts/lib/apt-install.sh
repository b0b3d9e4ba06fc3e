# Sourced by scripts/ensure-*.sh: installs Debian packages for a test service without ever
# starting the system's own copy of that service (the tests bring their own config and data).
#   apt_install <label> <package>...   exits 1 with a clear message when it cannot install
apt_install() {
  local label="$1"; shift
  local sudo=
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=sudo
    else
      echo "$label: $* missing and this is neither root nor passwordless sudo;" >&2
      echo "$label: install them with: apt-get install $*" >&2
      exit 1
    fi
  fi
  echo "$label: installing $* from apt (no system service is started)"
  export DEBIAN_FRONTEND=noninteractive
  # a postinst that tries to start a service asks policy-rc.d first: 101 = action forbidden
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    own_policy=1
  fi
  local ok=0
  if [ -n "${APT_PRESEED:-}" ]; then echo "$APT_PRESEED" | $sudo debconf-set-selections; fi
  $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends "$@" && ok=1
  if [ "$own_policy" -eq 1 ]; then $sudo rm -f "$policy"; fi
  if [ "$ok" -ne 1 ]; then
    echo "$label: could not install $* with apt-get (no network or no Debian mirror?)" >&2
    exit 1
  fi
}
