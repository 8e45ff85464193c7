"""add1 with its shortcuts against add1 run one budget step at a time.

add1 skips budget steps that provably cannot change the outcome, and computes steps in
blocks where each run borrows lower bounds on the price factors from the run one step
above (they hold while both fund the same projects). A skip or a bound that was wrong
would change the outcome, the number of increments or the funding order of the final
run; these tests compare all three with the plain loop (every step run on its own) and
with add1 written from its definition in exact fractions (``es_reference``), on
instances with exact ties, exclusions, requirements, free projects and voters standing
for several identical ballots, and long enough that add1 runs many blocks.
"""

from __future__ import annotations

import numpy as np
import pytest
from es_reference import brute_force_add1, check_invariants, reference_add1
from hypothesis import given
from hypothesis import strategies as st
from plurisim.mechanisms.equal_shares import equal_shares, priority_by_votes


def _order(res):
    return [(f.project, f.tied_with) for f in res.trace]


def _same_as_plain_at_final_share(res, costs, budget, util, mult, **kwargs):
    """The add1 result is plain Equal Shares at its final share, funding order and ties too."""
    voters = float(mult.sum())
    plain = equal_shares(costs, budget + voters * res.increments, util, multiplicity=mult, **kwargs)
    assert res.budget_per_voter == pytest.approx(budget / voters + res.increments)
    assert _order(res) == _order(plain)
    assert [f.rho for f in res.trace] == pytest.approx([f.rho for f in plain.trace], rel=1e-9)


@st.composite
def long_instances(draw):
    """Few voters and costs in the hundreds: add1 takes tens of steps, so it runs blocks."""
    m = draw(st.integers(2, 6))
    n = draw(st.integers(1, 6))
    costs = np.array(draw(st.lists(st.integers(0, 40), min_size=m, max_size=m)), dtype=float) * 5
    top = draw(st.sampled_from([1, 3]))
    cells = st.lists(st.integers(0, top), min_size=m, max_size=m)
    util = np.array(draw(st.lists(cells, min_size=n, max_size=n)), dtype=float)
    if draw(st.booleans()):  # project 1 a copy of project 0: exact ties every round
        util[:, 1] = util[:, 0]
        costs[1] = costs[0]
    mult = np.array(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)), dtype=float)
    budget = float(draw(st.integers(0, 250)))
    pair = st.tuples(st.integers(0, m - 1), st.integers(0, m - 1)).filter(lambda p: p[0] != p[1])
    exclusions = draw(st.lists(pair, max_size=2))
    requirements = draw(st.lists(pair, max_size=1))
    return costs, budget, util, mult, exclusions, requirements


@given(inst=long_instances())
def test_add1_matches_add1_from_its_definition_step_by_step(inst):
    costs, budget, util, mult, exclusions, requirements = inst
    kwargs = {"exclusions": exclusions, "requirements": requirements}
    res = equal_shares(costs, budget, util, multiplicity=mult, completion="add1", **kwargs)
    rank = priority_by_votes((util > 0).T @ mult)
    expected = reference_add1(costs, budget, util, mult, exclusions, requirements, rank)
    assert (list(res.selected), res.increments) == expected
    _same_as_plain_at_final_share(res, costs, budget, util, mult, **kwargs)
    check_invariants(costs, budget, res.selection, exclusions, requirements)


@pytest.mark.parametrize(
    ("m", "n", "share", "seed"),
    [
        (9, 40, 0.45, 4),
        (12, 50, 0.3, 2),
        (12, 50, 0.3, 3),
        (12, 50, 0.3, 6),
        (14, 60, 0.25, 3),
        (14, 60, 0.25, 4),
        (10, 30, 0.35, 0),
    ],
)
def test_many_steps_in_blocks_match_the_plain_loop(m, n, share, seed):
    """Hundreds of steps, many of them run in blocks; every step of the plain loop is run
    on its own. A copied project ties exactly at every step, another is free, and about
    half the rows stand for two or three voters."""
    rng = np.random.default_rng(seed)
    costs = rng.integers(20, 400, m).astype(float) * 50
    costs[2] = 0.0
    util = (rng.random((n, m)) < 0.4) * (costs if seed % 2 else rng.integers(1, 4, (n, m)))
    util = util.astype(float)
    util[:, 1], costs[1] = util[:, 0], costs[0]
    mult = np.where(rng.random(n) < 0.5, 1.0, rng.integers(2, 4, n).astype(float))
    voters = int(mult.sum())
    budget = float(costs.sum() * share)
    exclusions = [(3, 4)] if seed % 3 else []
    requirements = [(5, 6)] if seed % 3 != 1 else []
    kwargs = {"exclusions": exclusions, "requirements": requirements}
    res = equal_shares(costs, budget, util, multiplicity=mult, completion="add1", **kwargs)

    def plain(k):
        step = equal_shares(costs, budget + voters * k, util, multiplicity=mult, **kwargs)
        return list(step.selected)

    expected = brute_force_add1(costs, budget, util, plain, exclusions, requirements)
    assert (list(res.selected), res.increments) == expected
    assert res.steps_evaluated >= 16  # at least two blocks of steps were run
    assert res.steps_evaluated + res.steps_skipped >= res.increments + 1
    _same_as_plain_at_final_share(res, costs, budget, util, mult, **kwargs)
    check_invariants(costs, budget, res.selection, exclusions, requirements)


@pytest.mark.parametrize("seed", [21, 31, 39])
def test_city_sized_instances_match_the_plain_loop(seed):
    """25 projects of varied popularity and 300 voters, as in a city district: the funding
    order keeps changing from one step to the next, so runs in a block often leave the
    order of the run above them (whose bounds then no longer hold)."""
    rng = np.random.default_rng(seed)
    m, n = 25, 300
    costs = rng.integers(20, 400, m).astype(float) * 50
    popularity = rng.random(m) * 0.3 + 0.05
    util = (rng.random((n, m)) < popularity).astype(float) * (costs if seed % 2 else 1.0)
    budget = float(costs.sum() * 0.3)
    res = equal_shares(costs, budget, util, completion="add1")

    def plain(k):
        return list(equal_shares(costs, budget + n * k, util).selected)

    assert (list(res.selected), res.increments) == brute_force_add1(costs, budget, util, plain)
    _same_as_plain_at_final_share(res, costs, budget, util, np.ones(n))
