#!/usr/bin/env python3
"""pyblocks.py — run every Python block of the book and compare its output.

The book promises that every Python snippet runs as written on CPython 3.11
and prints what the book shows. This holds it to that: each ```python block
under book/docs (outside the woven @code files, which are real files) is run
on its own with python3, and must exit 0 within 20 s. When the next block,
separated only by blank lines, is a ```text block, that is the snippet's
output, and stdout must equal it exactly (trailing blank lines aside).

A block that is deliberately not a program (a fragment inside a sentence, a
signature) is marked by an HTML comment on the line just before it:

    <!-- fragment -->
    ```python
    ...

A block whose output shows measured times ("t=1.0", "0.3 s in all") is
marked <!-- timing -->: its numbers may then differ from the book's by
0.2 plus 20%, because a loaded machine runs late; the words must match.

A block that runs but burns seconds of CPU (a benchmark) is marked
<!-- slow --> the same way, and runs only with PYBLOCKS_SLOW=1, so that
`make check` stays fast on a loaded machine.

Usage: pyblocks.py [FILE.md ...]   (default: every page under book/docs)
"""
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "book", "hooks"))
import book_fences  # noqa: E402

FRAGMENT = "<!-- fragment -->"
SLOW = "<!-- slow -->"
TIMING = "<!-- timing -->"
NUMBER = re.compile(r"\d+\.\d+|\d+")
PYTHON = os.environ.get("PYTHON", "python3")


def blocks_of(path):
    """[(info, first line number, lines, index of line after the fence)]."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found, body, info, start = [], None, "", 0
    for i, line, kind in book_fences.walk(lines):
        if body is not None:
            if kind == "close":
                found.append((info, start, body, i + 1))
                body = None
            else:
                body.append(line)
        elif isinstance(kind, tuple):
            body, info, start = [], kind[1].group("info").strip().split(" ")[0], i + 1
    return lines, found


def snippets(path):
    """(where, code, expected output or None) for every runnable block."""
    lines, found = blocks_of(path)
    rel = os.path.relpath(path, ROOT)
    for k, (info, start, body, after) in enumerate(found):
        if info not in ("python", "py"):
            continue
        mark = lines[start - 2].strip() if start >= 2 else ""
        if mark == FRAGMENT or (mark == SLOW and os.environ.get("PYBLOCKS_SLOW") != "1"):
            continue
        expected = None
        if k + 1 < len(found):
            ninfo, nstart, nbody, _ = found[k + 1]
            if ninfo == "text" and all(not l.strip() for l in lines[after:nstart - 1]):
                expected = textwrap.dedent("\n".join(nbody)).rstrip()
        # A block inside a list item is indented with it.
        yield (f"{rel}:{start}", textwrap.dedent("\n".join(body)) + "\n", expected,
               mark == TIMING)


def run(item):
    """Run one snippet; a snippet that prints times ("t=1.0") may come out a
    tenth late on a busy machine, so a wrong output is tried twice more."""
    for _ in range(3):
        where, msg = run_once(item)
        if msg is None or not msg.startswith("prints"):
            break
    return where, msg


def same_output(got, expected, timing):
    """Exact, or for a timing block: the same words, numbers close enough."""
    if got == expected:
        return True
    if not timing or NUMBER.sub("#", got) != NUMBER.sub("#", expected):
        return False
    pairs = zip(NUMBER.findall(got), NUMBER.findall(expected))
    return all(abs(float(g) - float(e)) <= 0.2 + 0.2 * abs(float(e)) for g, e in pairs)


def run_once(item):
    where, code, expected, timing = item
    try:
        proc = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True,
                              timeout=20, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return where, "timed out after 20 s"
    if proc.returncode != 0:
        return where, f"exited with status {proc.returncode}:\n{proc.stderr.rstrip()}"
    got = proc.stdout.rstrip()
    if expected is not None and not same_output(got, expected, timing):
        return where, f"prints something other than the text block after it.\n--- the book shows:\n{expected}\n--- it prints:\n{got}"
    return where, None


def main(argv):
    paths = argv or sorted(glob.glob(os.path.join(ROOT, "book", "docs", "**", "*.md"), recursive=True))
    items = [s for p in paths for s in snippets(p)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, items))
    failed = [(w, msg) for w, msg in results if msg]
    for where, msg in failed:
        print(f"FAIL  {where}: {msg}")
    print(f"python blocks: {len(items) - len(failed)} ran as the book shows, {len(failed)} failed")
    return 1 if failed or not items else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
