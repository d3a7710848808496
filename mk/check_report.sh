#!/bin/sh
# make test: dmasim report on the scenario library, rendered by headless
# Chromium; the DOM it builds must have the summary and one table per
# scenario, two inline SVG plots per scenario, and a section for each.
set -u
DMASIM=${1:-build/dmasim}
CHROMIUM=${CHROMIUM:-chromium}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
n=0
for f in scenarios/*.yaml; do n=$((n + 1)); done
"$DMASIM" report scenarios/*.yaml -o "$tmp/report" > /dev/null || exit 1
if ! command -v "$CHROMIUM" > /dev/null 2>&1; then
    echo "report: $n scenarios written; rendering skipped: $CHROMIUM is not installed (Debian package chromium; make deps installs it when it can)"
    exit 0
fi
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$tmp/profile" \
    --dump-dom "file://$tmp/report/index.html" > "$tmp/dom.html" 2> "$tmp/err"
status=0
tables=$(grep -o '<table' "$tmp/dom.html" | wc -l)
svgs=$(grep -o '<svg' "$tmp/dom.html" | wc -l)
[ "$tables" -eq $((n + 1)) ] || { echo "check_report: $tables tables in the rendered report, expected $((n + 1))"; status=1; }
[ "$svgs" -ge $((2 * n)) ] || { echo "check_report: $svgs SVG plots in the rendered report, expected $((2 * n))"; status=1; }
for f in scenarios/*.yaml; do
    name=$(sed -n 's/^name: *//p' "$f" | head -n 1)
    grep -q "<section id=\"$name\">" "$tmp/dom.html" ||
        { echo "check_report: no section for $name in the rendered report"; status=1; }
done
[ $status = 0 ] && echo "report: $n scenarios, $tables tables and $svgs plots rendered by Chromium"
exit $status
