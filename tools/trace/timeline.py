#!/usr/bin/env python3
"""timeline.py TRACE.json [-o OUT.svg] [--title TEXT] — draw a Kettle trace.

Reads the Chrome trace-event JSON that a Kettle program writes when run with
KETTLE_TRACE=path (lib/include/kettle/trace.h) and draws it as an SVG, with
the Python standard library only:

  - the top row is the loop: one band per iteration, and in it one box per
    callback it ran (grey: call_soon, orange: timer, green: I/O), after a
    hatched box when the iteration waited (labelled with how long);
  - then one row per task, in creation order: a dark box where a step of
    the task ran (in the column of the callback that ran it), a shaded bar
    while it waits (labelled with the future it awaits), a red cross where a
    cancellation was requested, and its end (a tick: result; "!": error; a
    slashed circle: cancelled);
  - then one row per other thread that marked work (kt_trace_begin, as Lab
    08's thread pools do for each job): a purple bar from the column where
    the job began to the one where it ended, labelled with its name.

The x axis is the order of events, not time: in one iteration everything
happens "at once", and a 1 s wait would otherwise dwarf the callbacks. Times
are written under the iterations that waited.

Also importable: `draw(events, title)` returns the SVG text (the book's hook
uses it).
"""
import argparse
import html
import json
import sys

SLOT = 16          # width of one callback's column
WAIT = 36          # width of the box of an iteration that waited
EMPTY = 6          # width of an iteration that ran nothing
ROW = 28
LABEL = 168
TOP = 46

KIND_COLOR = {"callback": "#90a4ae", "timer": "#ffb74d", "io": "#81c784"}


def load(path):
    """The events of a trace file; a run that crashed leaves the array open."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read().strip()
    if not text.endswith("]"):
        text = text.rstrip(",") + "]"
    return json.loads(text)


def fmt_seconds(s):
    if s >= 1:
        return ("%.3f" % s).rstrip("0").rstrip(".") + " s"
    if s >= 1e-3:
        return ("%.1f" % (s * 1e3)).rstrip("0").rstrip(".") + " ms"
    return "%.0f µs" % (s * 1e6)


class Layout:
    """Columns: the iterations of every loop, in trace order."""

    def __init__(self, events):
        self.names = {}
        for e in events:
            if e.get("ph") == "M" and e.get("name") == "thread_name":
                self.names[e["tid"]] = e["args"]["name"]
        timed = sorted((e for e in events if "ts" in e), key=lambda e: e["ts"])
        self.columns = []     # (x, width, kind, event)
        self.bands = []       # (x0, x1, iteration number, waited seconds)
        self.callbacks = []   # (ts0, ts1, x)
        x = LABEL
        band = None
        for e in timed:
            ph, cat = e.get("ph"), e.get("cat")
            if ph == "B" and cat == "iteration":
                band = [x, x, e["args"]["iteration"], 0.0]
                self.bands.append(band)
            elif ph == "X" and cat == "wait" and band is not None:
                waited = e["args"].get("waited", 0.0)
                band[3] = waited
                if waited >= 1e-3:
                    self.columns.append((x, WAIT, "wait", e))
                    x += WAIT
            elif ph == "X" and cat in KIND_COLOR:
                self.columns.append((x, SLOT, cat, e))
                self.callbacks.append((e["ts"], e["ts"] + e.get("dur", 0), x))
                x += SLOT
            elif ph == "E" and band is not None and e.get("tid") == band_tid(e):
                if x == band[0]:
                    x += EMPTY
                band[1] = x
                band = None
        if band is not None:
            band[1] = max(x, band[0] + EMPTY)
            x = band[1]
        self.width = max(x + 20, 480)  # the legend needs room
        if sum(1 for c in self.columns if c[2] != "wait") <= 60:
            self.width += 90  # slanted callback names run past the last column
        self.tasks = []       # tids of task tracks, in creation order
        for e in timed:
            if e.get("cat") == "task" and e.get("name") == "create" and e["tid"] not in self.tasks:
                self.tasks.append(e["tid"])
        self.threads = []     # tids of threads that ran jobs, in order of their first job
        for e in timed:
            if e.get("cat") == "job" and e.get("ph") == "B" and e["tid"] not in self.threads:
                self.threads.append(e["tid"])

    def x_at(self, ts):
        """The column of the callback running at ts, or the next one after."""
        best = None
        for t0, t1, x in self.callbacks:
            if t0 <= ts <= t1:
                best = x  # innermost: the last one that contains it
            elif t0 > ts:
                return best if best is not None else x
        return best if best is not None else (self.callbacks[-1][2] + SLOT if self.callbacks else LABEL)


def band_tid(e):
    return e.get("tid")


def draw(events, title=""):
    lay = Layout(events)
    rows = ["loop"] + lay.tasks + lay.threads
    height = TOP + ROW * len(rows) + 76 + (min(max((len(c[3]["name"]) for c in lay.columns if c[2] != "wait"), default=0), 24) * 6 + 10
                                             if sum(1 for c in lay.columns if c[2] != "wait") <= 60 else 0)
    out = []
    w = out.append
    w('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" '
      'font-family="sans-serif" font-size="14" role="img">' % (lay.width, height, lay.width, height))
    w('<title>%s</title>' % html.escape(title or "Kettle timeline"))
    w('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
      'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eceff1"/>'
      '<line x1="0" y1="0" x2="0" y2="6" stroke="#b0bec5" stroke-width="2"/></pattern></defs>')
    if title:
        w('<text x="4" y="16" font-weight="bold">%s</text>' % html.escape(title))
    bottom = TOP + ROW * len(rows)
    # iteration bands
    for i, (x0, x1, n, waited) in enumerate(lay.bands):
        fill = "#f5f7f8" if i % 2 == 0 else "#ffffff"
        w('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>' % (x0, TOP - 14, x1 - x0, bottom - TOP + 14, fill))
        if x1 - x0 >= 14:
            w('<text x="%d" y="%d" font-size="12" fill="#607d8b">%d</text>' % (x0 + 2, TOP - 4, n))
        if waited >= 1e-3:
            w('<text x="%d" y="%d" font-size="12" fill="#455a64">%s</text>' % (x0 + 2, bottom + 14, fmt_seconds(waited)))
    w('<text x="4" y="%d" font-size="12" fill="#607d8b">iteration</text>' % (TOP - 4))
    w('<text x="4" y="%d" font-size="12" fill="#455a64">waited</text>' % (bottom + 14))
    # row labels and guides
    for r, tid in enumerate(rows):
        y = TOP + r * ROW
        name = "loop" if tid == "loop" else lay.names.get(tid, "task %s" % tid)
        w('<text x="4" y="%d">%s</text>' % (y + 19, html.escape(name[:20])))
        w('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#cfd8dc"/>' % (LABEL, y + ROW, lay.width - 20, y + ROW))
    # the loop row
    for x, width, kind, e in lay.columns:
        y = TOP
        if kind == "wait":
            w('<rect x="%d" y="%d" width="%d" height="%d" fill="url(#hatch)" stroke="#90a4ae">'
              '<title>wait: woke by %s after %s</title></rect>' % (
                  x + 2, y + 4, width - 4, ROW - 8, html.escape(str(e["args"].get("woke"))),
                  fmt_seconds(e["args"].get("waited", 0))))
        else:
            w('<rect x="%d" y="%d" width="%d" height="%d" rx="2" fill="%s"><title>%s (%s)</title></rect>' % (
                x + 2, y + 4, width - 4, ROW - 8, KIND_COLOR[kind], html.escape(e["name"]), kind))
    # task rows
    for r, tid in enumerate(lay.tasks, start=1):
        y = TOP + r * ROW
        evs = sorted((e for e in events if e.get("tid") == tid and "ts" in e), key=lambda e: e["ts"])
        waiting_from, awaiting = None, None
        marks = []  # drawn over the bars
        for e in evs:
            name, ph = e.get("name"), e.get("ph")
            x = lay.x_at(e["ts"])
            if name == "create":
                waiting_from, awaiting = x + SLOT, "scheduled"
            elif name == "step" and ph == "X":
                if waiting_from is not None and x > waiting_from:
                    bar(w, waiting_from, x, y, awaiting)
                w('<rect x="%d" y="%d" width="%d" height="%d" rx="2" fill="#37474f"><title>step</title></rect>' % (
                    x + 3, y + 5, SLOT - 6, ROW - 10))
                waiting_from = x + SLOT
                awaiting = e["args"].get("awaits") or "next iteration"
            elif e.get("cat") == "cancel":
                marks.append('<text x="%d" y="%d" fill="#d32f2f" font-weight="bold" font-size="17">✕'
                  '<title>cancel requested%s</title></text>' % (
                      x + 4, y + 18, (": " + e["args"]["msg"]) if e["args"].get("msg") else ""))
            elif name == "done":
                outcome = e["args"].get("outcome", "")
                mark, color = ("✓", "#2e7d32") if outcome == "result" else \
                    ("⊘", "#d32f2f") if outcome == "cancelled" else ("!", "#d32f2f")
                marks.append('<text x="%d" y="%d" fill="%s" font-weight="bold" font-size="17">%s<title>done: %s %s</title></text>' % (
                    x + SLOT + 2, y + 18, color, mark, html.escape(outcome), html.escape(e["args"].get("error", ""))))
                waiting_from = None
        out.extend(marks)
    # thread rows: each job a bar, B to E (a job still open at the end runs to the edge)
    for r, tid in enumerate(lay.threads, start=1 + len(lay.tasks)):
        y = TOP + r * ROW
        open_jobs = []
        for e in sorted((e for e in events if e.get("tid") == tid and e.get("cat") == "job"), key=lambda e: e["ts"]):
            if e.get("ph") == "B":
                open_jobs.append(e)
            elif e.get("ph") == "E" and open_jobs:
                job(w, open_jobs.pop(), lay.x_at(e["ts"]) + SLOT, lay, y)
        for b in open_jobs:
            job(w, b, lay.width - 20, lay, y)
    # callback names, slanted under their columns (while they stay readable)
    named = [c for c in lay.columns if c[2] != "wait"]
    names_h = 0
    if len(named) <= 60:
        longest = max((len(c[3]["name"]) for c in named), default=0)
        names_h = min(longest, 24) * 6 + 10
        for x, width, kind, e in named:
            w('<text x="%d" y="%d" font-size="12" fill="#455a64" transform="rotate(55 %d %d)">%s</text>' % (
                x + 6, bottom + 28, x + 6, bottom + 28, html.escape(e["name"][:24])))
    # legend
    ly = bottom + 34 + names_h
    items = [("#90a4ae", "callback"), ("#ffb74d", "timer"), ("#81c784", "I/O"), ("#37474f", "task step"),
             ("#cfe3f0", "task waits")] + ([(JOB_COLOR, "job on a thread")] if lay.threads else [])
    lx = 4
    for color, text in items:
        w('<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>' % (
            lx, ly, color, lx + 16, ly + 11, text))
        lx += 30 + 8 * len(text)
    w('<text x="4" y="%d">✓ result  ! error  ⊘ cancelled  <tspan fill="#d32f2f">✕</tspan> cancel requested</text>' % (ly + 29))
    w("</svg>")
    return "\n".join(out) + "\n"


JOB_COLOR = "#b39ddb"


def job(w, b, x1, lay, y):
    """A thread's job: from the column where it began to x1."""
    x0 = lay.x_at(b["ts"])
    x1 = max(x1, x0 + SLOT)
    name = html.escape(b.get("name", ""))
    w('<rect x="%d" y="%d" width="%d" height="%d" rx="2" fill="%s"><title>job: %s</title></rect>' % (
        x0 + 2, y + 5, x1 - x0 - 4, ROW - 10, JOB_COLOR, name))
    if x1 - x0 > 8 * len(b.get("name", "")) + 6:
        w('<text x="%d" y="%d" font-size="12" fill="#311b92">%s</text>' % (x0 + 6, y + 18, name))


def bar(w, x0, x1, y, label):
    w('<rect x="%d" y="%d" width="%d" height="%d" fill="#cfe3f0"><title>waits: %s</title></rect>' % (
        x0, y + 9, x1 - x0, ROW - 18, html.escape(str(label))))
    if label and x1 - x0 > 8 * len(str(label)):
        w('<text x="%d" y="%d" font-size="12" fill="#37474f">%s</text>' % (x0 + 3, y + 6, html.escape(str(label))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace")
    ap.add_argument("-o", "--output", help="SVG file to write (default: TRACE with .svg)")
    ap.add_argument("--title", default="")
    args = ap.parse_args()
    try:
        events = load(args.trace)
    except (OSError, ValueError) as err:
        sys.exit("timeline: cannot read %s: %s" % (args.trace, err))
    out = args.output or (args.trace[:-5] if args.trace.endswith(".json") else args.trace) + ".svg"
    with open(out, "w", encoding="utf-8") as f:
        f.write(draw(events, args.title))
    print(out)


if __name__ == "__main__":
    main()
