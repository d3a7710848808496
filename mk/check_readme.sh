#!/bin/sh
# make test: every ```console block of README.md is a command ("$ ..." on
# its first line) and its exact output; run each with the given dmasim and
# fail on any difference, so the README cannot drift from the program.
set -u
DMASIM=${1:-build/dmasim}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
    /^```console$/ { inb = 1; n++; next }
    inb && /^```$/ { inb = 0; next }
    inb { print > (dir "/block" n) }
' README.md
status=0 count=0
for b in "$tmp"/block*; do
    [ -f "$b" ] || continue
    count=$((count + 1))
    cmd=$(head -n 1 "$b" | sed -e 's/^\$ //' -e "s#^build/dmasim#$DMASIM#")
    tail -n +2 "$b" > "$tmp/want"
    NO_COLOR=1 sh -c "$cmd" > "$tmp/got" 2>/dev/null
    if ! cmp -s "$tmp/want" "$tmp/got"; then
        echo "README.md: the output of '$(head -n 1 "$b")' has changed:"
        diff -u "$tmp/want" "$tmp/got" | head -40
        status=1
    fi
done
echo "README.md: $count console examples checked"
exit $status
