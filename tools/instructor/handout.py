#!/usr/bin/env python3
"""handout.py OUT [--released "00 01"] — the students' copy of the kit (make handout).

Writes OUT/ (a directory), OUT.tar.gz (the same, to hand out) and OUT-book/
(the book built from it, to publish). The handout is the kit with:
  - labs/ as the starters (as in the kit);
  - no solutions/ but those of the released labs (RELEASED="00 01"), so the
    module-selection rule builds every later lab on a working runtime;
  - no walkthrough pages, no hidden tests (tests/*/hidden/), no common-bug
    patches of unreleased labs (they are diffs of the solution);
  - tools/instructor/owned.txt, which says which files each lab owns (the
    handout no longer has the solutions it is read from);
  - book/traces/: the traces the book's timelines are drawn from, made here
    from the reference solutions, so the handout's `make book` draws the same
    pictures without them;
  - a marker file, .kettle-handout, so that `make check` in the handout proves
    what a handout can: the kit builds, every test fails on the starters,
    the released solutions pass, the book builds.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kit  # noqa: E402


def released_labs(full, spec):
    labs = []
    for word in (spec or "").split():
        labs.append(kit.resolve_lab(full, word))
    return labs


def keeper(released):
    def keep(path):
        parts = path.split("/")
        if parts[0] == "solutions" and len(parts) > 1 and re.fullmatch(r"\d\d-.*", parts[1]):
            return parts[1] in released
        if parts[0] == "tests" and len(parts) > 2:
            if parts[2] == "hidden":
                return False
            if parts[2] == "bugs":
                return parts[1] in released
        if path.startswith("book/docs/walkthroughs/"):
            return False
        if path.startswith("book/traces/"):
            return False  # made fresh below
        return True
    return keep


def timeline_specs(full):
    specs = []
    docs = os.path.join(full, "book", "docs")
    for d, _, names in os.walk(docs):
        for n in names:
            if n.endswith(".md"):
                with open(os.path.join(d, n), encoding="utf-8") as f:
                    for line in f:
                        m = re.match(r"^@timeline[ \t]+(\S.*?)[ \t]*$", line)
                        if m and m.group(1) not in specs:
                            specs.append(m.group(1))
    return specs


def make_traces(full, out):
    """Run the book's traced demos in the full kit; keep their traces."""
    sys.path.insert(0, os.path.join(full, "book", "hooks"))
    import book_timeline
    os.makedirs(os.path.join(out, "book", "traces"), exist_ok=True)
    for spec in timeline_specs(full):
        path = book_timeline.trace_of(full, spec)
        shutil.copy(path, os.path.join(out, "book", "traces", book_timeline.trace_name(spec)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--released", default="", help='labs whose solutions go out, e.g. "00 01"')
    ap.add_argument("--no-book", action="store_true", help="do not build OUT-book")
    args = ap.parse_args()
    full = kit.root()
    try:
        released = released_labs(full, args.released)
        owned = kit.all_owned(full)
    except kit.KitError as e:
        sys.exit("handout: %s" % e)
    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    kit.copy_kit(full, out, keeper(released))
    with open(os.path.join(out, kit.OWNED_TXT), "w", encoding="utf-8") as f:
        f.write("# Which files each lab owns (written by make handout; see tools/instructor/kit.py).\n")
        f.write("\n".join(owned) + "\n")
    with open(os.path.join(out, ".kettle-handout"), "w", encoding="utf-8") as f:
        f.write("released: %s\n" % " ".join(released))
    make_traces(full, out)

    tar = out + ".tar.gz"
    with tarfile.open(tar, "w:gz") as tf:
        tf.add(out, arcname=os.path.basename(out))
    print("handout: %s (%s): %d labs, solutions released: %s" % (
        out, tar, len(kit.lab_dirs(out)), " ".join(released) or "none"))
    if not args.no_book:
        book = out + "-book"
        env = dict(os.environ, KETTLE_WALKTHROUGHS="0")
        proc = subprocess.run(["sh", os.path.join(out, "tools", "book", "build.sh"), book], env=env,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit("handout: the handout's book does not build:\n" + proc.stdout + proc.stderr)
        print("handout: its book, without walkthroughs: %s/index.html" % book)


if __name__ == "__main__":
    main()
