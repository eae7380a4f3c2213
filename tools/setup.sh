#!/bin/sh
# setup.sh — make sure this machine has what Kettle needs, or say exactly what is missing.
#
#   sh tools/setup.sh          what `make test` needs: a C compiler, make, python3, cmocka
#   sh tools/setup.sh --book   what `make book` needs: mkdocs, its material theme, pymdownx, graphviz
#   sh tools/setup.sh --all    both, plus clang (make check builds with gcc and clang),
#                              and curl, wrk, nc (make check runs Lab 09's server against them)
#
# On Debian or Ubuntu, when run as root (a container, CI), the missing packages are
# installed with apt-get. Otherwise it prints the command to run and fails.
set -u

want_book=0
want_all=0
case "${1:-}" in
    --book) want_book=1 ;;
    --all) want_book=1; want_all=1 ;;
esac

missing=""
need() { missing="$missing $1"; }

have() { command -v "$1" >/dev/null 2>&1; }

check_core() {
    have cc || need gcc
    have make || need make
    have python3 || need python3
    # cmocka: its header and its library must both be found by the compiler.
    if have cc; then
        tmp=$(mktemp -d)
        printf '#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <setjmp.h>\n#include <cmocka.h>\nint main(void){return 0;}\n' >"$tmp/t.c"
        cc "$tmp/t.c" -o "$tmp/t" -lcmocka >/dev/null 2>&1 || need libcmocka-dev
        rm -rf "$tmp"
    fi
}

check_book() {
    /usr/bin/python3 -c 'import mkdocs' >/dev/null 2>&1 || need mkdocs
    # Debian's theme is a data directory, found through mkdocs' theme registry.
    /usr/bin/python3 -c 'from mkdocs.utils import get_theme_names as t; assert "material" in t()' \
        >/dev/null 2>&1 || need mkdocs-material
    /usr/bin/python3 -c 'import pymdownx' >/dev/null 2>&1 || need python3-pymdownx
    have dot || need graphviz
}

check_all() {
    have clang || need clang
    # Lab 09's capstone checks talk to kettle_httpd with real clients.
    have curl || need curl
    have wrk || need wrk
    have nc || need netcat-openbsd
    # clang's sanitizer runtimes come in their own package on Debian.
    if have clang; then
        tmp=$(mktemp -d)
        printf 'int main(void){return 0;}\n' >"$tmp/t.c"
        clang -fsanitize=address,undefined "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1 || need libclang-rt-dev
        rm -rf "$tmp"
    fi
}

run_checks() {
    missing=""
    check_core
    [ $want_book = 1 ] && check_book
    [ $want_all = 1 ] && check_all
}

run_checks
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "setup: installing the missing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # An old or empty package list finds nothing: refresh it once.
    apt-get update -qq >/dev/null 2>&1 || echo "setup: apt-get update failed; trying with the package list as it is"
    # shellcheck disable=SC2086
    if apt-get install -y -qq --no-install-recommends $missing >/tmp/kettle-setup.log 2>&1; then
        run_checks
        [ -z "$missing" ] && { echo "setup: done"; exit 0; }
    else
        tail -n 5 /tmp/kettle-setup.log
    fi
fi

echo "setup: this machine is missing:$missing"
echo "setup: on Debian or Ubuntu, install them with:"
echo "    sudo apt-get install$missing"
exit 1
