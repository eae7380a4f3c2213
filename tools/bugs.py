#!/usr/bin/env python3
"""Prove that every common bug a chapter lists is caught by a test.

Each tests/NN-topic/bugs/<name>.patch (format: CONTRIBUTING.md, "Common bugs are
patches") is applied to a scratch copy of solutions/NN-topic; that lab is then built
and graded with the patched copy as the graded lab (make grade MODE=patched), and
every test named in its "# caught-by:" line must fail with a message that names a
book section ("§"). A patch that no longer applies, names a test that does not exist,
or slips past one of its tests fails the run.

usage: bugs.py [--jobs N] [--cc CC] [LAB ... | PATCH ...]
       bugs.py                      every patch of every lab
       bugs.py 01 05                the patches of Labs 01 and 05
       bugs.py tests/01-callbacks/bugs/pop-a-count.patch

Optional header lines besides "# bug:" and "# caught-by:" are allowed (and ignored).
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
MAKE = os.environ.get("MAKE", "make")


def parse(path):
    """The patch's bug line, its caught-by tests, or a complaint."""
    bug, caught = None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("diff --git") or not line.startswith("#"):
                break
            m = re.match(r"#\s*bug:\s*(.*\S)", line)
            if m:
                bug = m.group(1)
            m = re.match(r"#\s*caught-by:\s*(.*\S)", line)
            if m:
                caught = m.group(1).split()
    if bug is None:
        return None, None, 'no "# bug:" line before the diff'
    if not caught:
        return None, None, 'no "# caught-by:" line (or it names no test) before the diff'
    return bug, caught, None


def lab_tests(lab):
    """Every test name of a lab, from its KT_TEST lines: name -> test program."""
    names = {}
    for fn in sorted(os.listdir(os.path.join("tests", lab))):
        if fn.startswith("test_") and fn.endswith(".c"):
            with open(os.path.join("tests", lab, fn), encoding="utf-8") as f:
                for name in re.findall(r"KT_TEST(?:_TIMEOUT)?\(\s*(\w+)\s*,", f.read()):
                    names[name] = fn[:-2]
    return names


def run_one(lab, patch, cc):
    """Apply, build, grade; return (ok, report lines)."""
    name = os.path.splitext(os.path.basename(patch))[0]
    bug, caught, err = parse(patch)
    if err:
        return False, [f"{patch}: {err}"]
    programs = lab_tests(lab)
    unknown = [t for t in caught if t not in programs]
    if unknown:
        return False, [f"{patch}: caught-by names no test of Lab {lab[:2]}: {' '.join(unknown)}"]
    scratch = os.path.join(BUILD, "bugs", cc, lab, name)
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(os.path.join(scratch, "solutions"))
    shutil.copytree(os.path.join("solutions", lab), os.path.join(scratch, "solutions", lab))
    # The scratch copy lies inside this repository: stop git from finding it, or `git apply`
    # would take the paths as relative to the repository's root and skip them all silently.
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.abspath(os.path.dirname(scratch)))
    ap = subprocess.run(["git", "apply", os.path.abspath(patch)], cwd=scratch, env=env,
                        capture_output=True, text=True)
    if ap.returncode != 0:
        return False, [f"{patch}: does not apply to solutions/{lab} (refresh it with git diff):",
                       ap.stderr.strip()]
    gdir = os.path.join(scratch, "grade")
    log = os.path.join(scratch, "grade.log")
    # Only the test programs that hold a caught-by test, with shorter time limits: a bug
    # that hangs a test costs its limit, and these runs only need to see it fail.
    only = " ".join(sorted({programs[t] for t in caught}))
    started = time.time()
    with open(log, "w") as out:
        subprocess.run([MAKE, "--no-print-directory", "grade", "MODE=patched", f"CC={cc}", "WERROR=-Werror",
                        f"GRADED_ROOT={scratch}/solutions", f"GDIR={gdir}", f"LAB={lab[:2]}", "NPROC=1",
                        f"ONLY={only}", "GRADE_FLAGS=--timeout-scale 0.5 --only-tests " + ",".join(caught)],
                       stdout=out, stderr=subprocess.STDOUT)
    took = time.time() - started
    results = os.path.join(gdir, "results.json")
    if not os.path.exists(results):
        with open(log) as f:
            tail = f.read().splitlines()[-15:]
        return False, [f"{patch}: the patched lab did not build or grade (log: {log}):"] + tail
    with open(results, encoding="utf-8") as f:
        tests = json.load(f)["tests"]
    lines, ok = [], True
    for want in caught:
        runs = [t for t in tests if re.match(r"Lab \d+ › " + re.escape(want) + r"( \[.*\])?$", t["name"])]
        failed = [t for t in runs if t["status"] == "failed"]
        if not runs:
            ok = False
            lines.append(f"  {want}: did not run (log: {log})")
        elif not failed:
            ok = False
            lines.append(f"  {want}: PASSES with the bug, so it does not catch it")
        elif not any("§" in t["output"] for t in failed):
            ok = False
            lines.append(f"  {want}: fails, but its message names no book section:")
            lines.append("    " + failed[0]["output"].splitlines()[0] if failed[0]["output"] else "    (empty)")
    head = f"{'caught' if ok else 'MISSED'}  {lab[:2]}/{name} ({took:.0f} s): {bug}"
    return ok, [head] + lines


def main(argv):
    jobs = os.cpu_count() or 2
    cc = os.environ.get("CC", "gcc")
    picks = []
    i = 0
    while i < len(argv):
        if argv[i] == "--jobs":
            jobs = int(argv[i + 1])
            i += 2
        elif argv[i] == "--cc":
            cc = argv[i + 1]
            i += 2
        else:
            picks.append(argv[i])
            i += 1
    os.chdir(ROOT)
    labs = sorted(d for d in os.listdir("tests") if re.match(r"\d\d-", d))
    work = []
    for lab in labs:
        bdir = os.path.join("tests", lab, "bugs")
        if not os.path.isdir(bdir) or not os.path.isdir(os.path.join("solutions", lab)):
            continue
        for fn in sorted(os.listdir(bdir)):
            p = os.path.join(bdir, fn)
            if fn.endswith(".patch") and (not picks or lab[:2] in picks or lab in picks or p in picks
                                          or os.path.abspath(p) in map(os.path.abspath, picks)):
                work.append((lab, p))
    if not work:
        print("bugs: no patches to run")
        return 0
    start = time.time()
    # Build what every patched run shares (lib, harness, the tests, the other labs) once, so
    # the parallel runs compile only their own patched files and never race on an object.
    used = sorted({lab[:2] for lab, _ in work})
    pre = subprocess.run([MAKE, "--no-print-directory", "build-tests", "MODE=solutions", f"CC={cc}",
                          "WERROR=-Werror", f"LAB={' '.join(used)}"], capture_output=True, text=True)
    if pre.returncode != 0:
        print(pre.stdout[-3000:] + pre.stderr[-3000:])
        print("bugs: the solutions do not build")
        return 1
    missed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = [ex.submit(run_one, lab, p, cc) for lab, p in work]
        for f in futs:
            ok, lines = f.result()
            missed += not ok
            print("\n".join(lines), flush=True)
    print(f"bugs: {len(work) - missed} of {len(work)} common bugs caught ({time.time() - start:.0f} s, {cc})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
