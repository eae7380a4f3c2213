"""Walk a Markdown page line by line, knowing which lines sit inside fenced
code blocks. The directives (@code, @grading) only count outside fences, so
a page can show the syntax itself inside a ``` block without triggering it.
"""
import re

# An opening fence: indentation, ``` or ~~~ (3 or more), then the info string.
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")


def fence_closes(line, fence):
    """Whether `line` closes a block opened with `fence` (same char, at least as long)."""
    stripped = line.strip()
    return (len(stripped) >= len(fence) and set(stripped) == {fence[0]})


def walk(lines):
    """Yield (index, line, kind) for every line, where kind is one of:
    'text'            an ordinary line outside any fence,
    ('open', m)       the opening line of a fence (m: the FENCE_OPEN match),
    'inside'          a line inside a fence,
    'close'           the closing line of a fence.
    """
    fence = None
    for i, line in enumerate(lines):
        if fence is None:
            m = FENCE_OPEN.match(line)
            if m:
                fence = m.group("fence")
                yield i, line, ("open", m)
            else:
                yield i, line, "text"
        elif fence_closes(line, fence):
            fence = None
            yield i, line, "close"
        else:
            yield i, line, "inside"
