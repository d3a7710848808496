#!/bin/sh
# make test: make install into a staging folder (DESTDIR) and what a user
# then has: the installed dmasim finds its plots away from the source tree,
# runs an installed scenario, has a man page that formats without
# warnings and a bash completion that knows the program's commands,
# options and schemes; make uninstall leaves nothing behind.
#
# usage: sh mk/check_install.sh VARIANT
set -u
variant=${1:-release}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
src=$(pwd)
fail() { echo "check_install: $*"; exit 1; }

make -s install DESTDIR="$tmp/stage" PREFIX=/usr VARIANT="$variant" > "$tmp/log" 2>&1 ||
    { cat "$tmp/log"; fail "make install failed"; }
root=$tmp/stage/usr
for f in bin/dmasim share/man/man1/dmasim.1 share/bash-completion/completions/dmasim \
         share/dmasim/plots/bandwidth.gp share/dmasim/topologies/ebony.yaml \
         share/dmasim/scenarios/baseline.yaml; do
    [ -f "$root/$f" ] || fail "make install did not install $f"
done
[ -x "$root/bin/dmasim" ] || fail "bin/dmasim is not executable"

# away from the source tree: the installed scenarios and plots
cd "$tmp" || exit 2
"$root/bin/dmasim" -V | grep -q '^dmasim [0-9]' || fail "dmasim -V"
"$root/bin/dmasim" run "$root/share/dmasim/scenarios/baseline.yaml" > run.txt ||
    fail "the installed baseline scenario does not run"
"$root/bin/dmasim" sweep "$root/share/dmasim/scenarios/baseline.yaml" \
    --vary seed=1,2 --csv s.csv --plot s.svg > /dev/null 2> err.txt ||
    { cat err.txt; fail "the installed dmasim does not find its plots"; }
grep -q '<svg' s.svg || fail "no SVG plot from the installed dmasim"
cd "$src" || exit 2

# the man page formats cleanly
if command -v groff > /dev/null 2>&1; then
    warn=$(groff -man -Tutf8 -ww -z "$root/share/man/man1/dmasim.1" 2>&1)
    [ -z "$warn" ] || fail "the man page: $warn"
fi

# bash completion: commands, each command's options, schemes
if command -v bash > /dev/null 2>&1; then
    complete_words() { # LINE...: the completions of the last word
        bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
                 _dmasim; printf "%s\n" "${COMPREPLY[@]}"' \
            x "$root/share/bash-completion/completions/dmasim" "$@" | sort | tr '\n' ' '
    }
    want=$(build_cmds() { "$root/bin/dmasim" --help |
        sed -n 's/^  dmasim \([a-z]*\) .*/\1/p'; }; build_cmds | sort | tr '\n' ' ')
    got=$(complete_words dmasim "" | tr ' ' '\n' | grep -v '^-' | tr '\n' ' ')
    [ "$got" = "$want" ] || fail "completion of commands: '$got', dmasim --help has '$want'"
    for c in check route run regress sweep merge report; do
        want=$({ "$root/bin/dmasim" "$c" --help; echo " --help"; } |
               grep -oE '(^| |\[)--?[a-z]+' | tr -d ' [' | sort -u | tr '\n' ' ')
        got=$(complete_words dmasim "$c" -)
        [ "$got" = "$want" ] || fail "completion of $c options: '$got', its --help has '$want'"
    done
    want=$("$root/bin/dmasim" run "$root/share/dmasim/scenarios/baseline.yaml" \
           --scheme none 2>&1 | sed -n 's/.*(known: \(.*\))$/\1/p' | tr -d ',' |
           tr ' ' '\n' | sort | tr '\n' ' ')
    got=$(complete_words dmasim run --scheme "")
    [ "$got" = "$want" ] || fail "completion of schemes: '$got', dmasim run has '$want'"
fi

make -s uninstall DESTDIR="$tmp/stage" PREFIX=/usr > "$tmp/log" 2>&1 ||
    { cat "$tmp/log"; fail "make uninstall failed"; }
left=$(find "$tmp/stage" -type f)
[ -z "$left" ] || fail "make uninstall left $left"
echo "install: binary, plots, boards, scenarios, man page and completion; uninstall leaves none"
