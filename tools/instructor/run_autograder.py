#!/usr/bin/env python3
"""run_autograder.py --lab NN [--prepare] — Gradescope's side of the bundle (gradescope.py).

--prepare (from setup.sh): build the kit once into $ROOT/source/base.
Otherwise: grade $ROOT/submission in a fresh copy of that base, write
$ROOT/results/results.json (Gradescope's format, hidden tests marked), and
print one line. Everything the student's code prints stays in the per-test
output of results.json; nothing of it reaches Gradescope's top-level output.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grade  # noqa: E402
import kit  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", required=True)
    ap.add_argument("--prepare", action="store_true")
    ap.add_argument("--timeout", type=int, default=900)
    args = ap.parse_args()
    root = os.environ.get("GRADESCOPE_ROOT", "/autograder")
    kitdir = os.path.join(root, "source", "kettle")
    base = os.path.join(root, "source", "base")
    lab = kit.resolve_lab(kitdir, args.lab)
    if args.prepare or not os.path.isdir(base):
        grade.prepare_base(kitdir, lab, base)
        if args.prepare:
            print("autograder: kit built for lab %s" % lab)
            return
    work = tempfile.mkdtemp(prefix="kettle-submission-")
    try:
        r = grade.grade(base, os.path.join(root, "submission"), lab, work, args.timeout, os.cpu_count() or 2)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = os.path.join(root, "results")
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "results.json"), "w", encoding="utf-8") as f:
        json.dump(grade.gradescope_results(r, lab), f, indent=1)
    print("autograder: lab %s: %s/%s points" % (lab, r["points"], r["max"]))


if __name__ == "__main__":
    main()
