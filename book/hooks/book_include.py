"""@code path[#region]: weave a real source file (or one region of it) into
the book as a fenced code block with the path as its title.

A region is marked in the source by a pair of comment lines:

    /* [book:NAME] */  ...  /* [/book:NAME] */      C
    // [book:NAME]     ...  // [/book:NAME]          C, C++
    # [book:NAME]      ...  # [/book:NAME]           shell, Python, make
    <!-- [book:NAME] --> ... <!-- [/book:NAME] -->   Markdown, HTML

Marker lines never appear in the book, whether they belong to the region
being shown or to another one (regions may nest or overlap). The region's
common indentation is removed, so a region cut from the middle of a
function still starts at column 0.
"""
import os
import re
import textwrap

# Any marker line, opening or closing, in any of the four comment styles.
MARKER = re.compile(
    r"^\s*(?:/\*|//|#|<!--)\s*\[(?P<close>/?)book:(?P<name>[A-Za-z0-9_.-]+)\]\s*(?:\*/|-->)?\s*$")

# Solution fences of tools/starters.py. In a walkthrough they would only be
# noise (the hint they carry is the lab chapter's business), so they go too.
SOLUTION_BEGIN = re.compile(r"^\s*/\* BEGIN SOLUTION\b")
SOLUTION_END = re.compile(r"^\s*/\* END SOLUTION \*/\s*$")

LANGUAGES = {
    ".c": "c", ".h": "c", ".py": "python", ".sh": "sh", ".mk": "make",
    ".md": "markdown", ".yml": "yaml", ".yaml": "yaml", ".json": "json",
    ".dot": "dot", ".S": "gas", ".s": "gas", ".txt": "text", ".out": "text",
    ".expected": "text", ".ldflags": "text",
}
NAMES = {"Makefile": "make", "GNUmakefile": "make", "variants": "text"}


class IncludeError(Exception):
    """A missing file or region; the hook turns it into a build failure."""


def language_of(path):
    base = os.path.basename(path)
    if base in NAMES:
        return NAMES[base]
    return LANGUAGES.get(os.path.splitext(base)[1], "text")


def drop_solution_fences(lines):
    """Remove the BEGIN SOLUTION comment (up to its closing */) and END lines."""
    out, in_hint = [], False
    for line in lines:
        if in_hint:
            in_hint = "*/" not in line
        elif SOLUTION_BEGIN.match(line):
            in_hint = "*/" not in line[line.index("BEGIN SOLUTION"):]
        elif not SOLUTION_END.match(line):
            out.append(line)
    return out


def extract(text, region, path):
    """Return the lines of `region` in `text` (all of it if region is None),
    without marker lines, dedented, with outer blank lines trimmed."""
    lines = text.splitlines()
    if region is None:
        body = lines
    else:
        starts = [i for i, l in enumerate(lines)
                  if (m := MARKER.match(l)) and not m.group("close") and m.group("name") == region]
        ends = [i for i, l in enumerate(lines)
                if (m := MARKER.match(l)) and m.group("close") and m.group("name") == region]
        if not starts:
            raise IncludeError(f"region '{region}' not found in {path} "
                               f"(mark it with [book:{region}] ... [/book:{region}])")
        if len(starts) > 1 or len(ends) > 1:
            raise IncludeError(f"region '{region}' is marked more than once in {path}")
        if not ends or ends[0] < starts[0]:
            raise IncludeError(f"region '{region}' in {path} has no closing [/book:{region}] after line {starts[0] + 1}")
        body = lines[starts[0] + 1:ends[0]]
    body = [l for l in body if not MARKER.match(l)]
    body = drop_solution_fences(body)
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    if not body:
        raise IncludeError(f"{'region ' + repr(region) + ' of ' if region else ''}{path} is empty")
    return textwrap.dedent("\n".join(body)).split("\n")


def render(root, arg, indent=""):
    """The Markdown that replaces `@code arg`: a titled fenced code block."""
    path, _, region = arg.partition("#")
    full = os.path.normpath(os.path.join(root, path))
    if not full.startswith(os.path.normpath(root) + os.sep):
        raise IncludeError(f"{path} is outside the repository")
    if not os.path.isfile(full):
        raise IncludeError(f"file not found: {path} (paths are relative to the repository root)")
    with open(full, encoding="utf-8") as f:
        body = extract(f.read(), region or None, path)
    # A fence longer than any run of backticks in the code, so Markdown
    # files with their own fences can be shown too.
    longest = max([len(r) for l in body for r in re.findall(r"`+", l)] + [0])
    fence = "`" * max(3, longest + 1)
    out = [f'{fence}{language_of(path)} title="{path}"'] + body + [fence]
    return [indent + l if l else l for l in out]
