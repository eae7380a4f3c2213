"""grade.py — grade one submission in a pristine copy of the kit.

Used by run_autograder (Gradescope) and grade_all.py (a whole class). The
copy is made fresh from the instructor's kit for every submission; only the
files the lab owns are taken from the submission (kit.Submission); the
grader of the copy grades them (make test LAB=NN) under a wall-clock limit,
and the whole process group goes when the limit is reached. Whatever the
submission does, it can only change its own copy and its own verdict.
"""
import json
import os
import shutil
import signal
import subprocess
import time

import kit


def prepare_base(pristine, lab, base, cc="cc"):
    """A copy of the kit with everything but the student's files already
    compiled, so that grading a submission compiles only the student's files."""
    if os.path.exists(base):
        shutil.rmtree(base)
    kit.copy_kit(pristine, base)
    for extra in ("tests",):  # hidden tests are untracked in a grading copy: take them too
        src = os.path.join(pristine, extra)
        for d, _, names in os.walk(src):
            if "/hidden" in d.replace(os.sep, "/") + "/":
                for n in names:
                    rel = os.path.relpath(os.path.join(d, n), pristine)
                    os.makedirs(os.path.dirname(os.path.join(base, rel)), exist_ok=True)
                    shutil.copy2(os.path.join(pristine, rel), os.path.join(base, rel))
    proc = subprocess.run(["make", "--no-print-directory", "-C", base, "deps"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise kit.KitError("setup failed:\n" + proc.stdout + proc.stderr)
    # Build the test binaries once on the starters: every object but the
    # student's is then up to date in every copy made from this base.
    subprocess.run(["make", "--no-print-directory", "-C", base, "build-tests", "LAB=" + lab[:2], "CC=" + cc],
                   capture_output=True, text=True)
    return base


def max_points(base, lab, cc="cc"):
    """The lab's total points, from grading the starter once (a row whose
    grading never finished still shows what it was out of)."""
    work = base + "-starter"
    copy_base(base, work)
    try:
        run_limited(["make", "--no-print-directory", "grade", "LAB=" + lab[:2], "CC=" + cc], work, 900)
        path = os.path.join(work, "build", "grade", "student-" + os.path.basename(cc), "results.json")
        with open(path, encoding="utf-8") as f:
            return json.load(f).get("max_score", 0)
    except (OSError, ValueError):
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def copy_base(base, work):
    if os.path.exists(work):
        shutil.rmtree(work)
    shutil.copytree(base, work, symlinks=True)


def run_limited(cmd, cwd, timeout, env=None):
    """Run cmd in its own process group; kill the group at the limit."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        timed_out = True
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything it left behind
    except ProcessLookupError:
        pass
    return proc.returncode, out.decode("utf-8", "replace"), timed_out, time.monotonic() - start


def grade(base, submission, lab, work, timeout=600, jobs=1, cc="cc", hidden=None, max_score=0):
    """Grade one submission; returns a dict with the verdict and its evidence."""
    copy_base(base, work)
    result = {"points": 0, "max": max_score, "passed": 0, "failed": 0, "notes": [], "output": "", "results": None}
    try:
        files = kit.Submission(submission).files(kit.owned_files(work, lab))
    except (kit.KitError, OSError, EOFError, ValueError) as e:  # a broken archive is the student's row only
        result["notes"].append("submission unreadable: %s" % e)
        files = {}
    result["notes"] += kit.place(files, work)
    cmd = ["make", "--no-print-directory", "test", "LAB=" + lab[:2], "NPROC=%d" % jobs, "CC=" + cc]
    if hidden:
        cmd.append("HIDDEN=" + hidden)
    rc, out, timed_out, secs = run_limited(cmd, work, timeout)
    result["output"] = out
    result["seconds"] = secs
    if timed_out:
        result["notes"].append("grading took longer than %d s and was stopped" % timeout)
    path = os.path.join(work, "build", "grade", "student-" + os.path.basename(cc), "results.json")
    if os.path.isfile(path) and not timed_out:
        with open(path, encoding="utf-8") as f:
            res = json.load(f)
        result["results"] = res
        tests = res.get("tests", [])
        result["points"] = res.get("score", 0)
        result["max"] = res.get("max_score", sum(t.get("max_score", 0) for t in tests))
        result["passed"] = sum(1 for t in tests if t.get("status") == "passed")
        result["failed"] = len(tests) - result["passed"]
        first = next((t for t in tests if t.get("status") != "passed"), None)
        if first is not None:
            why = (first.get("output") or "").strip().split("\n")[0]
            result["first_failure"] = "%s: %s" % (first.get("name", "?"), why)
    else:
        result["notes"].append("no results (the build or the grader did not finish): see the report")
    return result


def gradescope_results(result, lab):
    """Gradescope's results.json for one graded submission."""
    res = result.get("results")
    notes = "\n".join(result["notes"])
    if res is None:
        return {"score": 0, "output": "Lab %s could not be graded.\n%s\n\n%s" % (lab, notes, result["output"][-4000:]),
                "stdout_visibility": "visible", "tests": []}
    out = dict(res)
    if notes:
        out["output"] = notes + "\n" + res.get("output", "")
    out.setdefault("stdout_visibility", "visible")
    return out
