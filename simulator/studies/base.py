"""What a study is: settings stated up front, tables of numbers, figures, notes.

A study recomputes one claim of the README from scratch with the settings it
states. Its Markdown (:meth:`Study.markdown`) is pasted verbatim into the README,
between ``<!-- study:NAME -->`` and ``<!-- /study:NAME -->``, and a test fails when
the two differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from plurisim.formatting import fmt

__all__ = ["Study", "markdown_table"]


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A DataFrame as a Markdown table, numbers through :func:`~plurisim.formatting.fmt`.

    Examples
    --------
    >>> import pandas as pd
    >>> print(markdown_table(pd.DataFrame({"a": [1.23456], "b": ["x"]})))
    | a | b |
    |---|---|
    | 1.235 | x |
    """
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = [
        "| " + " | ".join(_cell(v, digits) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *rows])


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return fmt(value, digits)
    return str(value)


@dataclass(frozen=True)
class Study:
    """A finished study: what was computed, with which settings, and its tables.

    Attributes
    ----------
    name, title : str
    settings : mapping
        Every setting that decides the numbers (seeds, parameters, scenarios).
    tables : tuple of (caption, DataFrame)
    notes : tuple of str
        Sentences read with the tables (what coincides, what a setting decides).
    figures : mapping of file stem to a callable returning a matplotlib Figure
    """

    name: str
    title: str
    settings: Mapping[str, Any]
    tables: tuple[tuple[str, pd.DataFrame], ...]
    notes: tuple[str, ...] = ()
    figures: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    digits: int = 3

    def markdown(self) -> str:
        """The study as Markdown: settings, then each table with its caption, then notes."""
        settings = "; ".join(f"{k}: {v}" for k, v in self.settings.items())
        out = [f"*Study `{self.name}`* (`plurisim study {self.name}`). Settings: {settings}.", ""]
        for caption, frame in self.tables:
            out += [f"**{caption}**", "", markdown_table(frame, self.digits), ""]
        out += [*self.notes]
        return "\n".join(out).rstrip() + "\n"
