#!/bin/sh
# Makes sure the Debian packages dmasim builds and tests with are present.
# Installs what is missing with apt-get (as root, or through sudo without a
# password); otherwise says exactly what to install and fails.
set -eu

PKGS="libyaml-dev check libjson-c-dev gnuplot-nox pkg-config chromium"
missing=""
have_pc() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }

command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
have_pc yaml-0.1 || missing="$missing libyaml-dev"
have_pc check    || missing="$missing check"
have_pc json-c   || missing="$missing libjson-c-dev"
command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
# headless Chromium renders the HTML report in make test
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"

[ -z "$missing" ] && exit 0

echo "dmasim: missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "dmasim: cannot install packages (not root, no password-less sudo)." >&2
    echo "dmasim: run: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "dmasim: installing them with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
