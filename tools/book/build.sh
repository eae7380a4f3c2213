#!/bin/sh
# build.sh OUTDIR — build the Kettle book into OUTDIR with mkdocs --strict.
#
# Works from any directory. Set KETTLE_WALKTHROUGHS=0 (make book WALKTHROUGHS=0)
# to leave the solution walkthroughs out. Fails on any warning, on a missing
# @code file or region, a bad @grading directory, a dot syntax error, and on
# any asset the built pages would fetch from the network.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $1 in
    /*) OUT=$1 ;;
    *)  OUT=$(pwd)/$1 ;;
esac

# The tools come from Debian's packages, for Debian's /usr/bin/python3.
PY=/usr/bin/python3
missing=
if ! [ -x "$PY" ] || ! "$PY" -c 'import mkdocs, pymdownx, markdown
from mkdocs.utils import get_theme_names
assert "material" in get_theme_names()' >/dev/null 2>&1; then
    missing=python
fi
if ! command -v dot >/dev/null 2>&1; then
    missing="$missing dot"
fi
if [ -n "$missing" ]; then
    echo "book: mkdocs, its material theme, pymdownx or graphviz is missing." >&2
    echo "book: install them with:" >&2
    echo "    sudo apt-get install mkdocs mkdocs-material python3-pymdownx graphviz" >&2
    exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

# mkdocs empties the output directory first: never let that be the repo.
case $OUT in
    /|"$ROOT"|"$ROOT"/|"$ROOT"/book|"$ROOT"/book/*|"$ROOT"/lib*|"$ROOT"/labs*|"$ROOT"/solutions*|"$ROOT"/tests*|"$ROOT"/tools*)
        echo "book: refusing to build into $OUT (mkdocs would empty it)" >&2
        exit 2 ;;
esac

cd "$ROOT"
status=0
"$PY" -m mkdocs build --strict --clean -f book/mkdocs.yml -d "$OUT" >"$log" 2>&1 || status=$?
cat "$log"
if [ "$status" -ne 0 ]; then
    echo "book: mkdocs failed (exit $status); see the messages above" >&2
    exit 1
fi
# --strict aborts on mkdocs' own warnings; this also catches warnings from
# Markdown extensions and the theme, which log elsewhere.
if grep -q 'WARNING *-' "$log"; then
    echo "book: the build printed warnings; fix them" >&2
    exit 1
fi

# Offline: no page may load a script, stylesheet, font or image from the net.
# (Plain links to web pages are fine; loading assets is not.) The theme's
# JavaScript can fetch mermaid from unpkg.com, but only for a page holding a
# mermaid diagram, so those are refused too: draw with ```dot instead.
bad=$(grep -rlE '(src|href)="https?://[^"]*\.(js|css|woff2?|ttf|png|svg|jpg)"|@import url\(.?https?:|fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr|unpkg\.com|cdnjs|class="mermaid"' \
      "$OUT" --include='*.html' --include='*.css' || true)
if [ -n "$bad" ]; then
    echo "book: these built files load assets from the network:" >&2
    echo "$bad" >&2
    exit 1
fi
echo "book: built $OUT"
