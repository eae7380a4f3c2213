#!/bin/sh
# grade_all_class.sh [N] [LAB] — time `make grade-all` on a made-up class of N
# submissions (default 200) of one lab (default 01): a mix of full marks (40%),
# untouched starters (30%), code that crashes in one entry point (15%), code
# that does not compile (10%) and code that hangs every test (5%), as folders
# and archives. Prints the gradebook's summary and the wall time.
set -eu
N=${1:-200}
LAB=${2:-01}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
lab=$(python3 -c "import sys; sys.path.insert(0,'tools/instructor'); import kit; print(kit.resolve_lab('.', '$LAB'))")
files=$(python3 -c "import sys; sys.path.insert(0,'tools/instructor'); import kit; print(' '.join(kit.owned_files('.', '$lab')))")
OUT=${BUILD:-build}/grade-all-class
rm -rf "$OUT"
mkdir -p "$OUT/subs"
i=0
while [ $i -lt "$N" ]; do
    i=$((i + 1))
    d=$OUT/subs/student$(printf '%03d' $i)
    mkdir -p "$d"
    r=$((i % 20))
    for f in $files; do
        if [ $r -lt 8 ]; then src=solutions/${f#labs/}; else src=$f; fi
        cp "$src" "$d/$(basename "$f")"
    done
    first=$d/$(basename "$(echo "$files" | cut -d' ' -f1)")
    if [ $r -ge 14 ] && [ $r -lt 17 ]; then      # crashes: a null write at the top of the first function body
        cp "solutions/${lab}/$(basename "$first")" "$first"
        python3 - "$first" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
m = re.search(r"\n\{\n", s)
open(p, "w").write(s[:m.end()] + "    *(volatile int *)0 = 1;\n" + s[m.end():])
PY
    elif [ $r -ge 17 ] && [ $r -lt 19 ]; then    # does not compile
        echo "this is not C" >>"$first"
    elif [ $r -eq 19 ]; then                      # hangs
        cp "solutions/${lab}/$(basename "$first")" "$first"
        python3 - "$first" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
m = re.search(r"\n\{\n", s)
open(p, "w").write(s[:m.end()] + "    for (;;) {}\n" + s[m.end():])
PY
    fi
    if [ $((i % 2)) -eq 0 ]; then                 # half of them hand in an archive
        (cd "$d" && tar czf "../$(basename "$d").tar.gz" .) && rm -rf "$d"
    fi
done
start=$(date +%s)
python3 tools/instructor/grade_all.py "$OUT/subs" "$LAB" --out "$OUT/result" --timeout "${TIMEOUT:-120}" >"$OUT/log.txt" 2>&1
end=$(date +%s)
python3 - "$OUT/result/gradebook.csv" <<'PY'
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = collections.Counter("%s/%s" % (r["points"], r["max"]) for r in rows)
print("graded %d submissions: " % len(rows) + ", ".join("%d at %s" % (n, k) for k, n in by.most_common()))
PY
echo "wall time: $((end - start)) s on $(nproc) cores (TIMEOUT=${TIMEOUT:-120} s per submission)"
