#!/usr/bin/env python3
"""submission.py LAB [OUT] — pack what you hand in for one lab (make submission LAB=NN).

Takes exactly the files you own in that lab (its modules and the programs it
asks for), checks that each one is there, is a plain file, and, when your kit
is a git repository, that it is committed, then writes
submission-labNN.tar.gz. Nothing else of your kit goes in: the grader uses
its own copy of everything else.
"""
import argparse
import os
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kit  # noqa: E402


def uncommitted(root, files):
    """Files git sees as changed or untracked, or None outside a repository."""
    try:
        inside = subprocess.run(["git", "-C", root, "rev-parse", "--is-inside-work-tree"],
                                capture_output=True, text=True)
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        out = subprocess.run(["git", "-C", root, "status", "--porcelain", "--"] + files,
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return [line[3:] for line in out.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lab")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--allow-uncommitted", action="store_true")
    args = ap.parse_args()
    root = kit.root()
    try:
        lab = kit.resolve_lab(root, args.lab)
        files = kit.owned_files(root, lab)
    except kit.KitError as e:
        sys.exit("submission: %s" % e)
    problems = []
    for f in files:
        path = os.path.join(root, f)
        if not os.path.lexists(path):
            problems.append("%s is missing" % f)
        elif os.path.islink(path) or not os.path.isfile(path):
            problems.append("%s is not a plain file (a link or a device): the grader takes plain files only" % f)
        elif os.path.getsize(path) > kit.MAX_FILE:
            problems.append("%s is larger than %d bytes" % (f, kit.MAX_FILE))
    changed = uncommitted(root, files)
    if changed and not args.allow_uncommitted:
        problems += ["%s has changes that are not committed (git add and git commit it first)" % c for c in changed]
    if problems:
        print("submission: not packed, because:", file=sys.stderr)
        for p in problems:
            print("  - " + kit.printable(p), file=sys.stderr)
        sys.exit(1)
    out = args.out or os.path.join(root, "submission-lab%s.tar.gz" % lab[:2])
    with tarfile.open(out, "w:gz") as tf:
        for f in files:
            tf.add(os.path.join(root, f), arcname=f, recursive=False)
    print("submission: %s holds your lab %s files:" % (out, lab))
    for f in files:
        print("  " + f)
    if changed is None:
        print("submission: (your kit is not a git repository, so nothing checked that these are committed)")


if __name__ == "__main__":
    main()
