#!/bin/sh
# install-deps.sh - install the Debian packages dqp needs; idempotent.
# Installs only what is missing; uses sudo when not root. Debian packages only.
set -eu
PKGS="build-essential cmake pkg-config libsuitesparse-dev libmumps-seq-dev
libopenblas-dev liblapack-dev libomp-dev clang libclang-rt-14-dev valgrind binutils
coinor-libipopt-dev coinor-libclp-dev
python3 python3-numpy python3-scipy python3-torch python3-pytest python3-cvxopt"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
