#!/bin/sh
# show.sh TEST_BINARY TEST_NAME [VAR=VALUE ...] — rerun one test with tracing
# on and draw its timeline: what ran in which iteration, each task's steps and
# waits. The grader prints this line under a failed order test. Writes
# build/trace/TEST_NAME.json and .svg, and prints the SVG's path: open it in
# a browser and compare the order you see with the test's "expected:" line.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 TEST_BINARY TEST_NAME [VAR=VALUE ...]" >&2
    exit 2
fi
bin=$1
name=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${BUILD:-$root/build}/trace
mkdir -p "$out"
# The test's own verdict does not matter here: a failing test is the point.
env "$@" KETTLE_TRACE="$out/$name.json" "$bin" --run "$name" >"$out/$name.out" 2>&1 || true
python3 "$root/tools/trace/timeline.py" "$out/$name.json" --title "$name" -o "$out/$name.svg"
