#!/usr/bin/env python3
"""downloads_timeline.py — the timeline picture of book §6.1, from a real run.

Builds solutions/06-combinators/apps/downloads.c with the runtime (each
lab's modules from solutions/ when present, else labs/, as the Makefile
does), runs it (virtual clock: instant), and draws its event log as one SVG:
a panel per combinator (gather, wait FIRST_COMPLETED, as_completed), a bar
per download from its start to its end, and a dot where the awaiting
coroutine got something back. Plain SVG text, no network, no dependency.

The book's hook book/hooks/book_downloads.py calls timeline_svg(root).
Run by hand:  python3 tools/book/downloads_timeline.py > timeline.svg
(A general tracer, KETTLE_TRACE, may replace this one day; keep it small.)
"""
import glob
import html
import os
import subprocess
import sys
import tempfile

APP = "solutions/06-combinators/apps/downloads.c"


class TimelineError(Exception):
    pass


def runtime_sources(root):
    srcs = sorted(glob.glob(os.path.join(root, "lib", "src", "*.c")))
    labs = {os.path.basename(d) for d in glob.glob(os.path.join(root, "labs", "[0-9][0-9]-*"))}
    labs |= {os.path.basename(d) for d in glob.glob(os.path.join(root, "solutions", "[0-9][0-9]-*"))}
    for lab in sorted(labs):
        sol = os.path.join(root, "solutions", lab)
        srcs += sorted(glob.glob(os.path.join(sol if os.path.isdir(sol) else os.path.join(root, "labs", lab), "*.c")))
    return srcs


def run_demo(root):
    """Build and run the demo; return its stdout."""
    cc = os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "downloads")
        cmd = [cc, "-std=c11", "-O0", "-w", "-I", os.path.join(root, "lib", "include"), "-o", exe,
               os.path.join(root, APP)] + runtime_sources(root) + ["-lm", "-pthread"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise TimelineError("building %s failed:\n%s" % (APP, r.stderr[-2000:]))
        r = subprocess.run([exe], capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise TimelineError("%s exited with %d:\n%s" % (APP, r.returncode, r.stderr[-2000:]))
        return r.stdout


def parse(text):
    """{combinator: [(t, who, what)]}, in the order of the log."""
    panels = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        comb, t, who, what = line.split(None, 3)
        panels.setdefault(comb, []).append((float(t), who, what))
    if not panels:
        raise TimelineError("the demo printed no events")
    return panels


TITLES = {"gather": "gather(a, b, c)", "wait": "wait(FIRST_COMPLETED)", "as_completed": "as_completed(a, b, c)"}


def svg(panels):
    left, scale, row, top = 120, 150, 22, 10
    tmax = max(t for evs in panels.values() for t, _, _ in evs) or 1
    width = left + int(tmax * scale) + 190
    out, y = [], top
    esc = html.escape
    for comb, evs in panels.items():
        out.append(f'<text x="4" y="{y + 14}" font-weight="bold">{esc(TITLES.get(comb, comb))}</text>')
        y += 22
        starts = {who: t for t, who, what in evs if what == "starts"}
        for who, t_start in starts.items():
            t_end = next((t for t, w, what in evs if w == who and what == "done"), tmax)
            x0, x1 = left + t_start * scale, left + t_end * scale
            out.append(f'<text x="{left - 60}" y="{y + 14}">{esc(who)}</text>')
            out.append(f'<rect x="{x0:.0f}" y="{y + 3}" width="{max(x1 - x0, 2):.0f}" height="14" '
                       f'fill="#90a4ae" rx="3"/>')
            out.append(f'<text x="{x1 + 4:.0f}" y="{y + 14}" font-size="11">done at {t_end:g} s</text>')
            y += row
        out.append(f'<text x="{left - 60}" y="{y + 14}">main</text>')
        out.append(f'<line x1="{left}" y1="{y + 10}" x2="{left + tmax * scale:.0f}" y2="{y + 10}" '
                   f'stroke="#cfd8dc" stroke-dasharray="4 3"/>')
        gets = [(t, what) for t, who, what in evs if who == "main"]
        for i, (t, what) in enumerate(gets):
            x = left + t * scale
            out.append(f'<circle cx="{x:.0f}" cy="{y + 10}" r="5" fill="#e64a19"/>')
            out.append(f'<text x="{x + 8:.0f}" y="{y + 24 + 12 * (i % 2)}" font-size="11" fill="#bf360c">'
                       f'{esc(what)}</text>')
        y += row + 30
    grid = []
    for s in range(int(tmax) + 1):
        x = left + s * scale
        grid.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{y - 10}" stroke="#eceff1"/>')
        grid.append(f'<text x="{x - 8}" y="{y + 4}" font-size="11">{s} s</text>')
    height = y + 12
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="kettle-timeline" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13" '
            f'role="img" aria-label="three downloads under gather, wait and as_completed">'
            + "".join(grid) + "".join(out)
            + "</svg>")


def timeline_svg(root):
    return svg(parse(run_demo(root)))


if __name__ == "__main__":
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        print(timeline_svg(here))
    except TimelineError as e:
        print(f"downloads_timeline: {e}", file=sys.stderr)
        sys.exit(1)
