#!/bin/sh
# check_handout.sh — `make check` in a handout (tools/instructor/handout.py):
# what a students' copy can prove without the solutions it does not have.
#  1. labs/ of the released labs matches the starters generated from their solutions;
#  2. the grader's self-test (gcc and clang);
#  3. the released solutions pass every test (gcc and clang, -Werror, ASan+UBSan+LSan);
#  4. every test of every lab fails on the starters in labs/ (the tests bite);
#  5. the demo programs build;
#  6. the book builds (strict, no walkthroughs here) and its examples run.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
step() { printf '\n==== check (handout): %s\n' "$*"; }
fail() { printf '\ncheck FAILED: %s\n' "$*"; exit 1; }

sh tools/setup.sh --all || fail "missing tools (see above)"
released=$(sed -n 's/^released: *//p' .kettle-handout)

step "1/6 labs/ matches the starters of the released labs (${released:-none})"
python3 tools/starters.py --check-released solutions labs || fail "labs/ has drifted from solutions/"

step "2/6 the grader catches every way a test can go wrong"
for cc in gcc clang; do
    CC=$cc sh tools/grader/selftest/run.sh "$BUILD/selftest-$cc" || fail "grader self-test under $cc"
done

if [ -n "$released" ]; then
    labs=$(for l in $released; do printf '%s ' "${l%%-*}"; done)
    for cc in gcc clang; do
        step "3/6 the released solutions pass ($cc)"
        $MAKE --no-print-directory grade MODE=solutions LAB="$labs" CC=$cc WERROR=-Werror \
            >"$BUILD/check-solutions-$cc.log" 2>&1 || { cat "$BUILD/check-solutions-$cc.log"; fail "solutions under $cc"; }
        grep -E '^(Total:|[0-9]+ passed, [0-9]+ failed)' "$BUILD/check-solutions-$cc.log" || true
    done
fi

step "4/6 every test fails on the starters"
$MAKE --no-print-directory grade MODE=student EXPECT=fail WERROR=-Werror >"$BUILD/check-starters.log" 2>&1 ||
    { cat "$BUILD/check-starters.log"; fail "some test does not bite (see above)"; }
grep -E '^ *starter check' "$BUILD/check-starters.log" || true

step "5/6 demo programs build"
$MAKE --no-print-directory apps MODE=student WERROR=-Werror >/dev/null || fail "demo programs"
echo "apps: ok"

step "6/6 the book builds (strict) and its examples run"
sh tools/book/build.sh "$BUILD/book" || fail "book"
sh tools/book/examples.sh "$BUILD/examples" || fail "book examples"

printf '\ncheck (handout): all good\n'
if [ -n "$released" ]; then
    grep -E '^[0-9]+ passed, [0-9]+ failed$' "$BUILD/check-solutions-gcc.log" | tail -n 1
fi
