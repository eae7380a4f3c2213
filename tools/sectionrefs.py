#!/usr/bin/env python3
"""Check that every book section a file cites ("book §1.6", "§5.2") exists.

The book's numbered headings ("## 1.6 Handles and cancel", "### 3.6.1 ...")
are read from book/docs; every "§N.M" in the tests, the labs, the solutions,
lib's headers and sources, the apps and the book itself must name one of
them. A wrong number sends a student to the wrong page, so make check fails
with file:line for each.

usage: sectionrefs.py            check the whole tree (exit 1 on a bad reference)
       sectionrefs.py FILE...    check these files only
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADING = re.compile(r"^#{1,6}\s+((?:\d+|[A-Z])(?:\.\d+)+)\.?\s")
REF = re.compile(r"§\s?((?:\d+|[A-Z])(?:\.\d+)+)")
SCAN = ["tests", "labs", "solutions", "lib", "book/docs", "tools/grader", "bench", "README.md", "CONTRIBUTING.md"]
SUFFIXES = (".c", ".h", ".md", ".py", ".sh", ".txt")


def headings():
    found = {}
    for dirpath, _, files in os.walk(os.path.join(ROOT, "book", "docs")):
        for fn in sorted(files):
            if not fn.endswith(".md"):
                continue
            path = os.path.join(dirpath, fn)
            in_fence = False
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.lstrip().startswith(("```", "~~~")):
                        in_fence = not in_fence
                    m = None if in_fence else HEADING.match(line)
                    if m:
                        found.setdefault(m.group(1), os.path.relpath(path, ROOT))
    return found


def files_to_scan(args):
    if args:
        yield from args
        return
    for top in SCAN:
        p = os.path.join(ROOT, top)
        if os.path.isfile(p):
            yield p
            continue
        for dirpath, dirs, files in os.walk(p):
            dirs[:] = [d for d in dirs if d not in ("build", "__pycache__", "node_modules")]
            for fn in sorted(files):
                if fn.endswith(SUFFIXES):
                    yield os.path.join(dirpath, fn)


def main(argv):
    known = headings()
    bad = 0
    for path in files_to_scan(argv):
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.readlines()
        except (UnicodeDecodeError, OSError):
            continue
        for n, line in enumerate(lines, 1):
            for m in REF.finditer(line):
                num = m.group(1).rstrip(".")
                if num not in known:
                    bad += 1
                    print(f"{os.path.relpath(path, ROOT)}:{n}: §{num} names no heading of the book")
    if bad:
        print(f"sectionrefs: {bad} reference(s) to sections that do not exist "
              f"(the book's numbered headings are in book/docs/**/*.md)")
        return 1
    print(f"sectionrefs: every § reference names a heading of the book ({len(known)} numbered headings)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
