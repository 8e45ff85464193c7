"""Plain-text tables and number formatting for terminals and transcripts."""

from __future__ import annotations

import re
import unicodedata
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


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_LINE_START = re.compile(r"^(\s*\d*)([-+=.)])")


def escape_markdown(text: Any) -> str:
    """Text from a model, made inert for a Markdown transcript.

    The result is one line: newlines are shown as the two characters ``\\n``, so
    the text cannot start a heading, a fake ``## Round`` marker, a list, a quote or a
    table row. HTML is escaped (``&``, ``<``, ``>``); the characters that make
    emphasis, code, links, headings and tables are backslash-escaped, and so is a
    leading list marker; control and invisible format characters are dropped.

    Examples
    --------
    >>> print(escape_markdown("Fine.\\n## Round 9\\n<b>**all agree**</b>"))
    Fine.\\n\\#\\# Round 9\\n&lt;b&gt;\\*\\*all agree\\*\\*&lt;/b&gt;
    >>> print(escape_markdown("- 1. well-being (for all) | x"), escape_markdown("2. b"))
    \\- 1. well-being (for all) \\| x 2\\. b
    >>> escape_markdown(None)
    ''
    """
    if text is None:
        return ""
    raw = str(text).replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        c for c in raw if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp")
    )
    escaped = kept.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _LINE_START.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", escaped))
    return escaped.replace("\n", "\\n")
