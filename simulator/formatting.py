"""Plain-text tables and number formatting for terminals and transcripts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["EXCERPT_CHARS", "escape_markdown", "excerpt", "fmt", "table"]

#: The longest piece of input a message quotes.
EXCERPT_CHARS = 60


def fmt(value: Any, digits: int = 3) -> str:
    """Format a number compactly; other values with ``str``.

    Examples
    --------
    >>> fmt(3.14159), fmt(2.0), fmt(None), fmt("x")
    ('3.142', '2', '-', 'x')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], digits: int = 3) -> str:
    """A left/right aligned text table (numbers right, text left).

    Examples
    --------
    >>> print(table([["a", 1.5], ["bb", 10]], ["name", "value"]))
    name  value
    ----  -----
    a       1.5
    bb       10
    """
    cells = [[fmt(v, digits) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[c], int | float) and not isinstance(row[c], bool) for row in rows)
        if rows
        else False
        for c in range(len(headers))
    ]
    widths = [max([len(h)] + [len(r[c]) for r in cells]) for c, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if numeric[c] else v.ljust(w)
            for c, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """A quoted excerpt of ``value`` of at most ``limit`` characters, for messages.

    Examples
    --------
    >>> excerpt("short")
    "'short'"
    >>> excerpt("x" * 100, limit=5)
    "'xxxxx...'"
    """
    text = str(value)
    return repr(text[:limit] + "...") if len(text) > limit else repr(text)


_MARKDOWN_SPECIAL = set("\\`*_{}[]<>#|~")


def escape_markdown(text: Any, limit: int = 2000) -> str:
    r"""Text as inert Markdown: no headings, lists, links, tables, HTML or line breaks.

    Characters Markdown gives a meaning anywhere are backslash-escaped, as are a
    leading ``-``, ``+``, ``=`` or ``1.`` (a list or heading at the start of a line),
    and line breaks become spaces, so words from a model or a scenario file cannot
    forge a heading or a round in a transcript. Longer text is cut at ``limit``
    characters.

    Examples
    --------
    >>> print(escape_markdown("## Round 9\n**Agreement.**"))
    \#\# Round 9 \*\*Agreement.\*\*
    >>> print(escape_markdown("- a list item (not)"))
    \- a list item (not)
    """
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    out = "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in s)
    lead = re.match(r"^(\d+)([.)])", out)
    if lead:
        return lead.group(1) + "\\" + out[len(lead.group(1)) :]
    if out[:1] in ("-", "+", "="):
        return "\\" + out
    return out
