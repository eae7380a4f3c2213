#!/usr/bin/env python3
"""attacks.py — hostile submissions against the grader, and honest ones beside them.

    python3 tools/grader/selftest/attacks.py OUTDIR [NAME...]     (CC=gcc by default)

Each file in tools/grader/selftest/attacks/ is one submission for Lab 01: its
code goes into the starter's (or the solution's) loop.c, its `setup:` line
arranges labs/ around it, and it is graded in a scratch copy of the kit the
way an instructor grades (the student's labs/ over a pristine kit, then
`make grade LAB=01`). A hostile one (`kind:`) must earn nothing and show each
`expect:` text; an honest one (`honest:`) must be graded normally (`score:`).
In `score:` and `expect:`, {max01} stands for Lab 01's total points in that grading.
After every grading: the kit's own files are unchanged, no test process is
left, nothing the tests wrote is left in the temp dirs, no file named *pwned*
appeared, and no escape byte reached the terminal.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.realpath(os.path.join(HERE, "..", "..", ".."))
KIT_PARTS = ["Makefile", "lib", "tests", "tools", "solutions", "labs"]
CC = os.environ.get("CC", "gcc")
ROOTED = os.geteuid() == 0


def header(path):
    text = open(path, encoding="utf-8").read()
    head = text[:text.index("*/")]
    meta = {"expect": []}
    for line in head.splitlines():
        m = re.match(r"^\s*(?:/\*|\*)\s*(\w+):\s*(.*)$", line)
        if m:
            if m.group(1) == "expect":
                meta["expect"].append(m.group(2))
            else:
                meta[m.group(1)] = m.group(2)
    return meta, text[text.index("*/") + 2:]


def snapshot(kit):
    h = {}
    for part in KIT_PARTS[:-1]:
        p = os.path.join(kit, part)
        paths = [p] if os.path.isfile(p) else [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs]
        for f in sorted(paths):
            if "/hidden/" in f:
                continue
            with open(f, "rb") as fh:
                h[os.path.relpath(f, kit)] = hashlib.sha1(fh.read()).hexdigest()
    return h


def make_loop(kit, base, code):
    if base == "solution":
        src = open(os.path.join(kit, "solutions/01-callbacks/loop.c"), encoding="utf-8").read()
        sig = "int kt_call_soon(kt_loop *loop, kt_callback_fn cb, void *arg, kt_handle **handle_out)\n{\n"
        assert sig in src
        src = src.replace(sig, sig + "    if (attack_hook())\n        return KT_EINVAL;\n", 1)
    else:
        src = open(os.path.join(ROOT, "labs/01-callbacks/loop.c"), encoding="utf-8").read()
        src = src.replace("    return KT_ENOTIMPL;", "    attack_hook();\n    return KT_ENOTIMPL;", 1)
    last = [m.end() for m in re.finditer(r"^#include .*\n", src, re.M)][-1]
    return src[:last] + "\n/* ---- the submission's own code ---- */\n" + code + "\n" + src[last:]


def setup(kit, what, loop):
    lab = os.path.join(kit, "labs/01-callbacks")
    path = os.path.join(lab, "loop.c")
    w = lambda p, t: open(p, "w", encoding="utf-8", errors="surrogateescape").write(t)
    if what == "extra-libc-file":
        w(os.path.join(lab, "libc_override.c"), "#include <unistd.h>\nvoid _exit(int s) { for (;;) {} }\n")
    elif what == "extra-dirs":
        for d in ("labs/zz-extra", "labs/01-callbacks/sub"):
            os.makedirs(os.path.join(kit, d))
            shutil.copy(os.path.join(kit, "solutions/01-callbacks/loop.c"), os.path.join(kit, d, "evil.c"))
    elif what == "symlink-solution":
        os.unlink(path)
        os.symlink(os.path.join(kit, "solutions/01-callbacks/loop.c"), path)
        return
    elif what == "include-solution":
        loop = '#include "../../solutions/01-callbacks/loop.c"\n#include "%s/solutions/01-callbacks/loop.c"\n' % kit
    elif what == "fifo":
        os.mkfifo(os.path.join(lab, "loop.h"))
        os.mkfifo(os.path.join(kit, "labs/00-nonblock/nonblock.c.fifo"))
    elif what == "names":
        w(os.path.join(lab, "README.md"), "# Lab 01 — $(shell touch %s/pwned-make) $(touch %s/pwned-sh) `touch "
          "%s/pwned-bq` \x1b[2J\x1b[32mPASS 51/51\n" % (kit, kit, kit))
        w(os.path.join(lab, "$(shell touch pwned-name).c"), "int x;\n")
        os.makedirs(os.path.join(kit, "labs", "$(shell touch pwned-dir)"))
        w(os.path.join(lab, "\x1b[31mfull marks\x1b[0m.c"), "int y;\n")
    elif what == "escape-error":
        loop = loop.replace("/* ---- the submission's own code ---- */",
                            "#error \"\x1b[2J\x1b[H\x1b[32m  PASS 51/51\x1b[0m\"\n", 1)
    elif what == "hidden-test":
        os.makedirs(os.path.join(kit, "tests/01-callbacks/hidden"))
        w(os.path.join(kit, "tests/01-callbacks/hidden/test_hidden.c"),
          '/* KETTLE-HIDDEN-SOURCE-MARKER: only the instructor may read this file */\n'
          '#include "ktest.h"\n#include "kettle/loop.h"\n#include "kettle/errors.h"\n'
          'static void hidden_rule(void **s) { (void)s;\n'
          '    KT_CHECK_ERR(kt_call_soon(NULL, NULL, NULL, NULL), KT_EINVAL, "a hidden rule"); }\n'
          'static const kt_test_case tests[] = { KT_TEST(hidden_rule, 5, "a hidden rule") };\n'
          'KT_MAIN("hidden", tests)\n')
    elif what == "notes":
        w(os.path.join(lab, "notes.txt"), "my notes\n")
        w(os.path.join(lab, "scratch.c"), "int scratch;\n")
    elif what == "syntax-error":
        loop = loop.replace("/* ---- the submission's own code ---- */", "int broken(void) { return 1 }\n", 1)
        shutil.copy(os.path.join(kit, "solutions/00-nonblock/nonblock.c"), os.path.join(kit, "labs/00-nonblock"))
    w(path, loop)


def leftovers(kit):
    """Processes a grading left: any whose program is in the scratch kit (whatever
    it calls itself now), or whose command line names it."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            exe = os.readlink("/proc/%s/exe" % pid)
        except OSError:
            exe = ""
        try:
            cmd = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if exe.startswith(kit + "/build/") or (kit + "/build/") in cmd:
            out.append("%s: %s" % (pid, cmd[:100]))
    return out


def temp_litter():
    found = []
    for d in ("/tmp", "/var/tmp", "/dev/shm"):
        found += glob.glob(d + "/kettle-attack*")
    return sorted(set(found))


def main(argv):
    out = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(ROOT, "build/attacks"))
    only = set(argv[2:])
    kit = os.path.join(out, "kit")
    if os.path.exists(kit):
        subprocess.run(["rm", "-rf", kit], check=True)
    os.makedirs(kit)
    for part in KIT_PARTS:
        src = os.path.join(ROOT, part)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(kit, part))
    pristine_labs = os.path.join(out, "labs.pristine")
    subprocess.run(["rm", "-rf", pristine_labs], check=True)
    shutil.copytree(os.path.join(kit, "labs"), pristine_labs)
    before = snapshot(kit)
    real_before = snapshot(ROOT)
    failures = 0
    files = sorted(glob.glob(os.path.join(HERE, "attacks", "*.c")))
    for f in files:
        name = os.path.basename(f)[:-2]
        if only and name not in only:
            continue
        meta, code = header(f)
        if meta.get("root") == "yes" and not ROOTED:
            print("  skip  %s (needs root: the sandbox exists only when grading as root)" % name)
            continue
        subprocess.run(["rm", "-rf", os.path.join(kit, "labs"), os.path.join(kit, "tests/01-callbacks/hidden")],
                       check=True)
        shutil.copytree(pristine_labs, os.path.join(kit, "labs"))
        setup(kit, meta.get("setup", ""), make_loop(kit, meta.get("base", "starter"), code))
        results = os.path.join(kit, "build/grade/student-%s/results.json" % CC)
        if os.path.exists(results):
            os.unlink(results)
        labs = meta.get("labs", "01")
        r = subprocess.run(["make", "--no-print-directory", "grade", "LAB=" + labs, "CC=" + CC, "BRIEF="],
                           cwd=kit, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        text = r.stdout.decode("utf-8", "replace")
        log = os.path.join(out, name + ".txt")
        open(log, "w", encoding="utf-8").write(text)
        why = []
        try:
            res = json.load(open(results, encoding="utf-8"))
        except (OSError, ValueError) as e:
            res = None
            why.append("no valid results.json (%s)" % e)
        # {max00}, {max01}: a lab's total points, from this grading (tests come and go).
        maxes = {}
        for t in (res or {}).get("tests", []):
            key = "max" + t["number"].split(".")[0]
            maxes[key] = maxes.get(key, 0) + t["max_score"]
        fill = lambda text: re.sub(r"\{(max\d\d)\}", lambda m: str(maxes.get(m.group(1), "?")), text)
        if res is not None:
            lab01 = sum(t["score"] for t in res["tests"] if t["number"].startswith("01."))
            lab01_max = maxes.get("max01", 0)
            want = fill(meta.get("score", "0"))
            if "honest" in meta:
                if want == "some" and not 0 < lab01 < lab01_max:
                    why.append("an honest wrong submission scored %d/%d" % (lab01, lab01_max))
                if want.isdigit() and res["score"] != int(want):
                    why.append("scored %d, expected %s" % (res["score"], want))
                if "was rejected" in text:
                    why.append("honest code was rejected")
            elif res["score"] != 0:
                why.append("a hostile submission earned %d points" % res["score"])
            hidden = [t for t in res["tests"] if t.get("visibility") == "hidden"]
            if meta.get("setup") == "hidden-test" and not hidden:
                why.append("the hidden test is not marked hidden in results.json")
        for e in map(fill, meta["expect"]):
            if e not in text:
                why.append("the output lacks: " + e)
        if "\x1b" in text:
            why.append("an escape byte reached the terminal")
        if "KETTLE-HIDDEN-SOURCE-MARKER" in text or (os.path.exists(results) and
                                                     "KETTLE-HIDDEN-SOURCE-MARKER" in open(results).read()):
            why.append("the hidden test's source was shown")
        if snapshot(kit) != before:
            changed = [k for k in set(before) | set(snapshot(kit)) if before.get(k) != snapshot(kit).get(k)]
            why.append("the kit changed: " + ", ".join(sorted(changed)[:5]))
            for k in changed:  # put it back for the next one
                if os.path.exists(os.path.join(ROOT, k)):
                    shutil.copy(os.path.join(ROOT, k), os.path.join(kit, k))
        left = leftovers(kit)
        if left:
            why.append("processes left: " + "; ".join(left[:3]))
        litter = temp_litter()
        if litter:
            why.append("left in the temp dirs: " + ", ".join(litter[:3]))
            for l in litter:
                subprocess.run(["rm", "-rf", l])
        pwned = [p for p in glob.glob(kit + "/**/*pwned*", recursive=True) if "/labs/" not in p]
        if pwned:
            why.append("something ran: " + ", ".join(pwned))
        kind = "honest" if "honest" in meta else "kind " + meta.get("kind", "?").split()[0]
        if why:
            failures += 1
            print("  FAIL  %-24s %s\n        %s\n        (output: %s)" % (name, kind, "\n        ".join(why), log))
        else:
            print("  ok    %-24s %-7s %s" % (name, kind, meta.get("tries", meta.get("honest", ""))[:80]))
    if snapshot(ROOT) != real_before:
        print("  FAIL  the real kit changed while attacks ran")
        failures += 1
    print("attacks: %s" % ("OK" if failures == 0 else "%d FAILED" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
