"""The mediator's optimization problems over packages.

Each proposal maximizes a weighted sum of criterion levels under the budget, with
floors on group utilities (individual rationality) and interventions the
negotiation has committed to. Small problems are answered from the enumerated
package space (exact, microseconds per round); larger ones by a MILP with HiGHS
(exact up to the solver's tolerance). Before a MILP, LP bounds and enumeration
(:mod:`plurisim.negotiation.bounded`) try to prove the answer: a proposal is taken
from them only when no other package comes within a margin wider than the MILP's
tolerances (so it is the package the MILP returns); an ideal, whose value alone
counts, whenever they settle it. The stakeholders' own ideals (under their true
weights), whose levels serve as lower bounds for the other members of the group,
are the package the bounded search proves optimal, the first it finds among equals
(so where packages tie exactly, not necessarily the one a MILP would return), and
the MILP's when it cannot settle them. Funding a demand looks for the best way to
pay for it out of the current proposal: exactly by enumeration, or by dropping the
items that cost the rubric least per unit of budget freed when the problem is too
large to enumerate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import InfeasibleError
from plurisim.negotiation.prover import Prover
from plurisim.negotiation.support import GroupSupport
from plurisim.packages import PackageModel, resolve_engine
from plurisim.problem import Problem

__all__ = ["PackageSearch"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
TOL = 1e-9
MAX_CACHED_LEVELS = 40_000_000  # floats kept for the enumerated levels (about 320 MB)
# The negotiation's models are small and solved again every round: HiGHS proves them
# faster without its sub-MIP heuristics (RINS, RENS) and cuts below the root. (Not
# without feasibility jump: HiGHS 1.12 then has been seen to report a wrong optimum.)
SEARCH_OPTIONS = {
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_allow_cut_separation_at_nodes": False,
}


@dataclass
class Funding:
    """How a demand would be paid for: the resulting package and what it dropped."""

    package: BoolArray
    dropped: tuple[int, ...]


class PackageSearch:
    """Answers the protocol's questions about packages for one problem."""

    def __init__(
        self,
        problem: Problem,
        engine: str = "auto",
        time_limit: float = 10.0,
        ideal_samples: int = 4,
    ) -> None:
        self.problem = problem
        self.time_limit = time_limit
        self.ideal_samples = ideal_samples
        self._group_levels: dict[int, FloatArray] = {}
        self.space = resolve_engine(problem, engine, "negotiate")
        self.levels: FloatArray | None = None
        if self.space is not None:
            p, g, d = len(self.space), problem.n_groups, problem.n_criteria
            if p * g * d <= MAX_CACHED_LEVELS:
                self.levels = self.space.levels(problem)
            else:  # pragma: no cover - only for very large enumerations
                self.space = None
        self.engine = "enumerate" if self.space is not None else "milp"
        self._bits_one = np.uint64(1)
        # One solver per kind of question, kept for the whole negotiation (MILP engine).
        self._models: dict[tuple[int, ...] | None, PackageModel] = {}
        self._last: dict[tuple[int, ...] | None, BoolArray] = {}
        self._support: dict[int, GroupSupport] = {}
        self.prover = Prover(problem)

    # -- helpers --------------------------------------------------------------------

    def _code(self, mask: BoolArray) -> np.uint64:
        code = np.uint64(0)
        for j in np.flatnonzero(mask):
            code |= self._bits_one << np.uint64(j)
        return code

    def _rows(
        self,
        floors: FloatArray | None,
        floor_weights: FloatArray | None,
        forced: BoolArray | None,
        allowed: BoolArray | None,
        exclude: list[BoolArray] | None = None,
    ) -> NDArray[np.intp]:
        assert self.space is not None and self.levels is not None
        keep = np.ones(len(self.space), dtype=bool)
        if floors is not None:
            assert floor_weights is not None
            u = np.einsum("pgk,gk->pg", self.levels, floor_weights)
            keep &= np.all(u >= floors - TOL * np.maximum(1.0, np.abs(floors)), axis=1)
        if forced is not None and forced.any():
            f = self._code(forced)
            keep &= (self.space.bits & f) == f
        if allowed is not None:
            a = self._code(allowed)
            keep &= (self.space.bits & ~a) == 0
        for x in exclude or ():
            keep &= self.space.bits != self._code(x)
        return np.flatnonzero(keep)

    def _scored(
        self,
        coefs: FloatArray,
        floors: FloatArray | None,
        floor_weights: FloatArray | None,
        forced: BoolArray | None,
        allowed: BoolArray | None,
        exclude: list[BoolArray] | None = None,
    ) -> tuple[NDArray[np.intp], FloatArray]:
        """Rows of the enumerated packages that qualify and each one's objective value."""
        assert self.levels is not None
        rows = self._rows(floors, floor_weights, forced, allowed, exclude)
        return rows, np.tensordot(self.levels[rows], coefs, axes=([1, 2], [0, 1]))

    # -- proposals --------------------------------------------------------------------

    def best(
        self,
        coefs: FloatArray,
        *,
        floors: FloatArray | None = None,
        floor_weights: FloatArray | None = None,
        forced: BoolArray | None = None,
        allowed: BoolArray | None = None,
        exclude: list[BoolArray] | None = None,
    ) -> BoolArray:
        """The package maximizing ``sum_g sum_k coefs[g, k] * level[g, k]``.

        Subject to the budget and constraints, ``level_g . floor_weights_g >= floors_g``
        for every group (floors on utilities under the given weights, such as the
        mediator's estimates), every ``forced`` intervention funded, nothing outside
        ``allowed`` and none of the ``exclude`` packages.

        Raises
        ------
        InfeasibleError
            If no package meets the constraints.
        """
        return self.top(
            coefs,
            1,
            floors=floors,
            floor_weights=floor_weights,
            forced=forced,
            allowed=allowed,
            exclude=exclude,
        )[0]

    def top(
        self,
        coefs: FloatArray,
        k: int,
        *,
        floors: FloatArray | None = None,
        floor_weights: FloatArray | None = None,
        forced: BoolArray | None = None,
        allowed: BoolArray | None = None,
        exclude: list[BoolArray] | None = None,
    ) -> list[BoolArray]:
        """The ``k`` best distinct packages for :meth:`best`'s objective, best first."""
        return self._top(coefs, k, floors, floor_weights, forced, allowed, exclude)

    def _top(
        self,
        coefs: FloatArray,
        k: int,
        floors: FloatArray | None = None,
        floor_weights: FloatArray | None = None,
        forced: BoolArray | None = None,
        allowed: BoolArray | None = None,
        exclude: list[BoolArray] | None = None,
        prove: bool = True,
    ) -> list[BoolArray]:
        """:meth:`top`; ``prove=False`` goes to the MILP without a bounded search."""
        if self.space is not None:
            rows, values = self._scored(coefs, floors, floor_weights, forced, allowed, exclude)
            if rows.size == 0:
                raise InfeasibleError("No package meets the constraints.")
            # ties (within tolerance): package order, the cheapest first
            top = float(values.max())
            rounded = np.where(values >= top - 1e-9 * max(1.0, abs(top)), top, values)
            order = np.lexsort((rows, -rounded))[:k]
            return [self.space.mask(int(rows[i])) for i in order]
        # Without floors, only the groups in the objective need their levels modeled.
        involved = None if floors is not None else np.flatnonzero(np.abs(coefs).sum(axis=1) > 0)
        key = None if involved is None else tuple(int(g) for g in involved)
        if k == 1 and prove:
            proved = self.prover.proposal(
                coefs, self._last.get(key), key, floors, floor_weights, forced, allowed, exclude
            )
            if proved is not None:
                self._last[key] = proved
                return [proved]
        model = self._persistent(key, forced, allowed)
        base = model.n_rows
        try:
            if floors is not None:
                assert floor_weights is not None
                a, const = model.utility(floor_weights)
                for g in range(self.problem.n_groups):
                    model.add_dense_row(a[g], float(floors[g] - const[g]) - 1e-9, np.inf)
            for x in exclude or ():
                model.forbid(x)
            obj, _ = model.utility(coefs / np.maximum(np.abs(coefs).max(), 1e-300))
            objective = obj.sum(axis=0)
            found: list[BoolArray] = []
            start = self._last.get(key)
            for _ in range(k):
                try:
                    # Without presolve HiGHS answers these small, repeated models faster.
                    x = model.solve(
                        objective, time_limit=self.time_limit, presolve=False, start=start
                    ).x
                except InfeasibleError:
                    break
                found.append(x)
                model.forbid(x)
                start = None
        finally:
            model.truncate_rows(base)
        if not found:
            raise InfeasibleError("No package meets the constraints.")
        self._last[key] = found[0]
        return found

    def _persistent(
        self, key: tuple[int, ...] | None, forced: BoolArray | None, allowed: BoolArray | None
    ) -> PackageModel:
        """The negotiation's model for these groups, with ``forced`` and ``allowed`` set."""
        model = self._models.get(key)
        if model is None:
            model = PackageModel(
                self.problem,
                groups=None if key is None else list(key),
                persistent=True,
                options=SEARCH_OPTIONS,
            )
            self._models[key] = model
        m = self.problem.n_interventions
        hi = np.ones(m, dtype=bool) if allowed is None else allowed
        lo = hi & (np.zeros(m, dtype=bool) if forced is None else forced)
        for j in range(m):
            model.set_bounds(j, float(lo[j]), float(hi[j]))
        return model

    def maximin_others(
        self,
        weights: FloatArray,
        reserve: FloatArray,
        span: FloatArray,
        own: int,
        own_floor: float,
        exclude: list[BoolArray] | None = None,
    ) -> BoolArray:
        """The package maximizing the smallest satisfaction of the groups other than ``own``.

        Satisfaction ``(L_g . weights_g - reserve_g) / span_g`` for every group; the
        package must give ``own`` a satisfaction of at least ``own_floor`` (``own=-1``:
        every group counts as another). Ties: the larger sum of the others'
        satisfaction, then the cheaper package. None of the ``exclude`` packages.
        """
        g_n = self.problem.n_groups
        others = np.array([g for g in range(g_n) if g != own and span[g] > 0], dtype=np.intp)
        safe = np.where(span > 0, span, 1.0)
        if self.space is not None:
            assert self.levels is not None
            u = np.einsum("pgk,gk->pg", self.levels, weights)
            sat = (u - reserve) / safe
            allowed = self._rows(None, None, None, None, exclude)
            if own >= 0:
                rows = allowed[sat[allowed, own] >= own_floor - 1e-9]
                if rows.size == 0:
                    rows = allowed[[int(np.argmax(sat[allowed, own]))]]
            else:
                rows = allowed
            if rows.size == 0:
                raise InfeasibleError("No package meets the constraints.")
            if others.size == 0:
                return self.space.mask(int(rows[int(np.argmax(sat[rows, max(own, 0)]))]))
            keys = [sat[rows][:, others].min(axis=1), sat[rows][:, others].sum(axis=1)]
            best = rows
            for key in keys:
                vals = key[np.searchsorted(rows, best)]
                best = best[vals >= vals.max() - 1e-9]
            return self.space.mask(int(best[0]))
        model = PackageModel(self.problem, options=SEARCH_OPTIONS)
        for x in exclude or ():
            model.forbid(x)
        a, const = model.utility(weights)
        if own >= 0:
            row = a[own] / safe[own]
            floor = own_floor + (reserve[own] - const[own]) / safe[own] - 1e-9
            model.add_dense_row(row, floor, np.inf)
            if others.size == 0:
                return model.solve(row, time_limit=self.time_limit, presolve=False).x
        lo, hi = model.expression_bounds(a, const)
        t = model.add_var(
            float(((lo - reserve) / safe)[others].min()) - 1.0,
            float(((hi - reserve) / safe)[others].max()) + 1.0,
        )
        for h in others:
            r = np.zeros(model.n_vars)
            r[: a.shape[1]] = -a[h] / safe[h]
            r[t] = 1.0
            model.add_dense_row(r, -np.inf, float((const[h] - reserve[h]) / safe[h]))
        obj = np.zeros(model.n_vars)
        obj[t] = 1.0
        return model.solve(obj, time_limit=self.time_limit).x

    # -- ideals -------------------------------------------------------------------------

    def ideal_for(self, weights: FloatArray, groups: NDArray[np.intp]) -> tuple[FloatArray, bool]:
        """Each weight vector's best utility under the budget, for its group's levels.

        Returns the ideals and whether they are exact. Enumeration is exact: every
        row takes its best over all feasible packages (a matrix product, in chunks). Without enumeration, the ideal packages of a few members
        per group (the group's own weights first) are solved exactly and every member
        takes the best of those levels: a lower bound for members not solved.
        """
        g_n = self.problem.n_groups
        out = np.empty(weights.shape[0])
        if self.space is not None:
            assert self.levels is not None
            chunk = max(1, 4_000_000 // max(1, weights.shape[0]))
            for g in range(g_n):
                members = np.flatnonzero(groups == g)
                if members.size == 0:
                    continue
                w = weights[members]
                best = np.full(members.size, -np.inf)
                for start in range(0, self.levels.shape[0], chunk):
                    block = self.levels[start : start + chunk, g, :]
                    best = np.maximum(best, (w @ block.T).max(axis=1))
                out[members] = best
            return out, True
        return self._sampled_ideals(weights, groups), False

    def _sampled_ideals(self, weights: FloatArray, groups: NDArray[np.intp]) -> FloatArray:
        p = self.problem
        out = np.empty(weights.shape[0])
        # One weight vector per group (the mediator's estimates): only the best value
        # matters, so an optimal package proved without a MILP will do.
        single = bool(np.all(np.bincount(groups, minlength=p.n_groups) <= 1))
        for g in range(p.n_groups):
            members = np.flatnonzero(groups == g)
            if members.size == 0:
                continue
            w = weights[members]
            distinct = np.unique(np.round(w, 12), axis=0)
            # The group's own ideal first, then those of the members farthest from it.
            found = [self._group_ideal_levels(g)]
            far = np.argsort(-np.abs(distinct - p.weights[g]).sum(axis=1), kind="stable")
            for vec in distinct[far[: max(0, self.ideal_samples - 1)]]:
                if np.allclose(vec, p.weights[g]):
                    continue
                if single:
                    found.append(self._certified_levels(g, vec))
                    continue
                found.append(self._exact_levels(g, vec))
            out[members] = (w @ np.array(found).T).max(axis=1)
        return out

    def _certified_levels(self, g: int, w: FloatArray) -> FloatArray:
        """Levels of a package optimal for group ``g`` under ``w``: proved or solved."""
        support = self._support.get(g)
        if support is None:
            p = self.problem
            lo = p.baseline[g] + np.clip(p.effects[g], None, 0).sum(axis=0)
            hi = np.minimum(p.caps, p.baseline[g] + np.clip(p.effects[g], 0, None).sum(axis=0))
            support = self._support[g] = GroupSupport(np.minimum(lo, hi), hi)
        index = support.known(w)
        if index is None:
            x = self._ideal_package(g, w, support)
            index = support.add(w, x, self.problem.levels(x)[g])
        return support.levels[index]

    def _ideal_package(self, g: int, w: FloatArray, support: GroupSupport) -> BoolArray:
        """A package optimal for group ``g`` under ``w``: enumerated, or by a narrowed MILP."""
        coefs = np.zeros_like(self.problem.weights)
        coefs[g] = w
        known = support.best_known(w)
        key = (g,)
        if known is not None:
            self._last[key] = support.masks[known]
        narrowed = self.prover.ideal(g, w, list(support.masks))
        if narrowed is None:
            return self._top(coefs, 1, prove=False)[0]
        if narrowed.package is not None:
            return narrowed.package
        # Every package better than the incumbent keeps the bound's choice of the
        # fixed interventions: the MILP searches only the rest, from the incumbent.
        self._last[key] = narrowed.incumbent
        return self._top(coefs, 1, forced=narrowed.forced, allowed=narrowed.allowed, prove=False)[0]

    def _group_ideal_levels(self, g: int) -> FloatArray:
        """Levels of group ``g``'s ideal package (solved once)."""
        if g not in self._group_levels:
            self._group_levels[g] = self._exact_levels(g, self.problem.weights[g])
        return self._group_levels[g]

    def _exact_levels(self, g: int, w: FloatArray) -> FloatArray:
        """Levels of an optimal package for group ``g`` under ``w``.

        The package the bounded search proves optimal (among equals, the first it
        finds), else the MILP's. Either is exact; the levels matter beyond the value
        (members of the group take the best of these levels as a lower bound).
        """
        key = (g,)
        narrowed = self.prover.ideal(g, w, [])
        if narrowed is not None and narrowed.package is not None:
            self._last[key] = narrowed.package
            return self.problem.levels(narrowed.package)[g]
        coefs = np.zeros_like(self.problem.weights)
        coefs[g] = w
        # The bound left too many packages open: a proof by margin would not settle it.
        return self.problem.levels(self._top(coefs, 1, prove=False)[0])[g]

    # -- funding demands ----------------------------------------------------------------

    def fund(
        self,
        current: BoolArray,
        add: int,
        drop: int | None,
        committed: BoolArray,
        rubric: FloatArray,
    ) -> Funding | None:
        """The best budget-feasible package that funds a demand out of ``current``.

        ``add`` joins, ``drop`` (for a swap) leaves, committed interventions stay, and
        other current items may be dropped to pay for it, choosing the package that
        scores best on the rubric (``rubric`` weights on levels). ``None`` if no
        such package exists.
        """
        p = self.problem
        cand = current.copy()
        cand[add] = True
        if drop is not None:
            cand[drop] = False
        if p.is_feasible(cand):
            return Funding(cand, () if drop is None else (drop,))
        forced = committed.copy()
        forced[add] = True
        if drop is not None:
            forced[drop] = False
        allowed = cand.copy()
        if self.space is not None:
            rows, values = self._scored(rubric, None, None, forced, allowed)
            if rows.size == 0:
                return None
            best = self.space.mask(int(rows[int(np.argmax(values))]))
        else:
            dropped_to = self._greedy_drop(cand, forced, rubric)
            if dropped_to is None:
                return None
            best = dropped_to
        dropped = tuple(int(j) for j in np.flatnonzero(current & ~best))
        return Funding(best, dropped)

    def _greedy_drop(
        self, cand: BoolArray, forced: BoolArray, rubric: FloatArray
    ) -> BoolArray | None:
        """Drop the items that cost the rubric least per unit of budget until feasible."""
        p = self.problem
        x = cand.copy()
        while not p.is_feasible(x):
            removable = np.flatnonzero(x & ~forced)
            if removable.size == 0:
                return None
            now = float((p.levels(x) * rubric).sum())
            trial = np.repeat(x[None, :], removable.size, axis=0)
            trial[np.arange(removable.size), removable] = False
            loss = now - np.einsum("pgk,gk->p", p.levels(trial.astype(float)), rubric)
            freed = np.maximum(p.costs[removable], 1e-12)
            x[removable[int(np.argmin(loss / freed))]] = False
        return x
