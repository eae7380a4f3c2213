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
    new_head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    new_head = new_head.replace("<svg", f'<svg width="100%" style="max-width:{natural};height:auto"', 1)
    svg = svg.replace(head, new_head, 1)
    # No blank lines, so Markdown keeps it as one raw HTML block.
    lines = [l for l in svg.splitlines() if l.strip() and not l.lstrip().startswith("<!--")]
    return ['<div class="kt-dot">'] + lines + ["</div>"]
