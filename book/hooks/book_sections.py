"""Where "book §N.M" points: the numbered sections of the book's pages.

A numbered section is a heading "## N.M Title" (or ###), N a chapter number
or letter (0-9..., A-D for the ideas chapters), optionally with an explicit
{#id}. The grading tables turn every "book §N.M" into a link with this.
"""
import os
import re

from markdown.extensions.toc import slugify

HEADING = re.compile(r"^#{2,3}\s+(?P<num>(?:\d+|[A-Z])\.\d+)\s+(?P<title>.*?)\s*(?:\{#(?P<id>[^}\s]+)\})?\s*$")
SKIP = ("walkthroughs/", "answers/")


def index(docs_dir, fences):
    """{"N.M": (src path relative to docs_dir, anchor)} over every page."""
    found = {}
    for top, _, names in os.walk(docs_dir):
        for name in sorted(names):
            if not name.endswith(".md"):
                continue
            src = os.path.relpath(os.path.join(top, name), docs_dir).replace(os.sep, "/")
            if src.startswith(SKIP):
                continue
            with open(os.path.join(top, name), encoding="utf-8") as f:
                lines = f.read().split("\n")
            for _, line, kind in fences.walk(lines):
                m = kind == "text" and HEADING.match(line)
                if m and m.group("num") not in found:
                    text = f"{m.group('num')} {m.group('title')}"
                    found[m.group("num")] = (src, m.group("id") or slugify(text, "-"))
    return found


def link(sections, number, from_src):
    """A Markdown link target for §number seen from page from_src, or None."""
    if number not in sections:
        return None
    src, anchor = sections[number]
    rel = os.path.relpath(src, os.path.dirname(from_src) or ".").replace(os.sep, "/")
    if src == from_src:
        rel = ""
    return f"{rel}#{anchor}"
