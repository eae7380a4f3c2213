#!/bin/sh
# examples.sh OUTDIR — compile and run every book/examples/*.c.
#
# Each example is built with warnings as errors under AddressSanitizer and
# UBSan, then run with a time limit. It fails when an example does not
# compile, exits non-zero, times out, or prints a sanitizer report; and when
# it has a sibling NAME.expected file, when its stdout differs from that file.
# Examples that include a Kettle header are linked with lib/src/*.c.
# Then every ```python block of the book runs (tools/book/pyblocks.py).
# Works from any directory; CC may name another compiler (CC=clang).
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
mkdir -p "$OUT"
cd "$ROOT"

CC=${CC:-cc}
CFLAGS="-std=c11 -Wall -Wextra -Werror -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -I lib/include"
# A sanitizer finding must end the run with a non-zero status.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98
export ASAN_OPTIONS UBSAN_OPTIONS

passed=0
failed=0
fail() {
    echo "FAIL  $1: $2"
    failed=$((failed + 1))
}

for src in book/examples/*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    bin=$OUT/$name
    libs=
    if grep -q '#include [<"]kettle/' "$src"; then
        libs=$(echo lib/src/*.c)
    fi
    # shellcheck disable=SC2086
    if ! $CC $CFLAGS -o "$bin" "$src" $libs -pthread -lm 2>"$OUT/$name.cc.log"; then
        fail "$name" "does not compile:"
        cat "$OUT/$name.cc.log"
        continue
    fi
    status=0
    timeout 20 "$bin" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null || status=$?
    if [ "$status" -eq 124 ]; then
        fail "$name" "timed out after 20 s"
        continue
    fi
    if grep -qE 'Sanitizer|runtime error:' "$OUT/$name.err"; then
        fail "$name" "sanitizer report:"
        cat "$OUT/$name.err"
        continue
    fi
    if [ "$status" -ne 0 ]; then
        fail "$name" "exited with status $status; its stderr:"
        cat "$OUT/$name.err"
        continue
    fi
    expected=book/examples/$name.expected
    if [ -f "$expected" ] && ! diff -u "$expected" "$OUT/$name.out" >"$OUT/$name.diff"; then
        fail "$name" "stdout differs from $expected (- expected, + got):"
        cat "$OUT/$name.diff"
        continue
    fi
    echo "ok    $name"
    passed=$((passed + 1))
done

echo "examples: $passed passed, $failed failed"

# The Python blocks of the book's pages: each runs, and prints what the
# book shows after it (tools/book/pyblocks.py).
pyfailed=0
python3 tools/book/pyblocks.py || pyfailed=1
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && [ "$pyfailed" -eq 0 ]
