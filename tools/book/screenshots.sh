#!/bin/sh
# screenshots.sh BOOKDIR OUTDIR [PAGE...] — photograph the built book in
# headless Chromium, opened from disk (file://) as the README says, at a
# desktop width (1280x900) and a phone's (390x844).
#
# PAGE is a path under BOOKDIR, optionally with ?query or #fragment
# (e.g. "labs/05-tasks.html#52-step-and-wake-up", "index.html?q=future" to
# photograph search). With no PAGE, every page of the book. Set TALL=1 for
# a 4000 px high window, to see a whole chapter at once. Not part of
# `make check`: it needs Debian's chromium (apt-get install chromium).
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 BOOKDIR OUTDIR [PAGE...]" >&2
    exit 2
fi
BOOK=$(cd "$1" && pwd)
OUT=$2
shift 2
mkdir -p "$OUT"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "screenshots: chromium is missing: apt-get install chromium" >&2
    exit 1
fi
if [ $# -eq 0 ]; then
    set -- $(cd "$BOOK" && find . -name '*.html' ! -name 404.html | sed 's|^\./||' | sort)
fi
height=900
[ "${TALL:-0}" = 1 ] && height=4000
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT INT TERM

shoot() {   # shoot URL WIDTHxHEIGHT FILE
    # Root needs --no-sandbox; the other flags keep Chromium off the network.
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update --disable-sync \
        --no-first-run --hide-scrollbars --user-data-dir="$profile" \
        --virtual-time-budget=3000 --window-size="$2" --screenshot="$3" "$1" \
        >/dev/null 2>&1 || echo "screenshots: chromium failed on $1" >&2
}

for page in "$@"; do
    name=$(echo "$page" | sed 's|[/?#=&]|_|g; s|\.html||')
    shoot "file://$BOOK/$page" "1280,$height" "$OUT/$name-desktop.png"
    shoot "file://$BOOK/$page" "390,$(( height == 900 ? 844 : height ))" "$OUT/$name-phone.png"
    echo "$OUT/$name-desktop.png $OUT/$name-phone.png"
done
