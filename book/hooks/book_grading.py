"""@grading tests/NN-topic: the grading table of a lab, read from its tests.

Every tests/NN-topic/test_*.c lists its tests as

    KT_TEST(name, points, "rule (book §N.M)")
    KT_TEST_TIMEOUT(name, points, seconds, "rule " "continued")

possibly over several lines, with C string concatenation. The table shows
test / points / rule and a total, so the book can never disagree with what
the grader counts. When the directory has a `variants` file, the grader runs
and scores every test once per variant, and the total says so.
"""
import glob
import os
import re


class GradingError(Exception):
    pass


def strip_comments(src):
    """Blank out C comments, keeping string and char literals intact."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(" " * (j - i))
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


ENTRY = re.compile(
    r"\bKT_TEST(?P<timeout>_TIMEOUT)?\s*\(\s*(?P<name>[A-Za-z_]\w*)\s*,\s*(?P<points>\d+)\s*,"
    r"(?:\s*(?P<secs>[0-9.]+)\s*,)?(?P<strings>(?:\s*\"(?:[^\"\\\n]|\\.)*\")+)\s*\)")
STRING = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"")
ESCAPES = {"n": " ", "t": " ", "\\": "\\", "\"": "\"", "'": "'"}


def c_string(concatenated):
    """The value of adjacent C string literals (simple escapes only)."""
    text = "".join(STRING.findall(concatenated))
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text)


def tests_in(root, test_dir):
    """[(file, name, points, rule)] for every KT_TEST in test_dir, in file order."""
    full = os.path.join(root, test_dir)
    if not os.path.isdir(full):
        raise GradingError(f"test directory not found: {test_dir}")
    found = []
    for path in sorted(glob.glob(os.path.join(full, "test_*.c"))):
        with open(path, encoding="utf-8") as f:
            src = strip_comments(f.read())
        for m in ENTRY.finditer(src):
            if m.group("timeout") and m.group("secs") is None:
                raise GradingError(f"{os.path.relpath(path, root)}: KT_TEST_TIMEOUT({m.group('name')}) has no time limit")
            found.append((os.path.basename(path), m.group("name"), int(m.group("points")),
                          c_string(m.group("strings"))))
    if not found:
        raise GradingError(f"no KT_TEST entries found in {test_dir}/test_*.c")
    return found


def cell(text):
    """Make text safe inside a Markdown table cell."""
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
            .replace("<", "&lt;"))


def variants_of(root, test_dir):
    """Labels of the lab's variants file ("label KEY=VALUE ..." per line), if any."""
    path = os.path.join(root, test_dir, "variants")
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [l.split()[0] for l in f if l.strip() and not l.lstrip().startswith("#")]


SECTION = re.compile(r"book §((?:\d+|[A-Z])\.\d+)")


def linked(text, link_of):
    """Turn each "book §N.M" of an escaped cell into a link, when link_of knows it."""
    def one(m):
        target = link_of(m.group(1)) if link_of else None
        return f"[{m.group(0)}]({target})" if target else m.group(0)
    return SECTION.sub(one, text)


def render(root, test_dir, link_of=None):
    """The table's Markdown lines; link_of("N.M") gives a link target or None."""
    rows = tests_in(root, test_dir)
    variants = variants_of(root, test_dir)
    out = ["| test | points | rule |", "|---|---:|---|"]
    for _, name, points, rule in rows:
        # A long test name may break after an underscore, never mid-word.
        shown = name.replace("_", "_<wbr>")
        out.append(f"| <code>{shown}</code> | {points} | {linked(cell(rule), link_of)} |")
    total = sum(r[2] for r in rows)
    count = f"{len(rows)} test{'s' if len(rows) != 1 else ''}"
    if len(variants) > 1:
        # The grader runs (and scores) every test once per variant.
        count += f", each run once per variant: {', '.join(variants)}"
        total *= len(variants)
    out.append(f"| **total** | **{total}** | {count} |")
    return out
