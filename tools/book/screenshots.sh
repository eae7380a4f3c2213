#!/bin/sh
# screenshots.sh BOOKDIR OUTDIR [PAGE...] — photograph the built book in
# headless Chromium, opened from disk (file://) as the README says, at a
# desktop width (1280x900) and a phone's (390x844).
#
# PAGE is a path under BOOKDIR, optionally with ?query and #fragment:
# "labs/05-tasks.html#52-step-and-wake-up" photographs that section,
# "labs/05-tasks.html#dot2" the page's second drawing,
# "index.html?q=future" the search results for "future". With no PAGE,
# every page of the book. TALL=1 makes the window 4000 px high.
# Not part of `make check`: it needs Debian's chromium (apt-get install chromium).
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 BOOKDIR OUTDIR [PAGE...]" >&2
    exit 2
fi
BOOK=$(cd "$1" && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
shift 2
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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Headless Chromium photographs before it has scrolled to a #fragment, so
# the page is shown in a frame of a small wrapper page that scrolls it there
# once it has loaded (hence --allow-file-access-from-files, for this wrapper
# only; the book itself needs no flag). The wrapper is in the temporary dir.
wrap() {    # wrap URL FRAGMENT > wrapper.html
    cat <<HTML
<!doctype html><html><body style="margin:0;overflow:hidden">
<iframe id="f" src="$1" style="border:0;width:100%;height:100vh;display:block"></iframe>
<script>
document.getElementById("f").onload = function () {
  var w = this.contentWindow, id = "$2", m = /^dot([0-9]+)$/.exec(id);
  var e = m ? w.document.querySelectorAll(".kt-dot")[m[1] - 1] : w.document.getElementById(id);
  if (e) w.scrollTo(0, e.getBoundingClientRect().top + w.scrollY - 56);
};
</script></body></html>
HTML
}

shoot() {   # shoot WRAPPER WIDTH,HEIGHT FILE
    # Root needs --no-sandbox; the other flags keep Chromium off the network.
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update --disable-sync \
        --no-first-run --hide-scrollbars --allow-file-access-from-files \
        --user-data-dir="$tmp/profile" --virtual-time-budget=3000 \
        --window-size="$2" --screenshot="$3" "file://$1" \
        >/dev/null 2>&1 || echo "screenshots: chromium failed on $1" >&2
}

for page in "$@"; do
    path=${page%%#*}
    frag=
    case $page in *#*) frag=${page#*#} ;; esac
    name=$(echo "$page" | sed 's|[/?#=&]|_|g; s|\.html||')
    wrap "file://$BOOK/$path" "$frag" >"$tmp/wrap.html"
    shoot "$tmp/wrap.html" "1280,$height" "$OUT/$name-desktop.png"
    [ "$height" = 900 ] && phone=844 || phone=$height
    shoot "$tmp/wrap.html" "390,$phone" "$OUT/$name-phone.png"
    echo "$OUT/$name-desktop.png $OUT/$name-phone.png"
done
