#!/bin/sh
# selftest.sh [BUILDDIR] — the instructors' commands, end to end (make check):
#   1. make handout RELEASED="00 01", then `make check` inside the handout;
#      in it, make submission packs exactly a lab's files and refuses a
#      missing one;
#   2. make gradescope LAB=01 with a hidden test, laid out as Gradescope does
#      (source/, submission/, results/ under a prefix): the solution gets full
#      marks with the hidden test marked hidden, the starter gets 0;
#   3. make grade-all over four submissions (full marks, a starter, a hang, a
#      crash): each row is right, and the kit is left as it was.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/build/instructor-selftest}
rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$ROOT"
fail() { echo "instructor selftest FAILED: $*"; exit 1; }
before=$(git status --porcelain 2>/dev/null || true)

echo "-- handout"
python3 tools/instructor/handout.py "$OUT/handout/kettle" --released "00 01" || fail "make handout"
H=$OUT/handout/kettle
[ -d "$H/solutions/01-callbacks" ] && [ ! -e "$H/solutions/02-io" ] || fail "handout: released solutions only"
[ ! -e "$H/book/docs/walkthroughs" ] || fail "handout: walkthroughs left in"
! find "$H/tests" -path '*/hidden/*' | grep -q . || fail "handout: hidden tests left in"
[ -f "$OUT/handout/kettle-book/index.html" ] || fail "handout: no book"
(cd "$H" && make --no-print-directory check >"$OUT/handout-check.log" 2>&1) ||
    { tail -30 "$OUT/handout-check.log"; fail "make check in the handout"; }
grep -q 'check (handout): all good' "$OUT/handout-check.log" || fail "make check in the handout said nothing"
(cd "$H" && python3 tools/instructor/submission.py 02 "$OUT/sub02.tar.gz" >"$OUT/sub.log") || fail "make submission"
[ "$(tar tzf "$OUT/sub02.tar.gz" | sort | tr '\n' ' ')" = "labs/02-io/apps/echo_server.c labs/02-io/echo.c labs/02-io/io.c labs/02-io/poll_epoll.c labs/02-io/poll_select.c " ] ||
    fail "make submission packed: $(tar tzf "$OUT/sub02.tar.gz" | tr '\n' ' ')"
rm "$H/labs/02-io/io.c"
if (cd "$H" && python3 tools/instructor/submission.py 02 "$OUT/bad.tar.gz" 2>"$OUT/sub-bad.log"); then
    fail "make submission packed a lab with a missing file"
fi
grep -q 'labs/02-io/io.c is missing' "$OUT/sub-bad.log" || fail "make submission: no clear message: $(cat "$OUT/sub-bad.log")"
echo "handout: ok"

echo "-- gradescope"
python3 tools/instructor/gradescope.py 01 "$OUT/gs.zip" --hidden tools/instructor/example-hidden >/dev/null
for who in solution starter; do
    G=$OUT/gs-$who
    mkdir -p "$G/source" "$G/submission"
    (cd "$G/source" && python3 -m zipfile -e "$OUT/gs.zip" . && chmod +x setup.sh run_autograder)
    if [ $who = solution ]; then src=solutions; else src=labs; fi
    cp "$src/01-callbacks/loop.c" "$G/submission/"
    GRADESCOPE_ROOT=$G sh "$G/source/setup.sh" >"$G/setup.log" 2>&1 || { cat "$G/setup.log"; fail "setup.sh"; }
    GRADESCOPE_ROOT=$G sh "$G/source/run_autograder" >"$G/run.log" 2>&1 || { cat "$G/run.log"; fail "run_autograder"; }
    python3 - "$G/results/results.json" "$who" <<'PY' || fail "gradescope results for the $who"
import json, sys
r = json.load(open(sys.argv[1]))
hidden = [t for t in r["tests"] if t["visibility"] == "hidden"]
assert len(hidden) == 1, "one hidden test, marked hidden: %s" % hidden
want = r["max_score"] if sys.argv[2] == "solution" else 0
assert r["score"] == want and r["max_score"] > 0, "score %s, want %s" % (r["score"], want)
assert all("timers_and_callbacks_interleave" not in (t.get("output") or "") for t in r["tests"] if t["visibility"] == "visible")
print("gradescope: %s: %s/%s" % (sys.argv[2], r["score"], r["max_score"]))
PY
done

echo "-- grade-all"
S=$OUT/submissions
mkdir -p "$S/full" "$S/hang" "$S/crash"
cp solutions/01-callbacks/loop.c "$S/full/"
(cd labs/01-callbacks && tar czf "$S/zero.tar.gz" loop.c)
python3 - "$S" <<'PY'
import sys
s = open("solutions/01-callbacks/loop.c").read()
wait = "    int rc = kt__loop_wait(loop, compute_timeout(loop));"
new = "    kt_handle *h = kt__handle_new(loop, cb, arg);"
assert wait in s and new in s
open(sys.argv[1] + "/hang/loop.c", "w").write(s.replace(wait, "    for (;;) {}\n" + wait))
open(sys.argv[1] + "/crash/loop.c", "w").write(s.replace(new, new + "\n    *(volatile int *)0 = 1;", 1))
PY
python3 tools/instructor/grade_all.py "$S" 01 --out "$OUT/grade-all" --timeout 30 >"$OUT/grade-all.log" 2>&1 ||
    { cat "$OUT/grade-all.log"; fail "grade-all"; }
python3 - "$OUT/grade-all/gradebook.csv" <<'PY' || fail "the gradebook"
import csv, sys
rows = {r["student"]: r for r in csv.DictReader(open(sys.argv[1]))}
assert sorted(rows) == ["crash", "full", "hang", "zero"], rows
m = int(rows["full"]["max"])
assert m > 0 and int(rows["full"]["points"]) == m, rows["full"]
assert int(rows["zero"]["points"]) == 0 and int(rows["zero"]["max"]) == m, rows["zero"]
assert int(rows["hang"]["points"]) == 0 and int(rows["hang"]["max"]) == m and "stopped" in rows["hang"]["notes"], rows["hang"]
assert 0 < int(rows["crash"]["points"]) < m and "null pointer" in rows["crash"]["first_failure"], rows["crash"]
print("grade-all: " + ", ".join("%s %s/%s" % (k, v["points"], v["max"]) for k, v in sorted(rows.items())))
PY
[ -f "$OUT/grade-all/reports/crash.txt" ] && [ -f "$OUT/grade-all/reports/full.json" ] || fail "grade-all: per-student reports"
after=$(git status --porcelain 2>/dev/null || true)
[ "$before" = "$after" ] || fail "the kit changed while grading: $after"
echo "instructor selftest: ok"
