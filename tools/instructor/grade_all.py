#!/usr/bin/env python3
"""grade_all.py SUBMISSIONS LAB [--out DIR] [--jobs N] [--timeout S] — a class in one command
(make grade-all SUBMISSIONS=dir LAB=NN).

SUBMISSIONS holds one entry per student: a directory or an archive
(.tar.gz, .tgz, .tar, .zip), named after the student. Each is graded in its
own pristine copy of this kit (tools/instructor/grade.py), several at a
time, each under a wall-clock limit; a submission that hangs, crashes or
attacks the grader costs only its own row. Writes, in --out:
  gradebook.csv         student, points, max, passed, failed, seconds, first_failure, notes
  reports/STUDENT.txt   what the grader printed for that student
  reports/STUDENT.json  that student's results.json (Gradescope's format)
"""
import argparse
import concurrent.futures
import csv
import json
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grade  # noqa: E402
import kit  # noqa: E402

ARCHIVE = re.compile(r"\.(tar\.gz|tgz|tar|zip)$")


def student_name(entry):
    name = ARCHIVE.sub("", entry)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"
    return safe[:80]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("submissions")
    ap.add_argument("lab")
    ap.add_argument("--out", default=None)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=int, default=300, help="seconds per submission (default 300)")
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--hidden", default=None, help="a folder of hidden test_*.c for this lab")
    args = ap.parse_args()
    pristine = kit.root()
    try:
        lab = kit.resolve_lab(pristine, args.lab)
    except kit.KitError as e:
        sys.exit("grade-all: %s" % e)
    if not os.path.isdir(args.submissions):
        sys.exit("grade-all: %s is not a folder of submissions" % kit.printable(args.submissions))
    entries = sorted(e for e in os.listdir(args.submissions) if not e.startswith("."))
    if not entries:
        sys.exit("grade-all: %s holds no submissions" % kit.printable(args.submissions))
    out = os.path.abspath(args.out or os.path.join(pristine, "build", "grade-all", lab))
    reports = os.path.join(out, "reports")
    os.makedirs(reports, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="kettle-grade-all-")
    hidden = os.path.abspath(args.hidden) if args.hidden else None
    start = time.monotonic()
    try:
        base = grade.prepare_base(pristine, lab, os.path.join(scratch, "base"), args.cc)
        max_score = grade.max_points(base, lab, args.cc)
        names, seen = {}, set()
        for e in entries:
            n = student_name(e)
            while n in seen:
                n += "_"
            seen.add(n)
            names[e] = n

        def one(entry):
            work = os.path.join(scratch, "work-" + names[entry])
            try:
                r = grade.grade(base, os.path.join(args.submissions, entry), lab, work, args.timeout, 1,
                                args.cc, hidden, max_score)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            return entry, r

        rows = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for entry, r in pool.map(one, entries):
                name = names[entry]
                with open(os.path.join(reports, name + ".txt"), "w", encoding="utf-8") as f:
                    f.write("\n".join(r["notes"]) + ("\n" if r["notes"] else "") + r["output"])
                with open(os.path.join(reports, name + ".json"), "w", encoding="utf-8") as f:
                    json.dump(grade.gradescope_results(r, lab), f, indent=1)
                rows.append([name, r["points"], r["max"], r["passed"], r["failed"], "%.1f" % r.get("seconds", 0),
                             kit.printable(r.get("first_failure", "")), kit.printable("; ".join(r["notes"]))])
                print("%-24s %4s/%-4s %s" % (name, r["points"], r["max"], kit.printable(r.get("first_failure", "")[:70])))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    with open(os.path.join(out, "gradebook.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "points", "max", "passed", "failed", "seconds", "first_failure", "notes"])
        w.writerows(rows)
    print("grade-all: %d submissions of lab %s in %.0f s; gradebook: %s" % (
        len(rows), lab, time.monotonic() - start, os.path.join(out, "gradebook.csv")))


if __name__ == "__main__":
    main()
