#!/usr/bin/env python3
"""Generate the student starters in labs/ from the solutions in solutions/.

In a solution file, each block of solution code is fenced like this:

    /* BEGIN SOLUTION
     * TODO(lab 01): what the student must write, in a sentence or three.
     * starter: (void)loop;
     * starter: return KT_ENOTIMPL;
     */
    ... the solution code ...
    /* END SOLUTION */

The starter keeps everything outside the fences. Each fenced block becomes
the hint that follows BEGIN SOLUTION: the prose lines as a TODO comment, and
the `starter:` lines as code (usually just enough to compile warning-free
and return KT_ENOTIMPL). Indentation follows the BEGIN line.

usage: starters.py SOLUTIONS_DIR OUT_DIR      write starters for every lab
       starters.py --check SOLUTIONS_DIR LABS_DIR   exit 1 if LABS_DIR drifts
       starters.py --check-released SOLUTIONS_DIR LABS_DIR   the same, for the labs
                   whose solution is present only (a handout)
"""
import difflib
import os
import re
import sys

BEGIN = re.compile(r"^(\s*)/\* BEGIN SOLUTION\s*(.*)$")
END = re.compile(r"^\s*/\* END SOLUTION \*/\s*$")
STARTER_SUFFIXES = (".c", ".h")


class MarkerError(Exception):
    pass


def hint_lines(indent, first, comment_lines):
    """Turn the comment after BEGIN SOLUTION into the starter's lines."""
    text = [first] + comment_lines
    prose, code = [], []
    for raw in text:
        line = raw.strip()
        if line.endswith("*/"):
            line = line[:-2].rstrip()
        if line.startswith("*"):
            line = line[1:].strip() if line != "*" else ""
        if line.startswith("starter:"):
            code.append(line[len("starter:"):].strip())
        elif line or prose:
            prose.append(line)
    while prose and not prose[-1]:
        prose.pop()
    out = []
    if prose:
        if len(prose) == 1:
            out.append(f"{indent}/* {prose[0]} */")
        else:
            out.append(f"{indent}/* {prose[0]}")
            out.extend(f"{indent} * {p}".rstrip() for p in prose[1:])
            out.append(f"{indent} */")
    out.extend(f"{indent}{c}" for c in code)
    return out


def make_starter(path, lines):
    out, i, n = [], 0, len(lines)
    while i < n:
        m = BEGIN.match(lines[i])
        if not m:
            if END.match(lines[i]):
                raise MarkerError(f"{path}:{i + 1}: END SOLUTION without BEGIN SOLUTION")
            out.append(lines[i])
            i += 1
            continue
        indent, first = m.group(1), m.group(2)
        start = i
        comment = []
        closed = first.rstrip().endswith("*/")
        if closed:
            first = first.rstrip()[:-2]
        i += 1
        while not closed:
            if i >= n:
                raise MarkerError(f"{path}:{start + 1}: the BEGIN SOLUTION comment never closes")
            comment.append(lines[i])
            closed = lines[i].rstrip().endswith("*/")
            i += 1
        while i < n and not END.match(lines[i]):
            if BEGIN.match(lines[i]):
                raise MarkerError(f"{path}:{i + 1}: BEGIN SOLUTION inside another block")
            i += 1
        if i >= n:
            raise MarkerError(f"{path}:{start + 1}: BEGIN SOLUTION has no END SOLUTION")
        i += 1  # skip END
        out.extend(hint_lines(indent, first.strip(), comment))
    return out


def starter_files(solutions):
    for root, dirs, files in os.walk(solutions):
        dirs.sort()
        for f in sorted(files):
            yield os.path.relpath(os.path.join(root, f), solutions)


def render(solutions, rel):
    src = os.path.join(solutions, rel)
    with open(src, encoding="utf-8") as fh:
        text = fh.read()
    if not rel.endswith(STARTER_SUFFIXES):
        return text
    lines = make_starter(src, text.split("\n"))
    return "\n".join(lines)


def generate(solutions, out):
    for rel in starter_files(solutions):
        dst = os.path.join(out, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w", encoding="utf-8") as fh:
            fh.write(render(solutions, rel))


def check(solutions, labs, released_only=False):
    drift = []
    for rel in starter_files(solutions):
        want = render(solutions, rel)
        path = os.path.join(labs, rel)
        try:
            with open(path, encoding="utf-8") as fh:
                got = fh.read()
        except FileNotFoundError:
            drift.append(f"{path}: missing (run `make starters`)")
            continue
        if got != want:
            diff = difflib.unified_diff(got.splitlines(), want.splitlines(), path, "generated", lineterm="", n=1)
            drift.append(f"{path}: differs from the starter generated from {os.path.join(solutions, rel)}\n"
                         + "\n".join(list(diff)[:20]))
    for lab in sorted(os.listdir(labs)):
        if released_only:
            break  # a handout: only the released labs have their solution here
        if os.path.isdir(os.path.join(labs, lab)) and not os.path.isdir(os.path.join(solutions, lab)):
            drift.append(f"{labs}/{lab}: no solution for this lab (labs/ comes from solutions/)")
    if drift:
        print("starters: labs/ has drifted from what `make starters` generates:", file=sys.stderr)
        for d in drift:
            print("  " + d.replace("\n", "\n    "), file=sys.stderr)
        print("starters: edit solutions/ and run `make starters`; never edit a starter by hand.", file=sys.stderr)
        return 1
    print(f"starters: labs/ matches the generated starters ({sum(1 for _ in starter_files(solutions))} files)")
    return 0


def main(argv):
    try:
        if len(argv) == 4 and argv[1] == "--check":
            return check(argv[2], argv[3])
        if len(argv) == 4 and argv[1] == "--check-released":
            return check(argv[2], argv[3], released_only=True)
        if len(argv) == 3:
            generate(argv[1], argv[2])
            return 0
    except MarkerError as e:
        print(f"starters: {e}", file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
