#!/bin/sh
# check.sh — what `make check` proves, step by step. CI runs exactly this (.ci/run).
#
#  1. labs/ is exactly what the starter generator makes from solutions/, and each
#     lab's manifest (tests/NN-topic/lab.manifest) is what `make manifests` makes;
#  2. the grader's self-test: crashes, hangs, leaks, sanitizer reports are all caught;
#     and the attack suite: hostile submissions earn nothing and change nothing,
#     honest ones beside them are graded normally (tools/grader/selftest/attacks.py);
#     the tracer's (KETTLE_TRACE): a traced run gives a trace and a picture;
#  3. under gcc and clang, warnings as errors: every lab's tests pass on the solutions;
#  4. Labs 03 and 05 pass again with lib's signal-mask-free context switch
#     (FASTSWITCH=1; kettle/fastctx.h), and on copied stacks (COPYSTACK=1, the
#     build `make bench` measures; kettle/copystack.h) with that build's own
#     tests (tests/NN-*/copystack/), all under ASan; and Lab 08 passes again
#     under ThreadSanitizer (TSAN=1);
#  5. every test of every lab fails on that lab's generated starter (the tests bite);
#  6. the demo programs build, and Lab 09's kettle_httpd passes curl, nc and wrk;
#  7. the book builds strictly and its examples compile and run.
# Also: every "§N.M" in the kit names a heading of the book (tools/sectionrefs.py), and
# every common bug of a chapter (tests/NN-topic/bugs/*.patch) fails its tests (tools/bugs.py).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}

# Each step line says how long the run has taken so far (make check must stay well
# under 30 minutes on 2 cores: watch which step grows).
START=$(date +%s)
step() { printf '\n==== check: %s   [%ds]\n' "$*" "$(($(date +%s) - START))"; }
fail() { printf '\ncheck FAILED: %s\n' "$*"; exit 1; }

# A handout (make handout) proves what a students' copy can: see that script.
[ -f .kettle-handout ] && exec sh tools/instructor/check_handout.sh

sh tools/setup.sh --all || fail "missing tools (see above)"

step "1/7 labs/ matches the starters generated from solutions/"
python3 tools/starters.py --check solutions labs || fail "labs/ has drifted from solutions/"
python3 tools/grader/grade.py manifests --check --build "$BUILD" || fail "a lab.manifest is stale (make manifests)"

step "book section references: every § names a heading of the book"
python3 tools/sectionrefs.py || fail "a § reference names no section of the book (see above)"

step "2/7 the grader catches every way a test can go wrong"
for cc in gcc clang; do
    CC=$cc sh tools/grader/selftest/run.sh "$BUILD/selftest-$cc" || fail "grader self-test under $cc"
done
CC=gcc python3 tools/grader/selftest/attacks.py "$BUILD/attacks" || fail "the grader's attack suite"

step "2/7 (and) the tracer writes a faithful trace and draws it (tools/trace/selftest.sh)"
sh tools/trace/selftest.sh "$BUILD/trace-selftest" || fail "the tracer's self-test"

for cc in gcc clang; do
    step "3/7 solutions pass every test ($cc, -Werror, ASan+UBSan+LSan)"
    $MAKE --no-print-directory grade MODE=solutions CC=$cc WERROR=-Werror >"$BUILD/check-solutions-$cc.log" 2>&1 ||
        { cat "$BUILD/check-solutions-$cc.log"; fail "solutions under $cc"; }
    # The grade table is long; show the lab totals and the closing line.
    grep -E '^ *(Lab [0-9]+:|Total:|[0-9]+ passed, [0-9]+ failed)' "$BUILD/check-solutions-$cc.log" || true
done

for cc in gcc clang; do
    step "4/7 Labs 03 and 05 pass with the fast context switch ($cc, FASTSWITCH=1)"
    $MAKE --no-print-directory grade MODE=solutions LAB="03 05" FASTSWITCH=1 CC=$cc WERROR=-Werror \
        >"$BUILD/check-fastswitch-$cc.log" 2>&1 ||
        { cat "$BUILD/check-fastswitch-$cc.log"; fail "fast context switch under $cc"; }
    grep -E '^ *(Lab [0-9]+:|Total:|[0-9]+ passed, [0-9]+ failed)' "$BUILD/check-fastswitch-$cc.log" || true
    step "4/7 Labs 03 and 05 pass on copied stacks, with the scale build's own tests ($cc, COPYSTACK=1)"
    $MAKE --no-print-directory grade MODE=solutions LAB="03 05" COPYSTACK=1 CC=$cc WERROR=-Werror \
        >"$BUILD/check-copystack-$cc.log" 2>&1 ||
        { cat "$BUILD/check-copystack-$cc.log"; fail "copied stacks under $cc"; }
    grep -E '^ *(Lab [0-9]+:|Total:|[0-9]+ passed, [0-9]+ failed)' "$BUILD/check-copystack-$cc.log" || true
done

if [ -d tests/08-executors ]; then
    step "4/7 Lab 08 passes under ThreadSanitizer too (gcc, TSAN=1)"
    $MAKE --no-print-directory grade MODE=solutions LAB=08 TSAN=1 CC=gcc WERROR=-Werror \
        >"$BUILD/check-tsan-gcc.log" 2>&1 ||
        { cat "$BUILD/check-tsan-gcc.log"; fail "Lab 08 under ThreadSanitizer"; }
    grep -E '^ *(Lab [0-9]+:|Total:|[0-9]+ passed, [0-9]+ failed)' "$BUILD/check-tsan-gcc.log" || true
fi

step "5/7 every test fails on its lab's generated starter"
rm -rf "$BUILD/starters"
python3 tools/starters.py solutions "$BUILD/starters"
$MAKE --no-print-directory grade MODE=starters EXPECT=fail WERROR=-Werror >"$BUILD/check-starters.log" 2>&1 ||
    { cat "$BUILD/check-starters.log"; fail "some test does not bite (see above)"; }
grep -E '^ *starter check' "$BUILD/check-starters.log" || true

step "common bugs: each patch in tests/NN-topic/bugs/ fails the tests it names (gcc)"
python3 tools/bugs.py --cc gcc || fail "a documented common bug is not caught (see above)"

step "5/7 (and) the instructors' commands: handout, submission, Gradescope, grade-all"
sh tools/instructor/selftest.sh "$BUILD/instructor-selftest" || fail "the instructors' commands"

step "6/7 demo programs build"
$MAKE --no-print-directory apps MODE=solutions WERROR=-Werror >/dev/null || fail "demo programs"
echo "apps: ok"
# Lab 09's capstone server against real clients: curl, nc, wrk (tools/check_httpd.sh).
if [ -x "$BUILD/apps/solutions/kettle_httpd" ]; then
    sh tools/check_httpd.sh "$BUILD/apps/solutions/kettle_httpd" || fail "kettle_httpd against curl and wrk"
fi

step "7/7 the book builds (strict) and its examples run"
sh tools/book/selftest.sh || fail "the book's own hooks"
KETTLE_WALKTHROUGHS=1 sh tools/book/build.sh "$BUILD/book" || fail "book"
KETTLE_WALKTHROUGHS=0 sh tools/book/build.sh "$BUILD/book-nowt" >/dev/null || fail "book without walkthroughs"
sh tools/book/examples.sh "$BUILD/examples" || fail "book examples"
python3 tools/book/asyncio_cases.py --check || fail "the asyncio cases page (see above)"

printf '\ncheck: all good (%d s)\n' "$(($(date +%s) - START))"
# The closing line counts the solution tests that passed (gcc run).
grep -E '^[0-9]+ passed, [0-9]+ failed$' "$BUILD/check-solutions-gcc.log" | tail -n 1
