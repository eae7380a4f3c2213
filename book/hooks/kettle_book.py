"""Kettle's mkdocs hooks (registered in book/mkdocs.yml under `hooks:`).

On every page, outside fenced code blocks:
  @code path[#region]    a real file (or a marked region) as a code block  (book_include.py)
  @grading tests/NN-x    the grading table of a lab, read from its tests   (book_grading.py)
  @timeline APP [ARGS]   a timeline of a real traced run of a demo          (book_timeline.py)
and every ```dot fence becomes an inline SVG drawn by Graphviz           (book_dot.py).

With KETTLE_WALKTHROUGHS=0 in the environment (make book WALKTHROUGHS=0),
the pages under walkthroughs/ and their nav entries are left out.

Any problem (missing file, region or test directory, bad dot source) fails
the build with the page and line, never a silent gap in the book.
"""
import os
import re
import sys

from mkdocs.exceptions import PluginError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import book_dot  # noqa: E402
import book_fences  # noqa: E402
import book_grading  # noqa: E402
import book_include  # noqa: E402
import book_sections  # noqa: E402
import book_timeline  # noqa: E402

DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)@(?P<what>code|grading)[ \t]+(?P<arg>\S+)[ \t]*$")
TIMELINE = re.compile(r"^@timeline[ \t]+(?P<spec>\S.*?)[ \t]*$")
WALKTHROUGHS = "walkthroughs/"


def walkthroughs_enabled():
    """On unless KETTLE_WALKTHROUGHS=0, or the pages are not here (a handout)."""
    here = os.path.isdir(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                      "docs", "walkthroughs"))
    return here and os.environ.get("KETTLE_WALKTHROUGHS", "1") != "0"


def repo_root(config):
    """The repository root: the parent of the directory holding mkdocs.yml."""
    return os.path.dirname(os.path.dirname(os.path.abspath(config["config_file_path"])))


def _prune_nav(items):
    """Drop nav entries pointing under walkthroughs/, and sections left empty."""
    kept = []
    for item in items:
        if isinstance(item, dict):
            (title, value), = item.items()
            if isinstance(value, list):
                value = _prune_nav(value)
                if value:
                    kept.append({title: value})
            elif not str(value).startswith(WALKTHROUGHS):
                kept.append(item)
        elif not str(item).startswith(WALKTHROUGHS):
            kept.append(item)
    return kept


def on_config(config, **kwargs):
    if not walkthroughs_enabled() and config.get("nav"):
        config["nav"] = _prune_nav(config["nav"])
    return config


def on_files(files, config, **kwargs):
    if not walkthroughs_enabled():
        for f in [f for f in files if f.src_uri.startswith(WALKTHROUGHS)]:
            files.remove(f)
    return files


_sections = {}


def on_pre_build(config, **kwargs):
    _sections.clear()
    _sections.update(book_sections.index(config["docs_dir"], book_fences))


def on_page_markdown(markdown, page, config, **kwargs):
    root = repo_root(config)
    src = page.file.src_path.replace(os.sep, "/")
    page_path = os.path.relpath(os.path.join(config["docs_dir"], page.file.src_path), root)
    lines = markdown.split("\n")
    out, dot_lines, dot_start, diagrams, timelines = [], None, 0, 0, 0
    for i, line, kind in book_fences.walk(lines):
        where = f"{page_path}:{i + 1}"
        try:
            if dot_lines is not None:                        # inside a ```dot fence
                if kind == "close":
                    diagrams += 1
                    out.extend(book_dot.render("\n".join(dot_lines), diagrams))
                    dot_lines = None
                else:
                    dot_lines.append(line)
            elif isinstance(kind, tuple) and kind[1].group("info").strip() == "dot":
                dot_lines, dot_start = [], i + 1
            elif kind == "text" and (m := TIMELINE.match(line)):
                timelines += 1
                out.extend(book_timeline.render(root, m.group("spec"), timelines))
            elif kind == "text" and (m := DIRECTIVE.match(line)):
                if m.group("what") == "code":
                    out.extend(book_include.render(root, m.group("arg"), m.group("indent")))
                else:
                    out.extend(book_grading.render(root, m.group("arg").rstrip("/"),
                                                   lambda n: book_sections.link(_sections, n, src)))
            else:
                out.append(line)
        except (book_include.IncludeError, book_grading.GradingError, book_timeline.TimelineError) as e:
            raise PluginError(f"{where}: {line.strip()}: {e}")
        except book_dot.DotError as e:
            raise PluginError(f"{page_path}:{dot_start}: dot diagram: {e}")
    if dot_lines is not None:
        raise PluginError(f"{page_path}:{dot_start}: dot fence is never closed")
    return "\n".join(out)


def on_post_build(config, **kwargs):
    """Write search/search_index.js beside search_index.json: the same index
    as a script, which js/offline-search.js loads when the book is opened
    from disk (file://), where browsers refuse to fetch() the .json."""
    site = config["site_dir"]
    index = os.path.join(site, "search", "search_index.json")
    if not os.path.isfile(index):
        raise PluginError("search/search_index.json was not built: is the search plugin on?")
    with open(index, encoding="utf-8") as f:
        data = f.read()
    with open(os.path.join(site, "search", "search_index.js"), "w", encoding="utf-8") as f:
        f.write("window.__kettleSearchIndex = " + data + ";\n")
