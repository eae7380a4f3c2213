"""@timeline APP [ARGS...]: a timeline drawn from a real, traced run of a demo.

The demo programs (solutions/NN-*/apps/APP.c, labs/ where a lab's solution
is not in this checkout) are built once per book build with `make apps`,
unless book/traces/ keeps the trace already (a handout: `make handout`
stores them there, made from the reference solutions),
each named one runs with KETTLE_TRACE (lib/include/kettle/trace.h), and
tools/trace/timeline.py draws its trace into an inline SVG. So the book's
timelines are always what the runtime really does, never drawn by hand.

A demo that does not build or run fails the build with its output.
"""
import os
import re
import shlex
import subprocess
import sys


class TimelineError(Exception):
    pass


_built = {}
_cache = {}


def _mode(root):
    """Reference solutions when this checkout has them (the kit), else labs/."""
    return "solutions" if os.path.isdir(os.path.join(root, "solutions")) else "mine"


def _build(root):
    if root not in _built:
        mode = _mode(root)
        proc = subprocess.run(["make", "--no-print-directory", "-s", "apps", "MODE=" + mode],
                              cwd=root, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise TimelineError("`make apps MODE=%s` failed:\n%s%s" % (mode, proc.stdout, proc.stderr))
        _built[root] = os.path.join(root, "build", "apps", mode)
    return _built[root]


def trace_name(spec):
    """The file a spec's trace is kept in (book/traces/ in a handout)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(shlex.split(spec))) + ".json"


def trace_of(root, spec):
    """The path of spec's trace: kept in book/traces/ (a handout), else made now."""
    words = shlex.split(spec)
    if not words or not re.fullmatch(r"[A-Za-z0-9_]+", words[0]):
        raise TimelineError("say which demo: @timeline APP [ARGS...]")
    kept = os.path.join(root, "book", "traces", trace_name(spec))
    if os.path.isfile(kept):
        return kept
    bindir = _build(root)
    app = os.path.join(bindir, words[0])
    if not os.path.isfile(app):
        raise TimelineError("no demo program named %s (apps/%s.c in a lab)" % (words[0], words[0]))
    outdir = os.path.join(root, "build", "book-traces")
    os.makedirs(outdir, exist_ok=True)
    trace = os.path.join(outdir, trace_name(spec))
    env = dict(os.environ, KETTLE_TRACE=trace)
    proc = subprocess.run([app] + words[1:], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise TimelineError("%s exited with %d:\n%s%s" % (spec, proc.returncode, proc.stdout, proc.stderr))
    return trace


def render(root, spec, number):
    """Raw HTML lines for timeline `number` of a page: a <div> holding the SVG."""
    if spec not in _cache:
        trace = trace_of(root, spec)
        sys.path.insert(0, os.path.join(root, "tools", "trace"))
        import timeline
        _cache[spec] = timeline.draw(timeline.load(trace), "")
    svg = _cache[spec]
    prefix = "kt-tl%d-" % number
    svg = re.sub(r'\bid="([^"]+)"', lambda m: 'id="%s%s"' % (prefix, m.group(1)), svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: "url(#%s%s)" % (prefix, m.group(1)), svg)
    head = re.search(r"<svg\b[^>]*>", svg).group(0)
    natural = re.search(r'\swidth="([^"]+)"', head).group(1)
    new_head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    new_head = new_head.replace("<svg", '<svg width="100%%" style="max-width:%spx;height:auto"' % natural, 1)
    svg = svg.replace(head, new_head, 1)
    lines = [l for l in svg.splitlines() if l.strip()]
    return ['<div class="kt-timeline">'] + lines + ["</div>", ""]
