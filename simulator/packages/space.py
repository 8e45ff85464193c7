"""Enumeration of every feasible package, when there are few enough.

With up to about twenty interventions, the feasible packages (within budget,
respecting exclusions and requirements) can be listed outright, together with each
group's utility for each. Exact rules then reduce to an ``argmax`` over a vector, the
evaluator can draw the Pareto frontier, and a negotiation round costs microseconds.
Larger problems go to the MILP solver instead.

Packages are ordered by cost, then by their binary code (intervention ``j`` is bit
``j``); among equally good packages the first in this order wins, so ties go to the
cheaper package.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.packages import space_of
>>> space = space_of(compile_scenario(scenarios.load("toy-park")))
>>> len(space), space.utilities.shape[1]
(31, 3)
>>> bool((space.costs <= 300).all())
True
"""

from __future__ import annotations

import hashlib
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from plurisim.problem import BUDGET_RTOL

if TYPE_CHECKING:
    from plurisim.problem import Problem

__all__ = ["MAX_PACKAGES", "PackageSpace", "content_key", "space_of"]

MAX_PACKAGES = 1 << 20
_CHUNK = 1 << 15


@dataclass(frozen=True, eq=False)
class PackageSpace:
    """Every feasible package of a problem, with each group's utility.

    Attributes
    ----------
    bits : ndarray of uint64, shape (P,)
        Package ``p`` contains intervention ``j`` iff bit ``j`` of ``bits[p]`` is set.
    costs : ndarray, shape (P,)
    utilities : ndarray, shape (P, G)
    n_interventions : int
    """

    bits: NDArray[np.uint64]
    costs: NDArray[np.float64]
    utilities: NDArray[np.float64]
    n_interventions: int
    _levels: dict[str, NDArray[np.float64]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.bits.shape[0])

    def masks(self, rows: NDArray[np.intp] | slice | None = None) -> NDArray[np.bool_]:
        """Boolean masks of the packages at ``rows`` (all by default)."""
        b = self.bits if rows is None else np.atleast_1d(self.bits[rows])
        shifts = np.arange(self.n_interventions, dtype=np.uint64)
        return ((b[:, None] >> shifts) & np.uint64(1)).astype(bool)

    def mask(self, row: int) -> NDArray[np.bool_]:
        """The boolean mask of one package."""
        return self.masks(np.array([row]))[0]

    def levels(self, problem: Problem) -> NDArray[np.float64]:
        """Every package's criterion levels for every group, shape (P, G, d), computed once."""
        if "levels" not in self._levels:
            lv = problem.levels(self.masks().astype(float))
            lv.setflags(write=False)
            self._levels["levels"] = lv
        return self._levels["levels"]

    def totals(self, problem: Problem, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """``sum_g sum_k weights[g, k] * level[g, k]`` for every package.

        Used for population-weighted totals, where individuals' weights differ from
        their group's.
        """
        out = np.empty(len(self))
        for start in range(0, len(self), _CHUNK):
            x = self.masks(slice(start, start + _CHUNK)).astype(float)
            out[start : start + _CHUNK] = np.einsum("pgk,gk->p", problem.levels(x), weights)
        return out

    @staticmethod
    def build(problem: Problem, max_packages: int = MAX_PACKAGES) -> PackageSpace | None:
        """Enumerate the feasible packages, or return ``None`` if there are too many."""
        m = problem.n_interventions
        if m > 62:
            return None
        bits, costs = _enumerate(problem, max_packages)
        if bits is None or costs is None:
            return None
        order = np.lexsort((bits, costs))
        bits, costs = bits[order], costs[order]
        utilities = np.empty((bits.size, problem.n_groups))
        shifts = np.arange(m, dtype=np.uint64)
        for start in range(0, bits.size, _CHUNK):
            chunk = bits[start : start + _CHUNK]
            x = ((chunk[:, None] >> shifts) & np.uint64(1)).astype(float)
            utilities[start : start + _CHUNK] = problem.group_utilities(x)
        for arr in (bits, costs, utilities):
            arr.setflags(write=False)
        return PackageSpace(bits=bits, costs=costs, utilities=utilities, n_interventions=m)


def _enumerate(
    problem: Problem, limit: int
) -> tuple[NDArray[np.uint64], NDArray[np.float64]] | tuple[None, None]:
    m = problem.n_interventions
    one = np.uint64(1)
    excluded = np.zeros(m, dtype=np.uint64)
    for a, b in problem.exclusions:
        excluded[a] |= one << np.uint64(b)
        excluded[b] |= one << np.uint64(a)
    cap = problem.budget * (1 + BUDGET_RTOL)
    bits = np.zeros(1, dtype=np.uint64)
    costs = np.zeros(1)
    for j in range(m):
        ok = costs + problem.costs[j] <= cap
        if excluded[j]:
            ok &= (bits & excluded[j]) == 0
        if bits.size + int(ok.sum()) > limit:
            return None, None
        bits = np.concatenate([bits, bits[ok] | (one << np.uint64(j))])
        costs = np.concatenate([costs, costs[ok] + problem.costs[j]])
    if problem.requirements:
        keep = np.ones(bits.size, dtype=bool)
        for a, b in problem.requirements:
            has_a = (bits >> np.uint64(a)) & one
            has_b = (bits >> np.uint64(b)) & one
            keep &= ~((has_a == one) & (has_b == np.uint64(0)))
        bits, costs = bits[keep], costs[keep]
    return bits, costs


_CACHE: weakref.WeakKeyDictionary[Problem, PackageSpace | None] = weakref.WeakKeyDictionary()
_BY_CONTENT: OrderedDict[str, PackageSpace | None] = OrderedDict()
_CONTENT_ENTRIES = 8


def content_key(problem: Problem) -> str:
    """A digest of everything the package space depends on.

    Two problems compiled from one scenario with different seeds differ only in
    their individuals, so they share one space.
    """
    h = hashlib.blake2b(digest_size=16)
    for arr in (problem.costs, problem.baseline, problem.effects, problem.weights, problem.caps):
        h.update(np.ascontiguousarray(arr).tobytes())
        h.update(str(arr.shape).encode())
    h.update(repr((problem.budget, problem.exclusions, problem.requirements)).encode())
    return h.hexdigest()


def space_of(problem: Problem, max_packages: int = MAX_PACKAGES) -> PackageSpace | None:
    """The problem's package space, or ``None`` if too large (cached by content)."""
    if problem in _CACHE:
        return _CACHE[problem]
    key = f"{content_key(problem)}:{max_packages}"
    if key in _BY_CONTENT:
        _BY_CONTENT.move_to_end(key)
        space = _BY_CONTENT[key]
    else:
        space = PackageSpace.build(problem, max_packages)
        _BY_CONTENT[key] = space
        if len(_BY_CONTENT) > _CONTENT_ENTRIES:
            _BY_CONTENT.popitem(last=False)
    _CACHE[problem] = space
    return space
