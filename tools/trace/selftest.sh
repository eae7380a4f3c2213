#!/bin/sh
# selftest.sh [BUILDDIR] — prove the tracer (trace.h) with real runs:
#   1. a traced run of tools/trace/selftest/probe.c (ASan + UBSan + LSan, so
#      tracing leaks nothing) writes JSON that parses and holds each task's
#      create, steps and end in order, the iterations' bands, a timer, an I/O
#      callback, a cancellation, an error, a thread's job, a thread pool's job
#      (Lab 08's given code marks it on its worker's track), and one copy only
#      although a forked child exits through exit();
#   2. the same with the real clock;
#   3. the timeline drawn from it is well-formed SVG with one row per task and
#      one per thread that ran a job;
#   4. without KETTLE_TRACE (or with it empty) nothing is written, and the
#      program prints exactly what the traced run printed.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/build/trace-selftest}
CC=${CC:-cc}
rm -rf "$OUT"
mkdir -p "$OUT/off"
OUT=$(cd "$OUT" && pwd)
cd "$ROOT"

srcs="tools/trace/selftest/probe.c lib/src/*.c"
for lab in 01-callbacks 02-io 03-generators 04-futures 05-tasks 06-combinators 07-sync 08-executors; do
    for f in solutions/$lab/*.c; do srcs="$srcs $f"; done
done
# shellcheck disable=SC2086
$CC -std=c11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer -Ilib/include -o "$OUT/probe" $srcs -lm -pthread

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1
KETTLE_TRACE="$OUT/virtual.json" "$OUT/probe" >"$OUT/virtual.out" 2>"$OUT/virtual.err" ||
    { cat "$OUT/virtual.err"; echo "trace selftest: the traced probe failed"; exit 1; }
KETTLE_TRACE="$OUT/real.json" "$OUT/probe" --real >"$OUT/real.out" 2>"$OUT/real.err" ||
    { cat "$OUT/real.err"; echo "trace selftest: the traced probe (real clock) failed"; exit 1; }
(cd "$OUT/off" && "$OUT/probe" >../off.out 2>../off.err && KETTLE_TRACE= "$OUT/probe" >../empty.out 2>../empty.err) ||
    { echo "trace selftest: the untraced probe failed"; exit 1; }

python3 - "$OUT" <<'PY'
import json, os, sys, xml.etree.ElementTree as ET
sys.path.insert(0, "tools/trace")
import timeline

out = sys.argv[1]
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)

for clock in ("virtual", "real"):
    with open(os.path.join(out, clock + ".json")) as f:
        ev = json.load(f)  # the whole file parses: one trace, closed
    names = {e["tid"]: e["args"]["name"] for e in ev if e.get("ph") == "M" and e.get("name") == "thread_name"}
    check(sum(1 for e in ev if e.get("name") == "process_name") == 1, clock + ": one copy of the trace (fork)")
    tasks = {tid: n for tid, n in names.items() if n.startswith("Task#")}
    fns = sorted(n.split(" ", 1)[1] for n in tasks.values())
    check(fns == ["failer", "main_body", "sleeper", "victim"], clock + ": one track per task, named after its function: %s" % fns)
    # an X event is written when it ends: its end is what follows the event before it
    ends = [e["ts"] + e.get("dur", 0) for e in ev if "ts" in e]
    check(all(b > a for a, b in zip(ends, ends[1:])), clock + ": time strictly increases in file order")
    for tid, n in tasks.items():
        mine = [e for e in ev if e.get("tid") == tid and "ts" in e]
        kinds = [e["name"] for e in mine]
        check(kinds[0] == "create" and kinds[-1] == "done" and "step" in kinds,
              clock + ": %s: create, steps, done in that order: %s" % (n, kinds))
        outcome = mine[-1]["args"]["outcome"]
        want = {"victim": "cancelled", "failer": "error", "sleeper": "result", "main_body": "result"}[n.split(" ", 1)[1]]
        check(outcome.startswith(want), clock + ": %s ends with %s, trace says %s" % (n, want, outcome))
    victim = [tid for tid, n in tasks.items() if n.endswith("victim")][0]
    cancels = [e for e in ev if e.get("cat") == "cancel" and e.get("tid") == victim]
    check(len(cancels) == 1 and cancels[0]["args"]["msg"] == "enough" and cancels[0]["args"]["requested"],
          clock + ": the victim's cancellation, with its message")
    steps = [e for e in ev if e.get("name") == "step" and e.get("tid") in tasks]
    check(any(e["args"]["awaits"] and e["args"]["awaits"].startswith("Future#") for e in steps),
          clock + ": a step that ends awaiting a future names it")
    b = [e for e in ev if e.get("ph") == "B" and e.get("cat") == "iteration"]
    en = [e for e in ev if e.get("ph") == "E" and e.get("tid") == 1]
    check(len(b) > 3 and len(b) == len(en), clock + ": iterations are balanced bands (%d B, %d E)" % (len(b), len(en)))
    cats = {e.get("cat") for e in ev if e.get("ph") == "X"}
    check({"timer", "io", "callback", "wait", "step"} <= cats, clock + ": callbacks of each kind: %s" % cats)
    waits = [e["args"]["waited"] for e in ev if e.get("cat") == "wait"]
    if clock == "virtual":
        check(0.5 in waits, "virtual: the 0.5 s sleep shows as a 0.5 s wait: %s" % waits)
    else:
        check(any(0.4 < w < 5 for w in waits), "real: a wait of about 0.5 s: %s" % waits)
    jobs = [e for e in ev if e.get("cat") == "job"]
    check([(e["ph"], e["name"]) for e in jobs] == [("B", "pool_job"), ("E", "pool_job"), ("B", "probe job"), ("E", "probe job")]
          and all(e["tid"] >= 100000 for e in jobs) and jobs[0]["tid"] == jobs[1]["tid"] != jobs[2]["tid"] == jobs[3]["tid"],
          clock + ": the pool's job on its worker's track, then the thread's job on its own: %s" % [(e["ph"], e["name"], e["tid"]) for e in jobs])
    svg = timeline.draw(ev, "probe")
    root = ET.fromstring(svg)  # well-formed
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    check(sum(1 for t in texts if t.startswith("Task#") and " " in t) == 4, clock + ": the timeline has one row per task")
    check(sum(1 for t in texts if t.startswith("thread ")) == 2, clock + ": the timeline has one row per thread that ran a job")
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    check("job: pool_job" in titles and "job: probe job" in titles, clock + ": each job drawn as a bar: %s" % [t for t in titles if t.startswith("job")])

check(os.listdir(os.path.join(out, "off")) == [], "untraced: the program wrote no file")
with open(os.path.join(out, "off.out")) as a, open(os.path.join(out, "virtual.out")) as b, \
        open(os.path.join(out, "empty.out")) as c:
    off, on, empty = a.read(), b.read(), c.read()
check(off == on == empty, "traced and untraced runs print the same")
check("victim: cancelled" in off and "read x" in off and "to_thread: success 42" in off, "the probe did what it says: %r" % off)
for f in fails:
    print("trace selftest FAILED: " + f)
sys.exit(1 if fails else 0)
PY
echo "trace selftest: ok"
