"""Equal Shares and add1 written from their definitions, in exact fractions.

An independent reference for ``tests/test_equal_shares.py``: one voter at a time, no
lazy evaluation, no floating point, no skipped budget steps.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def q(x: float) -> Fraction:
    """A number as the data file wrote it (shortest decimal representation)."""
    return Fraction(repr(float(x)))


def price(cost, budgets, utils, mult):
    """Smallest rho with sum_i mult_i min(b_i, rho u_i) >= cost, or None (exact)."""
    voters = [(b, u, k) for b, u, k in zip(budgets, utils, mult, strict=True) if u > 0]
    if sum(k * b for b, _, k in voters) < cost:
        return None
    points = sorted({b / u for b, u, _ in voters})
    low = Fraction(0)
    for high in points:
        # on [low, high] the voters with b / u <= low pay everything, the others rho * u
        paid = sum(k * b for b, u, k in voters if b / u <= low)
        slope = sum(k * u for b, u, k in voters if b / u > low)
        rho = (cost - paid) / slope
        if rho <= high:
            return max(rho, low)
        low = high
    return low  # everybody pays everything


def blocked(j, funded, exclusions, requirements):
    if any((a == j and b in funded) or (b == j and a in funded) for a, b in exclusions):
        return True
    return any(a == j and b not in funded for a, b in requirements)


def reference_mes(costs, util, mult, share, exclusions=(), requirements=(), rank=None):
    """Equal Shares by its definition, in exact fractions; returns the funded indices."""
    n, m = util.shape
    rank = list(range(m)) if rank is None else list(rank)
    mult = [int(k) for k in mult]
    cost = [q(c) for c in costs]
    u = [[q(util[i, j]) for j in range(m)] for i in range(n)]
    b = [share] * n
    funded: list[int] = []
    while True:
        open_ = [
            j
            for j in range(m)
            if j not in funded
            and any(u[i][j] > 0 for i in range(n))
            and not blocked(j, funded, exclusions, requirements)
        ]
        free = [j for j in open_ if cost[j] == 0]
        if free:
            funded.append(min(free, key=rank.__getitem__))
            continue
        options = []
        for j in open_:
            rho = price(cost[j], b, [u[i][j] for i in range(n)], mult)
            if rho is not None:
                options.append((rho, rank[j], j))
        if not options:
            return sorted(funded)
        rho, _, j = min(options)
        funded.append(j)
        b = [bi - min(bi, rho * u[i][j]) for i, bi in enumerate(b)]


def brute_force_add1(costs, budget, util, plain, exclusions=(), requirements=()):
    """add1 over every budget step, no skipping: (funded, increments).

    ``plain(k)`` is the funded list of plain Equal Shares with ``k`` increments added.
    """
    spent = lambda s: sum((q(costs[j]) for j in s), Fraction(0))  # noqa: E731
    previous = None
    for k in range(10_000):
        sel = plain(k)
        if spent(sel) > q(budget):
            return previous, k - 1
        fits = [
            j
            for j in range(len(costs))
            if j not in sel
            and costs[j] > 0
            and util[:, j].any()
            and not blocked(j, sel, exclusions, requirements)
            and spent(sel) + q(costs[j]) <= q(budget)
        ]
        if not fits:
            return sel, k
        previous = sel
    raise AssertionError("add1 did not stop")


def reference_add1(costs, budget, util, mult, exclusions=(), requirements=(), rank=None):
    """add1 by brute force with the reference Equal Shares."""
    start = q(budget) / sum(int(k) for k in mult)

    def plain(k):
        return reference_mes(costs, util, mult, start + k, exclusions, requirements, rank)

    return brute_force_add1(costs, budget, util, plain, exclusions, requirements)


def check_invariants(costs, budget, selection, exclusions, requirements):
    chosen = set(np.flatnonzero(selection).tolist())
    assert sum((q(costs[j]) for j in chosen), Fraction(0)) <= q(budget)
    for a, b in exclusions:
        assert not (a in chosen and b in chosen)
    for a, b in requirements:
        assert a not in chosen or b in chosen
