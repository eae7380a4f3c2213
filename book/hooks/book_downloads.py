"""A line `@downloads-timeline` on a page becomes the SVG timeline of the
Lab 06 demo (three downloads under gather, wait and as_completed), drawn
from a real run by tools/book/downloads_timeline.py. Registered in
book/mkdocs.yml after kettle_book.py. A failed build or run fails the book.
A copy of the kit without solutions/06-combinators (a student handout) gets
a sentence instead of the picture: a starter cannot draw it."""
import os
import sys

from mkdocs.exceptions import PluginError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "book"))
import downloads_timeline  # noqa: E402

DIRECTIVE = "@downloads-timeline"
_cache = {}


def on_page_markdown(markdown, page, config, **kwargs):
    if DIRECTIVE not in markdown:
        return markdown
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.strip() == DIRECTIVE:
            if not os.path.isdir(os.path.join(ROOT, "solutions", "06-combinators")):
                lines[i] = ("*(The picture is drawn from the reference solution, which this copy "
                            "of the kit does not include: run `make run LAB=06 APP=downloads` "
                            "once your lab passes and read its log.)*")
                continue
            if "svg" not in _cache:
                try:
                    _cache["svg"] = downloads_timeline.timeline_svg(ROOT)
                except downloads_timeline.TimelineError as e:
                    raise PluginError(f"{page.file.src_path}:{i + 1}: {DIRECTIVE}: {e}")
            lines[i] = '<div class="kettle-figure">' + _cache["svg"] + "</div>"
    return "\n".join(lines)
