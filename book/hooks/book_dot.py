"""```dot fences: drawn by Graphviz at build time into inline SVG.

The SVG goes into the page as raw HTML (no image files, nothing fetched),
scaled to the text width but never past its natural size. A syntax error in
the dot source fails the build with Graphviz's own message.
"""
import hashlib
import re
import subprocess


class DotError(Exception):
    pass


# The text column is about 690 px (517 pt) wide at a 1280 px window. A wider
# drawing is scaled down until its labels cannot be read, so the build refuses
# it: draw tall (rankdir=TB), break long labels into lines.
MAX_WIDTH_PT = 520


_cache = {}


def svg_of(source):
    """Run `dot -Tsvg` on source; return the <svg> element as text."""
    key = hashlib.sha256(source.encode()).hexdigest()
    if key not in _cache:
        try:
            proc = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, timeout=60)
        except FileNotFoundError:
            raise DotError("the 'dot' program is missing: apt-get install graphviz")
        if proc.returncode != 0:
            raise DotError("Graphviz rejected the diagram: " + proc.stderr.decode(errors="replace").strip())
        _cache[key] = proc.stdout.decode()
    return _cache[key]


def render(source, number):
    """Raw HTML for diagram `number` of a page: a <div> holding the SVG."""
    svg = svg_of(source)
    svg = svg[svg.index("<svg"):]                    # drop the XML prolog, DOCTYPE, comments
    # Ids must stay unique when a page holds several diagrams.
    prefix = f"kt-dot{number}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f'url(#{prefix}{m.group(1)})', svg)
    # Scale to the column: width 100% up to the natural width, height follows viewBox.
    m = re.search(r'<svg\b[^>]*>', svg)
    head = m.group(0)
    width = re.search(r'\swidth="([^"]+)"', head)
    natural = width.group(1) if width else "100%"
    pt = re.fullmatch(r"([0-9.]+)pt", natural)
    if pt and float(pt.group(1)) > MAX_WIDTH_PT:
        raise DotError(f"the drawing is {natural} wide, more than the column's {MAX_WIDTH_PT}pt: "
                       "it would be scaled down past reading. Draw it tall (rankdir=TB) "
                       "and break long labels into lines")
    # On a narrow screen (a phone) it shrinks to 70% at most, then scrolls
    # sideways inside its box rather than shrinking its labels further.
    least = f"{float(pt.group(1)) * 0.7:.0f}pt" if pt else "0"
    new_head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    new_head = new_head.replace(
        "<svg", f'<svg width="100%" style="max-width:{natural};min-width:{least};height:auto"', 1)
    svg = svg.replace(head, new_head, 1)
    # Graphviz gives every node and edge a <title> ("r1->r2"), which a browser
    # shows as a tooltip: noise for a reader, so they go.
    svg = re.sub(r"<title>[^<]*</title>", "", svg)
    # No blank lines, so Markdown keeps it as one raw HTML block.
    lines = [l for l in svg.splitlines() if l.strip() and not l.lstrip().startswith("<!--")]
    return ['<div class="kt-dot">'] + lines + ["</div>"]
