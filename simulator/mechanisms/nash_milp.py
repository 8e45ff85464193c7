"""The Nash product as a MILP: outer approximation of ``sum_g log(u_g - d_g)``.

Each group that can gain gets three columns: ``p_g`` in {0, 1} (does it gain at
least ``GAIN_EPS``?), ``v_g`` its gain (0 unless it gains) and ``z_g`` a bound on
``log v_g`` kept below the tangent lines of the logarithm. Stage 1 maximizes how
many groups gain; stage 2 maximizes ``sum z_g``, adding a tangent at each
incumbent's gains until the bound meets the incumbent. The logarithm is concave and
the packages finitely many, so this is exact.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import SolverError
from plurisim.mechanisms.lexicographic import Solved, best_candidate
from plurisim.packages import PackageModel
from plurisim.problem import Problem

__all__ = ["GAIN_EPS", "nash_milp", "nash_rank"]

FloatArray = NDArray[np.float64]
GAIN_EPS = 1e-4  # a gain below this (in utility units) does not count as a gain
MAX_ITERATIONS = 200


def nash_rank(problem: Problem, d: FloatArray, x: NDArray[np.bool_]) -> tuple[float, float]:
    """How many groups gain, then the sum of their log gains (the rule's two objectives)."""
    gains = problem.group_utilities(x) - d
    pos = gains >= GAIN_EPS
    return float(pos.sum()), float(np.log(gains[pos]).sum())


@dataclass
class _NashModel:
    """The package model with the Nash columns and rows added."""

    model: PackageModel
    a: FloatArray
    const: FloatArray
    d: FloatArray
    gmax: FloatArray
    p: dict[int, int] = field(default_factory=dict)
    v: dict[int, int] = field(default_factory=dict)
    z: dict[int, int] = field(default_factory=dict)
    tangents: dict[int, list[float]] = field(default_factory=dict)

    @classmethod
    def build(cls, problem: Problem, d: FloatArray) -> _NashModel:
        model = PackageModel(problem)
        a, const = model.utility()
        low_u, high_u = model.expression_bounds(a, const)
        # Upper bounds on each group's utility suffice here (for the columns' bounds);
        # a group whose bound shows it cannot gain is left out of the product.
        can_gain = high_u - d >= GAIN_EPS
        gmax = np.maximum(high_u - d, GAIN_EPS)
        gmin = np.minimum(low_u - d, 0.0)
        nm = cls(model, a, const, d, gmax)
        for g in (int(i) for i in np.flatnonzero(can_gain)):
            nm.p[g] = model.add_var(0.0, 1.0, integer=True)
            nm.v[g] = model.add_var(0.0, float(gmax[g]))
            log_hi = max(0.0, math.log(gmax[g]))
            nm.z[g] = model.add_var(min(0.0, math.log(GAIN_EPS)) - 1.0, log_hi)
        for g in nm.p:
            nm._link(g, float(gmin[g]))
            lo = max(GAIN_EPS, gmax[g] * 1e-3)
            nm.tangents[g] = []
            for at in np.geomspace(lo, gmax[g], 6) if gmax[g] > lo else [gmax[g]]:
                nm.add_tangent(g, float(at))
        return nm

    def row(self, entries: dict[int, float], g: int | None = None, sign: float = 1.0) -> FloatArray:
        out = np.zeros(self.model.n_vars)
        if g is not None:
            out[: self.a.shape[1]] = sign * self.a[g]
        for col, val in entries.items():
            out[col] += val
        return out

    def _link(self, g: int, gmin: float) -> None:
        p, v, z, gmax = self.p[g], self.v[g], self.z[g], float(self.gmax[g])
        c, d = float(self.const[g]), float(self.d[g])
        # p = 1 requires a real gain: u_g - d_g >= eps * p + gmin * (1 - p)
        self.model.add_dense_row(self.row({p: -(GAIN_EPS - gmin)}, g), gmin - c + d, np.inf)
        # v <= gain + M (1 - p)
        big = gmax - gmin
        self.model.add_dense_row(self.row({v: 1.0, p: big}, g, -1.0), -np.inf, c - d + big)
        # v <= gmax * p ; z <= zmax * p
        self.model.add_dense_row(self.row({v: 1.0, p: -gmax}), -np.inf, 0.0)
        self.model.add_dense_row(self.row({z: 1.0, p: -max(0.0, math.log(gmax))}), -np.inf, 0.0)

    def add_tangent(self, g: int, at: float) -> bool:
        """Cut ``z_g <= log(at) + (v_g - at) / at`` (inactive when ``p_g = 0``); False if known."""
        if any(abs(at - t) <= 1e-12 + 1e-9 * t for t in self.tangents[g]):
            return False
        self.tangents[g].append(at)
        big = max(0.0, 1.0 - math.log(at))
        cut = self.row({self.z[g]: 1.0, self.v[g]: -1.0 / at, self.p[g]: big})
        self.model.add_dense_row(cut, -np.inf, math.log(at) - 1.0 + big)
        return True

    def objective(self, cols: list[int]) -> FloatArray:
        out = np.zeros(self.model.n_vars)
        out[cols] = 1.0
        return out


def nash_milp(problem: Problem, d: FloatArray, time_limit: float) -> Solved:
    """The Nash package by MILP within ``time_limit`` seconds (see the module docstring)."""
    deadline = time.perf_counter() + time_limit
    nm = _NashModel.build(problem, d)
    details: dict[str, Any] = {"engine": "milp", "iterations": 0}
    if not nm.p:
        return np.zeros(problem.n_interventions, dtype=bool), "optimal", 0.0, details
    count = nm.objective(list(nm.p.values()))
    try:  # stage 1: as many gaining groups as possible
        first = nm.model.solve(count, time_limit=max(deadline - time.perf_counter(), 1e-3))
    except SolverError as exc:  # no package from the solver: the best quick candidate
        details.update(gaining_groups_target=None, fallback="greedy")
        status = "fallback" if exc.kind == "time_limit" else "solve_error"
        mask = best_candidate(problem, lambda x: nash_rank(problem, d, x))
        return mask, status, float("inf"), details
    k_best = round(first.objective)
    details["gaining_groups_target"] = int(k_best)
    nm.model.add_dense_row(count, k_best - 0.5, np.inf)
    best_mask, best_value, bound, status = first.x, -np.inf, np.inf, "optimal"
    while details["iterations"] < MAX_ITERATIONS:  # stage 2: outer approximation
        details["iterations"] += 1
        remaining = deadline - time.perf_counter()
        try:
            if remaining <= 0:
                raise SolverError("out of time", kind="time_limit")
            objective = nm.objective(list(nm.z.values()))
            sol = nm.model.solve(objective, time_limit=remaining)
        except SolverError:
            status = "time_limit"
            break
        gaining, value = nash_rank(problem, d, sol.x)
        if gaining >= k_best and value > best_value:
            best_mask, best_value = sol.x, value
        bound = min(bound, sol.bound)
        if sol.status != "optimal":
            status = "time_limit"
            break
        if bound - best_value <= 1e-9 + 1e-9 * abs(best_value):
            break
        gains = problem.group_utilities(sol.x) - d
        added = [nm.add_tangent(g, float(gains[g])) for g in nm.p if gains[g] >= GAIN_EPS]
        if not any(added):
            break
    gap = float(np.expm1(max(bound - best_value, 0.0))) if np.isfinite(best_value) else math.inf
    if status == "optimal" and gap > 1e-6:
        status = "time_limit"
    return best_mask, status, (0.0 if status == "optimal" else gap), details
