#!/bin/sh
# Makes sure the Debian packages dmasim builds and tests with are present,
# installing what is missing with apt-get (as root, or through sudo without
# a password); otherwise says exactly what to install.
#
#   sh mk/deps.sh          what make builds and tests with; chromium (only
#                          the rendered-report test needs it) is installed
#                          when it can be and otherwise skipped with a note
#   sh mk/deps.sh CMD...   the Debian packages of those commands (clang for
#                          make fuzz), all required
set -eu

missing=""
optional=""
have_pc() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }

if [ $# -gt 0 ]; then
    for c in "$@"; do have "$c" || missing="$missing $c"; done
else
    have pkg-config  || missing="$missing pkg-config"
    have_pc yaml-0.1 || missing="$missing libyaml-dev"
    have_pc check    || missing="$missing check"
    have_pc json-c   || missing="$missing libjson-c-dev"
    have gnuplot     || missing="$missing gnuplot-nox"
    # dmasim import: device trees (libfdt has no pkg-config file)
    [ -f /usr/include/libfdt.h ] || missing="$missing libfdt-dev"
    have dtc         || missing="$missing device-tree-compiler"
    have cpp         || missing="$missing cpp"
    # headless Chromium renders the HTML report in make test
    have chromium    || optional="chromium"
fi

[ -z "$missing$optional" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif have sudo && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    SUDO=no
fi
if [ -n "$missing" ]; then
    echo "dmasim: missing Debian packages:$missing" >&2
    if [ "$SUDO" = no ]; then
        echo "dmasim: cannot install them (not root, no password-less sudo)." >&2
        echo "dmasim: run: sudo apt-get install -y$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if [ "$SUDO" != no ]; then
    echo "dmasim: installing$missing $optional with apt-get" >&2
    $SUDO apt-get update -qq >&2 || true
fi
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi
if [ -n "$optional" ]; then
    if [ "$SUDO" = no ] ||
        ! $SUDO apt-get install -y -qq --no-install-recommends $optional >&2
    then
        echo "dmasim: $optional is not installed and cannot be here; make test" \
             "will skip the rendered-report check (sudo apt-get install -y" \
             "$optional to run it)" >&2
    fi
fi
exit 0
