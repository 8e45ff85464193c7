"""Explicit, deterministic tie-breaking between interventions.

Greedy rules and the Method of Equal Shares pick one intervention at a time; when
several are equally good, a :class:`TieBreaking` strategy decides. ``refuse``
raises :class:`~plurisim.errors.TieError` instead, for studies that must know when a
result depended on a tie.

Examples
--------
>>> from plurisim.tiebreaking import TieBreaking
>>> TieBreaking("cost").pick([2, 0], costs=[5.0, 1.0, 1.0], ids=["a", "b", "c"])
2
>>> TieBreaking("name").pick([2, 1], costs=[1.0, 1.0, 1.0], ids=["a", "z", "m"])
2
>>> TieBreaking("priority", ranks=(2, 0, 1)).pick([0, 2], costs=[1.0] * 3, ids=["a", "b", "c"])
2
>>> TieBreaking("refuse").pick([1, 2], costs=[1.0, 1.0, 1.0], ids=["a", "b", "c"])
Traceback (most recent call last):
...
plurisim.errors.TieError: Interventions 'b' and 'c' are tied, and tie_break='refuse' forbids choosing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from plurisim.errors import ParameterError, TieError
from plurisim.validation import check_choice

__all__ = ["TIE_BREAKS", "TieBreaking", "as_tie_breaking"]

TieKind = Literal["index", "name", "cost", "refuse", "priority"]
TIE_BREAKS: tuple[str, ...] = ("index", "name", "cost", "refuse")
KINDS: tuple[str, ...] = (*TIE_BREAKS, "priority")


@dataclass(frozen=True)
class TieBreaking:
    """How to choose among equally good interventions.

    Parameters
    ----------
    kind : {"index", "name", "cost", "refuse", "priority"}
        ``index``: the one listed first in the scenario. ``name``: the smallest id in
        lexicographic order (pabutools' default). ``cost``: the cheapest, then by
        index. ``refuse``: raise :class:`~plurisim.errors.TieError`. ``priority``: the
        lowest of ``ranks`` (such as more votes first, then file order).
    ranks : tuple of int, optional
        One rank per intervention, for ``priority``.
    """

    kind: TieKind = "index"
    ranks: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        check_choice(self.kind, "tie_break", "TieBreaking", KINDS)
        if (self.kind == "priority") != (self.ranks is not None):
            raise ParameterError("TieBreaking: give ranks exactly with kind='priority'.")

    def pick(self, tied: Sequence[int], *, costs: Sequence[float], ids: Sequence[str]) -> int:
        """Return the winner among the intervention indices ``tied``."""
        candidates = list(tied)
        if len(candidates) == 1:
            return int(candidates[0])
        if self.kind == "refuse":
            names = sorted(ids[j] for j in candidates)
            listed = ", ".join(repr(n) for n in names[:-1]) + f" and {names[-1]!r}"
            raise TieError(
                f"Interventions {listed} are tied, and tie_break='refuse' forbids choosing."
            )
        if self.kind == "name":
            return int(min(candidates, key=lambda j: ids[j]))
        if self.kind == "cost":
            return int(min(candidates, key=lambda j: (costs[j], j)))
        if self.ranks is not None:
            ranks = self.ranks
            return int(min(candidates, key=lambda j: (ranks[j], j)))
        return int(min(candidates))


def as_tie_breaking(value: TieBreaking | str) -> TieBreaking:
    """Accept a :class:`TieBreaking` or the name of one."""
    if isinstance(value, TieBreaking):
        return value
    check_choice(value, "tie_break", "this rule", TIE_BREAKS)
    return TieBreaking(value)  # type: ignore[arg-type]
