"""Budgets from 1e-12 to 1e12: every tolerance is relative to the budget's scale.

Scaling every cost and the budget by the same factor changes nothing a rule looks at,
so every rule must return a package within the budget and, where it is exact, the
same package as at scale 1; the negotiation must stay within the budget too.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import random_problem
from hypothesis import given, settings
from hypothesis import strategies as st
from plurisim import mechanisms, negotiate
from plurisim.problem import BUDGET_RTOL

SCALES = (1e-12, 1e-6, 1e6, 1e12)
RULES = ("utilitarian", "maximin", "leximin", "nash", "kalai_smorodinsky", "greedy", "mes")


def scaled(problem, factor):
    return dataclasses.replace(
        problem, costs=problem.costs * factor, budget=problem.budget * factor
    )


@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), factor=st.sampled_from(SCALES))
def test_rules_ignore_the_budget_s_scale(seed, factor):
    p = random_problem(seed, max_m=9)
    q = scaled(p, factor)
    for rule in RULES:
        for engine in ("enumerate", "milp") if rule not in ("greedy", "mes") else (None,):
            kw = {"engine": engine} if engine else {}
            base = mechanisms.run(p, rule, **kw)
            out = mechanisms.run(q, rule, **kw)
            x = out.mask(q)
            assert float(q.costs @ x) <= q.budget * (1 + BUDGET_RTOL), (rule, engine)
            assert q.is_feasible(x)
            if engine == "milp":  # HiGHS may break an exact tie either way: the optimum agrees
                assert out.objective == pytest.approx(base.objective, rel=1e-6, abs=1e-9)
            else:
                assert out.package == base.package, (rule, engine, factor)


@pytest.mark.parametrize("factor", [1e-12, 1e12])
def test_a_tiny_or_huge_budget_is_never_exceeded_by_the_milp(factor):
    from plurisim import compile_scenario, scenarios

    p = scaled(compile_scenario(scenarios.generate(6, 30, 4, 0.5, 0.3, seed=4)), factor)
    for rule in ("maximin", "utilitarian", "leximin"):
        out = mechanisms.run(p, rule, engine="milp", time_limit=10)
        assert float(p.costs @ out.mask(p)) <= p.budget * (1 + BUDGET_RTOL), rule


@pytest.mark.parametrize("factor", SCALES)
def test_the_negotiation_stays_within_a_scaled_budget(factor):
    p = scaled(random_problem(3, max_m=9), factor)
    for protocol in ("mediated", "single-text", "alternating-offers"):
        r = negotiate(p, seed=0, protocol=protocol, disagreement="status-quo", rounds=6)
        x = p.mask(list(r.package))
        assert float(p.costs @ x) <= p.budget * (1 + BUDGET_RTOL)
        assert np.isfinite(r.metrics["total_utility"])
