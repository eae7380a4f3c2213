#!/bin/sh
# run.sh — the grader's self-test: build kt-grade and a test binary whose
# tests go wrong on purpose (test_selftest.c), grade it, and check that every
# kind of failure got its verdict and a readable reason, that the closing
# line counts right, and that results.json and the JUnit XML parse.
#
#   tools/grader/selftest/run.sh [OUTDIR]     (from the repository root; CC=gcc or CC=clang)
set -u

OUT=${1:-build/selftest}
CC=${CC:-cc}
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
CFLAGS="-std=c11 -g -O1 -Wall -Wextra -Werror $SAN"
ST=tools/grader/selftest
errors=0

fail() {
    echo "grader self-test: $*" >&2
    errors=$((errors + 1))
}

mkdir -p "$OUT" || exit 1
# Absolute, so that the leftover check below sees only this run's processes
# (another checkout on the machine may run its own self-test meanwhile).
OUT=$(cd "$OUT" && pwd)

# shellcheck disable=SC2086
$CC $CFLAGS tools/grader/*.c -o "$OUT/kt-grade" || { echo "grader self-test: building kt-grade failed" >&2; exit 1; }
# shellcheck disable=SC2086
$CC $CFLAGS -I lib/include -I tests/harness "$ST/test_selftest.c" lib/src/errors.c tests/harness/ktest.c \
    -lcmocka -lm -o "$OUT/test_selftest" || { echo "grader self-test: building test_selftest failed" >&2; exit 1; }

# Stale, longer report files: the grader must replace them, not append.
i=0
while [ $i -lt 200 ]; do echo "stale stale stale stale stale stale"; i=$((i + 1)); done > "$OUT/results.json"
cp "$OUT/results.json" "$OUT/junit.xml"

# ---- 1. every kind of failure ------------------------------------------
KT_SELFTEST_LEAK=1 "$OUT/kt-grade" --jobs 4 --json "$OUT/results.json" --junit "$OUT/junit.xml" \
    --lab 99 --title "grader self-test" --files "$ST/test_selftest.c" "$OUT/test_selftest" \
    > "$OUT/output.txt" 2> "$OUT/stderr.txt"
status=$?
[ $status -eq 1 ] || fail "kt-grade exited with $status, expected 1 (some tests fail)"

# The lines printed for one test: its row and the indented lines under it.
block() {
    awk -v name="$1" '
        /^  (PASS|FAIL) / { inside = ($NF == name) }
        /^  Lab / { inside = 0 }
        inside { print }
    ' "$OUT/output.txt"
}

# expect TEST VERDICT TEXT...: the test's row says VERDICT and its lines hold each TEXT.
expect() {
    name=$1 verdict=$2
    shift 2
    b=$(block "$name")
    if [ -z "$b" ]; then
        fail "no result for $name"
        return
    fi
    printf '%s\n' "$b" | head -n 1 | grep -q "^  $verdict " || fail "$name: expected $verdict, got: $(printf '%s\n' "$b" | head -n 1)"
    for text in "$@"; do
        printf '%s\n' "$b" | grep -qF -- "$text" || fail "$name: expected the text \"$text\" in:
$b"
    done
}

T="tools/grader/selftest/test_selftest.c"
expect passes PASS
expect fails_check_str FAIL "callbacks scheduled while the loop runs must wait for the next iteration (selftest §2)" \
    'expected: "a b late"' 'got:      "a late b"' "at $T:" "rerun: $OUT/test_selftest --run fails_check_str" \
    "debug: gdb --args $OUT/test_selftest --run fails_check_str"
expect segfaults FAIL "crashed: SIGSEGV (segmentation fault) in segfaults $T:" "rule: a NULL pointer is never written"
expect aborts FAIL "aborted: SIGABRT (abort() or a failed assert())" "rule: abort() is never called"
expect loops_forever FAIL "timed out after 1 s: an infinite loop, or waiting for something that never comes" \
    "rule: the loop stops when nothing is left to do"
expect overflows_stack FAIL "stack overflow (unbounded recursion, or a coroutine stack too small) in recurse $T:"
expect uses_after_free FAIL "AddressSanitizer: heap-use-after-free in uses_after_free $T:" "freed at uses_after_free $T:"
expect leaks FAIL "LeakSanitizer: 48 bytes leaked, allocated at leak_48_bytes $T:"
expect overflows_int FAIL "UBSan: runtime error: signed integer overflow" "at $T:"
expect exits_early FAIL "the test process exited before the test finished (does the code call exit()?)"
expect forges_pass FAIL "printing PASS does not pass a test (selftest §3)"
expect leaves_child FAIL "left a process running (a child not reaped?)"

if grep -q "also left a process running" "$OUT/output.txt"; then
    fail "a test that starts no process was said to leave one (a sanitizer's symbolizer?)"
fi
if grep -q "$(printf '\033')" "$OUT/output.txt"; then
    fail "colour codes in output that is not a terminal"
fi
grep -qx "  Lab 99: 1/14 points, 1 passed, 11 failed" "$OUT/output.txt" || fail "wrong lab summary line"
grep -qx "Total: 1/14 points" "$OUT/output.txt" || fail "wrong total line"
last=$(tail -n 1 "$OUT/output.txt")
[ "$last" = "1 passed, 11 failed" ] || fail "closing line is \"$last\", expected \"1 passed, 11 failed\""

python3 -m json.tool "$OUT/results.json" > /dev/null || fail "results.json does not parse"
python3 - "$OUT/results.json" <<'PY' || fail "results.json has the wrong content"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["score"] == 1 and r["max_score"] == 14, r["score"]
t = r["tests"]
assert len(t) == 12, len(t)
assert t[0]["name"] == "Lab 99 \u203a passes" and t[0]["status"] == "passed" and t[0]["number"] == "99.1"
assert all(x["status"] == "failed" and x["score"] == 0 for x in t[1:])
assert "a late b" in t[1]["output"] and t[1]["max_score"] == 3
PY
python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" "$OUT/junit.xml" || fail "junit.xml does not parse"
grep -q 'classname="lab99.test_selftest"' "$OUT/junit.xml" || fail "junit.xml: no classname lab99.test_selftest"
[ "$(grep -c '<failure ' "$OUT/junit.xml")" -eq 11 ] || fail "junit.xml: expected 11 failures"

# Nothing of the tests may be left running. (Only ours: another checkout's
# self-test may be running the same relative path at the same time.)
if command -v pgrep > /dev/null 2>&1; then
    for pid in $(pgrep -f "$OUT/test_selftest --run" || true); do
        if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$OUT/test_selftest")" ]; then
            fail "a test process is still running after the grader ended"
        fi
    done
fi

# ---- 2. variants, a missing binary, the starter check ---------------------
"$OUT/kt-grade" --jobs 4 \
    --lab 98 --title variants --files x \
    --variant "a KT_SELFTEST_VAR=x KT_SELFTEST_EXPECT=x" --variant "b KT_SELFTEST_VAR=y KT_SELFTEST_EXPECT=z" \
    "$OUT/test_selftest" "$OUT/no_such_test" > "$OUT/output2.txt" 2>&1
status=$?
[ $status -eq 1 ] || fail "variants: kt-grade exited with $status, expected 1"
grep -q "^  PASS .*passes \[a\]$" "$OUT/output2.txt" || fail "variants: passes [a] did not pass"
grep -q "^  FAIL .*passes \[b\]$" "$OUT/output2.txt" || fail "variants: passes [b] did not fail"
grep -qF "rerun: KT_SELFTEST_VAR=y KT_SELFTEST_EXPECT=z $OUT/test_selftest --run passes" "$OUT/output2.txt" ||
    fail "variants: the rerun line lacks the variant's variables"
grep -qF "$OUT/no_such_test does not exist" "$OUT/output2.txt" || fail "a missing binary is not reported"
last=$(tail -n 1 "$OUT/output2.txt")
[ "$last" = "1 passed, 24 failed" ] || fail "variants: closing line is \"$last\", expected \"1 passed, 24 failed\""

"$OUT/kt-grade" --expect fail --lab 97 --title "starter check" "$OUT/test_selftest" > "$OUT/output3.txt" 2>&1
status=$?
[ $status -eq 1 ] || fail "--expect fail: kt-grade exited with $status, expected 1 (one test passes)"
grep -qF "does not bite: test passes passes on the starter" "$OUT/output3.txt" ||
    fail "--expect fail: the passing test is not named"
grep -qF "starter check: 1 of 12 tests of lab 97 pass on the starter" "$OUT/output3.txt" ||
    fail "--expect fail: no summary"

if [ $errors -ne 0 ]; then
    echo "grader self-test: $errors check(s) failed; the grader's output is in $OUT/output*.txt" >&2
    exit 1
fi
echo "grader self-test: OK ($CC; output in $OUT/output.txt)"
