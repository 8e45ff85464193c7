"""Equal Shares and greedy-by-votes on arrays, against pabutools and a reference.

pabutools (GPL) is a test-only oracle: the same instance, its lexicographic
tie-breaking by project name (``priority_by_name``). Instances with exclusions and
requirements, which pabutools does not know, are checked against ``reference_mes``
below, Equal Shares written from its definition in exact fractions, voter by voter.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from es_reference import (
    brute_force_add1,
    check_invariants,
    q,
    reference_add1,
    reference_mes,
)
from hypothesis import given
from hypothesis import strategies as st
from plurisim.errors import ParameterError
from plurisim.mechanisms.equal_shares import (
    equal_shares,
    greedy_by_votes,
    priority_by_name,
    priority_by_votes,
)

pabutools = pytest.importorskip("pabutools")
from gmpy2 import mpq  # noqa: E402
from pabutools.election import (  # noqa: E402
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalProfile,
    CardinalBallot,
    Cardinality_Sat,
    CardinalProfile,
    Cost_Sat,
    Instance,
    Project,
)
from pabutools.rules import method_of_equal_shares  # noqa: E402

NAMES = ["7", "10", "2", "31", "3", "100", "0"]  # string order differs from index order


# --- pabutools on array instances ---------------------------------------------------


def pabutools_mes(costs, budget, rows, mult, *, cardinal=False, sat=None, increment=None):
    """pabutools' selection (indices) on the instance: rows of approvals or utilities."""
    m = len(costs)
    projects = [Project(NAMES[j], mpq(repr(float(costs[j])))) for j in range(m)]
    instance = Instance(projects, budget_limit=mpq(repr(float(budget))))
    ballots = []
    for row, times in zip(rows, mult, strict=True):
        if cardinal:
            ballot = CardinalBallot({projects[j]: mpq(int(row[j])) for j in range(m) if row[j] > 0})
        else:
            ballot = ApprovalBallot([projects[j] for j in range(m) if row[j]])
        ballots.extend([ballot] * int(times))
    profile = (CardinalProfile if cardinal else ApprovalProfile)(ballots, instance=instance)
    out = method_of_equal_shares(
        instance,
        profile,
        sat_class=Additive_Cardinal_Sat if cardinal else sat,
        voter_budget_increment=increment,
    )
    return sorted(NAMES.index(p.name) for p in out)


# --- strategies ----------------------------------------------------------------------


@st.composite
def instances(draw, max_m=6, max_n=7, cardinal=False, zero_costs=True):
    m = draw(st.integers(1, max_m))
    n = draw(st.integers(1, max_n))
    costs = np.array(
        draw(st.lists(st.integers(0 if zero_costs else 1, 12), min_size=m, max_size=m)), dtype=float
    )
    top = 4 if cardinal else 1
    rows = np.array(
        draw(
            st.lists(st.lists(st.integers(0, top), min_size=m, max_size=m), min_size=n, max_size=n)
        ),
        dtype=float,
    )
    mult = np.array(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)), dtype=float)
    budget = float(draw(st.integers(0, 40)))
    return costs, budget, rows, mult


@st.composite
def constrained(draw):
    costs, budget, rows, mult = draw(instances(max_m=5, max_n=6, cardinal=True))
    m = costs.size
    pair = st.tuples(st.integers(0, m - 1), st.integers(0, m - 1)).filter(lambda p: p[0] != p[1])
    exclusions = draw(st.lists(pair, max_size=3)) if m > 1 else []
    requirements = draw(st.lists(pair, max_size=2)) if m > 1 else []
    return costs, budget, rows, mult, exclusions, requirements


# --- against pabutools ----------------------------------------------------------------


@pytest.mark.parametrize("sat", ["cost", "cardinality"])
@given(inst=instances())
def test_plain_mes_matches_pabutools_on_approval_instances(sat, inst):
    costs, budget, rows, mult = inst
    util = rows * costs if sat == "cost" else rows
    ours = equal_shares(
        costs, budget, util, multiplicity=mult, priority=priority_by_name(NAMES[: costs.size])
    )
    theirs = pabutools_mes(
        costs, budget, rows, mult, sat=Cost_Sat if sat == "cost" else Cardinality_Sat
    )
    assert list(ours.selected) == theirs


@pytest.mark.parametrize("sat", ["cost", "cardinality"])
@given(inst=instances())
def test_add1_matches_pabutools_on_approval_instances(sat, inst):
    costs, budget, rows, mult = inst
    util = rows * costs if sat == "cost" else rows
    ours = equal_shares(
        costs,
        budget,
        util,
        multiplicity=mult,
        priority=priority_by_name(NAMES[: costs.size]),
        completion="add1",
    )
    sat_class = Cost_Sat if sat == "cost" else Cardinality_Sat
    assert list(ours.selected) == pabutools_mes(
        costs, budget, rows, mult, sat=sat_class, increment=1
    )


@given(inst=instances(cardinal=True))
def test_cardinal_utilities_match_pabutools_plain_and_add1(inst):
    costs, budget, rows, mult = inst
    rank = priority_by_name(NAMES[: costs.size])
    plain = equal_shares(costs, budget, rows, multiplicity=mult, priority=rank)
    assert list(plain.selected) == pabutools_mes(costs, budget, rows, mult, cardinal=True)
    full = equal_shares(costs, budget, rows, multiplicity=mult, priority=rank, completion="add1")
    assert list(full.selected) == pabutools_mes(
        costs, budget, rows, mult, cardinal=True, increment=1
    )


def test_many_voters_exercise_skipping_and_match_pabutools():
    """Enough voters that add1 takes many steps, most of them skipped."""
    rng = np.random.default_rng(5)
    skipped = 0
    for _ in range(6):
        m, n = 7, 60
        costs = rng.integers(5, 60, m).astype(float) * 10
        rows = (rng.random((n, m)) < 0.35).astype(float)
        budget = float(rng.integers(200, 600))
        mult = np.ones(n)
        rank = priority_by_name(NAMES[:m])
        for util, sat in ((rows * costs, Cost_Sat), (rows, Cardinality_Sat)):
            ours = equal_shares(costs, budget, util, priority=rank, completion="add1")
            skipped += ours.steps_skipped
            assert list(ours.selected) == pabutools_mes(
                costs, budget, rows, mult, sat=sat, increment=1
            )
    assert skipped > 0


def test_decimal_ties_are_broken_by_priority_as_in_pabutools():
    """0.3 / 3 and 0.2 / 2 tie exactly, though not in floating point (0.3 / 3 < 0.1)."""
    costs = np.array([0.3, 0.2])
    rows = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)
    for first in (0, 1):
        rank = np.array([0, 1]) if first == 0 else np.array([1, 0])
        res = equal_shares(costs, 1.0, rows, priority=rank)
        assert res.trace[0].project == first
        assert res.trace[0].tied_with == (1 - first,)
        assert res.trace[1].tied_with == ()
    names = ["a", "b"]
    projects = [Project(n, mpq(repr(float(c)))) for n, c in zip(names, costs, strict=True)]
    instance = Instance(projects, budget_limit=mpq("1.0"))
    profile = ApprovalProfile(
        [ApprovalBallot([projects[j] for j in np.flatnonzero(r)]) for r in rows], instance=instance
    )
    theirs = method_of_equal_shares(instance, profile, sat_class=Cardinality_Sat)
    ours = equal_shares(costs, 1.0, rows, priority=priority_by_name(names))
    assert [names[j] for j in ours.selected] == sorted(p.name for p in theirs)


# --- constraints, against the reference ------------------------------------------------


@given(inst=constrained())
def test_exclusions_and_requirements_match_the_reference(inst):
    costs, budget, rows, mult, exclusions, requirements = inst
    rank = priority_by_votes((rows > 0).T @ mult)
    res = equal_shares(
        costs, budget, rows, multiplicity=mult, exclusions=exclusions, requirements=requirements
    )
    share = q(budget) / int(mult.sum())
    assert list(res.selected) == reference_mes(
        costs, rows, mult, share, exclusions, requirements, rank
    )
    check_invariants(costs, budget, res.selection, exclusions, requirements)


@given(inst=constrained())
def test_add1_with_constraints_matches_the_brute_force_loop(inst):
    costs, budget, rows, mult, exclusions, requirements = inst
    rank = priority_by_votes((rows > 0).T @ mult)
    res = equal_shares(
        costs,
        budget,
        rows,
        multiplicity=mult,
        exclusions=exclusions,
        requirements=requirements,
        completion="add1",
    )
    chosen, k = reference_add1(costs, budget, rows, mult, exclusions, requirements, rank)
    assert (list(res.selected), res.increments) == (chosen, k)
    check_invariants(costs, budget, res.selection, exclusions, requirements)


def test_skipped_steps_with_constraints_change_nothing():
    """Many voters, so add1 skips steps; every skipped step is checked by running it."""
    rng = np.random.default_rng(11)
    skipped = 0
    m, n = 8, 50
    for _ in range(8):
        costs = rng.integers(0, 40, m).astype(float) * 25
        util = (rng.random((n, m)) < 0.35) * rng.integers(1, 4, (n, m)).astype(float)
        budget = float(rng.integers(1000, 3000))
        pairs = [tuple(rng.choice(m, 2, replace=False).tolist()) for _ in range(3)]
        exclusions, requirements = pairs[:2], pairs[2:]
        kwargs = {"exclusions": exclusions, "requirements": requirements}
        res = equal_shares(costs, budget, util, completion="add1", **kwargs)
        skipped += res.steps_skipped

        def plain(k, costs=costs, util=util, budget=budget, kwargs=kwargs):
            return list(equal_shares(costs, budget + n * k, util, **kwargs).selected)

        expected = brute_force_add1(costs, budget, util, plain, exclusions, requirements)
        assert (list(res.selected), res.increments) == expected
        check_invariants(costs, budget, res.selection, exclusions, requirements)
    assert skipped > 50


def test_free_project_with_an_exclusion_is_not_funded_with_its_partner():
    costs = np.array([0.0, 4.0, 0.0])
    rows = np.array([[1, 1, 1], [1, 1, 0]], dtype=float)
    res = equal_shares(costs, 4.0, rows, exclusions=[(0, 1)], requirements=[(2, 1)])
    assert res.selected == (0,)  # 0 is free and goes first; it blocks 1, so 2 never can
    res = equal_shares(costs, 4.0, rows, exclusions=[(0, 1)], priority=[2, 0, 1])
    assert res.selected == (0, 2)  # rank does not matter among free projects vs paid ones
    res = equal_shares(costs, 4.0, rows, requirements=[(0, 1), (2, 1)])
    assert res.selected == (0, 1, 2)  # free projects wait for what they require
    assert [f.project for f in res.trace] == [1, 0, 2]


def test_cyclic_requirements_fund_neither():
    res = equal_shares([1.0, 1.0], 4.0, np.ones((2, 2)), requirements=[(0, 1), (1, 0)])
    assert res.selected == ()


# --- numbers and formats -----------------------------------------------------------------


@pytest.mark.parametrize("scale", [1e-12, 1e12])
@given(inst=instances(max_n=5))
def test_scaling_money_gives_the_same_selection(scale, inst):
    costs, budget, rows, mult = inst

    def scaled(x):
        return x * scale if scale > 1 else x / (1 / scale)

    util = rows * costs
    for completion in (None, "add1"):
        base = equal_shares(costs, budget, util, multiplicity=mult, completion=completion)
        other = equal_shares(
            scaled(costs),
            scaled(budget),
            scaled(util),
            multiplicity=mult,
            completion=completion,
            increment=scaled(1.0),
        )
        assert other.selected == base.selected
    votes = rows.sum(axis=0)
    assert (
        greedy_by_votes(scaled(costs), scaled(budget), votes)[0]
        == greedy_by_votes(costs, budget, votes)[0]
    ).all()


def test_sparse_input_and_multiplicity_equal_dense_duplicated_rows():
    rng = np.random.default_rng(0)
    rows = (rng.random((30, 9)) < 0.4).astype(float)
    costs = rng.integers(1, 20, 9).astype(float)
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    dense = equal_shares(costs, 60.0, rows * costs, completion="add1")
    packed = equal_shares(
        costs, 60.0, sp.csr_array(unique * costs), multiplicity=counts, completion="add1"
    )
    assert dense.selected == packed.selected
    assert dense.budget_per_voter == packed.budget_per_voter


def test_add1_result_is_plain_mes_at_its_final_share_and_the_next_step_overspends():
    rng = np.random.default_rng(3)
    rows = (rng.random((80, 12)) < 0.3).astype(float)
    costs = rng.integers(10, 90, 12).astype(float)
    full = equal_shares(costs, 300.0, rows * costs, completion="add1")
    n = rows.shape[0]
    assert full.budget_per_voter == 300.0 / n + full.increments
    at_final = equal_shares(costs, 300.0 + n * full.increments, rows * costs)
    assert at_final.selected == full.selected
    after = equal_shares(costs, 300.0 + n * (full.increments + 1), rows * costs)
    assert costs[list(after.selected)].sum() > 300.0
    assert full.steps_evaluated + full.steps_skipped == full.increments + 2
    assert full.to_dict()["selected"] == list(full.selected)


def test_result_is_read_only_data():
    res = equal_shares([1.0], 1.0, [[1.0]])
    with pytest.raises(ValueError, match="read-only"):
        res.selection[0] = False
    assert res.to_dict() == {
        "selected": [0],
        "trace": [{"project": 0, "rho": 1.0, "paid": 1.0, "tied_with": []}],
        "budget_per_voter": 1.0,
        "completion": None,
        "increments": 0,
        "steps_evaluated": 1,
        "steps_skipped": 0,
    }


def test_no_voters_fund_nothing():
    assert equal_shares([0.0, 1.0], 5.0, np.zeros((0, 2))).selected == ()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"costs": [1.0, -1.0]},
            "'costs' parameter of equal_shares must be a 1-D array of finite non-negative",
        ),
        (
            {"utilities": np.ones((2, 3))},
            "'utilities' parameter of equal_shares must be a 2-D array",
        ),
        ({"utilities": [[1.0, np.nan]] * 2}, "Got nan instead"),
        ({"multiplicity": [1.0, 0.5]}, "must be a 1-D array of 2 positive integers"),
        ({"exclusions": [(0, 0)]}, "'exclusions' parameter of equal_shares must be pairs"),
        ({"requirements": [(0, 5)]}, "'requirements' parameter of equal_shares must be pairs"),
        ({"priority": [1, 1]}, "must be a 1-D array of 2 distinct finite numbers"),
        ({"completion": "utilitarian"}, "must be one of None, 'add1'. Got 'utilitarian' instead."),
        (
            {"increment": 0.0},
            "'increment' parameter of equal_shares must be a real number in the range \\(0, inf\\)",
        ),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    args = {"costs": [1.0, 2.0], "budget": 3.0, "utilities": np.ones((2, 2))} | kwargs
    with pytest.raises(ParameterError, match=match):
        equal_shares(args.pop("costs"), args.pop("budget"), args.pop("utilities"), **args)


# --- greedy by votes -------------------------------------------------------------------------


def test_greedy_skips_what_does_not_fit_and_goes_on():
    sel, trace = greedy_by_votes([5.0, 4.0, 1.0, 2.0], 6.0, [9, 8, 7, 7], priority=[0, 1, 3, 2])
    assert np.flatnonzero(sel).tolist() == [0, 2]
    assert [(s.project, s.reason) for s in trace] == [
        (0, "funded"),
        (1, "over budget"),
        (3, "over budget"),
        (2, "funded"),
    ]


def test_greedy_fits_to_the_cent():
    sel, _ = greedy_by_votes([0.1, 0.2], 0.3, [2, 1])  # 0.1 + 0.2 > 0.3 in floating point
    assert sel.all()


def test_greedy_exclusions_and_waiting_requirements():
    sel, trace = greedy_by_votes(
        [1.0, 1.0, 1.0, 1.0], 10.0, [9, 8, 7, 6], exclusions=[(1, 3)], requirements=[(0, 2)]
    )
    assert np.flatnonzero(sel).tolist() == [0, 1, 2]
    assert [(s.project, s.reason) for s in trace] == [
        (1, "funded"),
        (2, "funded"),
        (0, "funded"),  # waited for 2
        (3, "excluded"),
    ]
    sel, trace = greedy_by_votes([1.0, 5.0], 3.0, [9, 8], requirements=[(0, 1)])
    assert not sel.any() and [s.reason for s in trace] == ["over budget", "requirement"]


@given(inst=constrained())
def test_greedy_respects_budget_and_constraints(inst):
    costs, budget, rows, _, exclusions, requirements = inst
    sel, trace = greedy_by_votes(
        costs, budget, rows.sum(axis=0), exclusions=exclusions, requirements=requirements
    )
    check_invariants(costs, budget, sel, exclusions, requirements)
    assert sorted(s.project for s in trace) == list(range(costs.size))
    assert sorted(s.project for s in trace if s.funded) == np.flatnonzero(sel).tolist()
