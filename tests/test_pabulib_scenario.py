"""A Pabulib election as a scenario: conversion, rules on ballots, voter measures, voters
as stakeholders. Every file here is a tiny one written for the tests (tests/data/pabulib);
expected numbers are computed by hand from those files, pabutools is the oracle for
Equal Shares, and brute force for knapsacks.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from plurisim import compile_scenario, mechanisms, negotiate, scenarios
from plurisim.ballots import Ballots
from plurisim.errors import ParameterError, ScenarioError, TieError
from plurisim.evaluation import evaluate
from plurisim.metrics import gini
from plurisim.negotiation.units import voter_ideals
from plurisim.problem import Problem
from plurisim.scenario.ballots import ballot_scenario
from scipy import sparse

DATA = Path(__file__).parent / "data" / "pabulib"


def pb(name: str, **options: str) -> scenarios.Scenario:
    return scenarios.load(str(DATA / f"{name}.pb"), **options)


def effects(s: scenarios.Scenario) -> dict[tuple[str, str], float]:
    """Each (intervention, group) effect (absent: 0)."""
    return {
        (iv.id, g): iv.group_effects.get(g, {}).get("utility", 0.0)
        for iv in s.interventions
        for g in s.group_ids
    }


def flat(nested: dict[str, dict[str, float]]) -> dict[tuple[str, str], float]:
    return {(a, b): v for a, inner in nested.items() for b, v in inner.items()}


# --- conversion -----------------------------------------------------------------------------


def test_approval_cost_utilities_are_group_means_in_shares_of_the_budget():
    s = pb("approval", groups="sex", utility="cost")
    assert s.group_ids == ["F", "M", "X", "unknown"]
    assert [g.size for g in s.groups] == [2, 2, 1, 1]
    # F: v1 {p1, p2}, v3 {p1, p3}; M: v2 {p1}, v5 {p2}; X: v4 {p3, p1}; unknown: v6 {}
    assert effects(s) == pytest.approx(
        flat(
            {
                "p1": {"F": 0.40, "M": 0.20, "X": 0.40, "unknown": 0.0},
                "p2": {"F": 0.25, "M": 0.25, "X": 0.0, "unknown": 0.0},
                "p3": {"F": 0.1525, "M": 0.0, "X": 0.305, "unknown": 0.0},
            }
        )
    )
    assert [c.id for c in s.criteria] == ["utility"]
    assert all(g.weights == {"utility": 1.0} and g.baseline == {"utility": 0.0} for g in s.groups)
    assert s.ballots is not None and s.ballots.kind == "approval-cost"


def test_cardinality_utilities_count_approved_projects():
    s = pb("approval", groups="sex", utility="cardinality")
    assert [effects(s)["p1", g] for g in s.group_ids] == pytest.approx([1.0, 0.5, 1.0, 0.0])
    p = compile_scenario(s)
    assert p.individual_utilities([1, 1, 1]).tolist() == [2, 1, 2, 2, 1, 0]


def test_ordinal_ballots_use_borda_positions_and_cumulative_their_points():
    s = pb("ordinal", groups="none")
    # 1: b,a,c -> b 3, a 2, c 1; 2: a,b -> a 2, b 1; 3: a -> a 1
    assert effects(s) == pytest.approx(
        flat({"a": {"all": 5 / 3}, "b": {"all": 4 / 3}, "c": {"all": 1 / 3}})
    )
    c = compile_scenario(pb("cumulative", groups="none"))
    assert c.individual_utilities([1, 0, 1]).tolist() == [7.0, 3.0, 10.0]
    assert c.ballots is not None and c.ballots.votes.tolist() == [13.0, 10.0, 7.0]


def test_scores_below_zero_are_utility_but_not_approval():
    p = compile_scenario(pb("scoring"))
    assert p.individual_utilities([1, 1]).tolist() == [1.0, 1.0]  # 2 - 1, and 1
    row = evaluate(p, {"s2": ["s2"]}, distances=False).loc["s2"]
    assert row["voters_with_funded_approval"] == 0.5  # voter 1 scored s2 at -1
    assert mechanisms.mes(p).package == ("s1",)  # nobody pays for what they dislike


def test_groups_from_any_voter_attribute_or_none():
    age = pb("approval")
    assert age.group_ids == ["10-17", "30-44", "45-59", "60plus", "unknown"]
    assert [g.label for g in age.groups][3] == "age 60+"
    method = pb("approval", groups="voting_method")
    assert method.group_ids == ["internet", "paper"]
    assert [g.size for g in method.groups] == [4, 2]
    assert pb("approval", groups="none").group_ids == ["all"]
    with pytest.raises(ParameterError, match="voter attribute of .*approval.pb"):
        pb("approval", groups="income")


def test_a_file_without_voter_attributes_loads_as_one_group():
    s = pb("ordinal_points")
    assert s.group_ids == ["all"] and s.groups[0].size == 2
    assert any("no voter attributes" in n for n in s.notes())


def test_the_city_outcome_is_the_base_design_city():
    s = pb("approval")
    assert [(b.id, b.interventions) for b in s.base_designs] == [("city", ["p1", "p2"])]
    assert [(b.id, b.interventions) for b in pb("ranked_city").base_designs] == [
        ("city", ["a", "b"])
    ]


def test_without_selected_there_is_no_city_and_the_notes_say_so():
    s = pb("ordinal")
    assert s.base_designs == []
    assert any("no base design 'city'" in n for n in s.notes())


def test_a_city_over_the_budget_is_left_out_and_ids_are_rewritten():
    s = pb("city_over_budget")
    assert s.base_designs == []
    assert s.intervention_ids == ["a_1", "bplus2"]
    assert [iv.label for iv in s.interventions] == ["a/1", "b+2"]
    notes = " | ".join(s.notes())
    assert "'city' costs 7, over the budget 5: left out" in notes
    assert "'a/1' -> 'a_1'" in notes


def test_the_utility_option_does_not_apply_to_points_and_says_so():
    s = pb("ordinal", utility="cost")
    assert s.ballots is not None and s.ballots.kind == "ordinal-points"
    assert "ordinal ballots, so their points are used" in (s.origin or {})["notice"]
    assert pb("approval").origin["notice"] is None  # type: ignore[index]


def test_digest_tells_files_and_options_apart_and_survives_a_budget_change():
    digests = {
        pb("approval", utility="cost").digest(),
        pb("approval", utility="cardinality").digest(),
        pb("approval", groups="sex").digest(),
        pb("ranked_city").digest(),
    }
    assert len(digests) == 4
    s = pb("approval")
    smaller, dropped = s.with_budget(60.0)
    assert dropped == ["city"] and smaller.ballots is s.ballots
    assert smaller.origin["budget"] == 60.0  # type: ignore[index]
    assert compile_scenario(smaller).ballots is s.ballots


def test_yaml_scenarios_refuse_ballot_options_and_bad_files_name_their_line():
    with pytest.raises(ParameterError, match="apply to Pabulib .pb files"):
        scenarios.load("toy-park", utility="cost")
    with pytest.raises(ScenarioError, match=r"bad_cost.pb:11: cost"):
        pb("bad_cost")
    with pytest.raises(ScenarioError, match="no such file"):
        scenarios.load(str(DATA / "missing.pb"))


def test_mismatched_arrays_are_refused():
    u = sparse.csr_array([[1.0, 0.0]])
    with pytest.raises(ScenarioError, match="group 'b' has no voter"):
        ballot_scenario(
            name="x", title="x", project_ids=["p", "q"], costs=[1, 1], budget=2, utilities=u,
            voter_group=[0], group_ids=["a", "b"], votes=[1, 0], kind="approval-cost",
        )  # fmt: skip
    with pytest.raises(ScenarioError, match="must agree"):
        ballot_scenario(
            name="x", title="x", project_ids=["p"], costs=[1, 1], budget=2, utilities=u,
            voter_group=[0], group_ids=["a"], votes=[1, 0], kind="approval-cost",
        )  # fmt: skip


# --- the problem: group utilities are the voters' means --------------------------------------


@pytest.mark.parametrize("name", ["approval", "ranked_city", "cumulative", "ordinal"])
def test_group_utility_is_the_mean_of_its_voters_on_every_package(name):
    p = compile_scenario(pb(name))
    assert p.ballots is not None and p.n_individuals == p.ballots.n_voters
    packages = np.array(list(itertools.product([0, 1], repeat=p.n_interventions)), dtype=float)
    ind = p.individual_utilities(packages)  # (P, n)
    for g in range(p.n_groups):
        members = p.individual_group == g
        assert p.group_utilities(packages)[:, g] == pytest.approx(ind[:, members].mean(axis=1))


@given(
    st.integers(1, 6).flatmap(
        lambda m: st.tuples(
            st.lists(st.integers(1, 9), min_size=m, max_size=m),
            st.lists(st.lists(st.integers(0, 3), min_size=m, max_size=m), min_size=1, max_size=8),
            st.integers(1, 3),
        )
    )
)
def test_any_ballots_compile_to_groups_holding_their_voters_means(case):
    costs, rows, n_groups = case
    n = len(rows)
    group = [i % min(n_groups, n) for i in range(n)]
    s = ballot_scenario(
        name="random", title="random", project_ids=[f"p{j}" for j in range(len(costs))],
        costs=costs, budget=float(sum(costs)), utilities=sparse.csr_array(np.array(rows, float)),
        voter_group=group, group_ids=[f"g{k}" for k in range(max(group) + 1)],
        votes=np.count_nonzero(rows, axis=0), kind="scoring-points",
    )  # fmt: skip
    p = compile_scenario(s)
    x = np.ones(len(costs))
    expected = np.bincount(group, weights=np.array(rows, float) @ x) / np.bincount(group)
    assert p.group_utilities(x) == pytest.approx(expected)


# --- rules on ballots ------------------------------------------------------------------------


def test_greedy_by_votes_reproduces_the_city_and_breaks_ties_as_asked():
    p = compile_scenario(pb("approval"))
    # votes: p1 4, p2 2, p3 2; p1 first, then the tie p2 (file order) or p3 (cheaper)
    out = mechanisms.greedy(p)
    assert out.package == ("p1", "p2") and out.details["score"] == "votes"
    assert out.params["score"] == "auto" and out.params["tie_break"] == "auto"
    assert mechanisms.greedy(p, tie_break="cost").package == ("p1", "p3")
    assert mechanisms.greedy(p, tie_break="name").package == ("p1", "p2")
    with pytest.raises(TieError, match="'p2' and 'p3' are tied"):
        mechanisms.greedy(p, tie_break="refuse")
    assert compile_scenario(pb("ranked_city")).base_designs["city"].tolist() == [1, 1, 0]
    assert mechanisms.greedy(compile_scenario(pb("ranked_city"))).package == ("a", "b")


def test_greedy_by_utility_on_ballots_and_votes_only_with_ballots(toy_problem):
    p = compile_scenario(pb("approval", utility="cardinality"))
    # summed over the age groups' means: p1 3 / 40, p3 1.5 / 30.5, p2 2 / 50 per unit cost
    out = mechanisms.greedy(p, score="utility")
    assert out.details["score"] == "utility" and out.package == ("p1", "p3")
    with pytest.raises(ParameterError, match="needs a scenario built from ballots"):
        mechanisms.greedy(toy_problem, score="votes")


def _pabutools_mes(name: str, sat: str, **kwargs: object) -> list[str]:
    pabutools = pytest.importorskip("pabutools")
    from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
    from pabutools.rules import method_of_equal_shares

    instance, profile = parse_pabulib(str(DATA / f"{name}.pb"))
    sat_class = {"cost": Cost_Sat, "cardinality": Cardinality_Sat}[sat]
    assert pabutools is not None
    chosen = method_of_equal_shares(instance, profile, sat_class=sat_class, **kwargs)
    return sorted(p.name for p in chosen)


@pytest.mark.parametrize("utility", ["cost", "cardinality"])
@pytest.mark.parametrize("completion", [None, "add1"])
def test_mes_on_ballots_equals_pabutools(utility, completion):
    p = compile_scenario(pb("approval", utility=utility))
    ours = sorted(mechanisms.mes(p, tie_break="name", completion=completion).package)
    extra = {"voter_budget_increment": 1} if completion == "add1" else {}
    assert ours == _pabutools_mes("approval", utility, **extra)


def test_mes_on_ballots_uses_every_voter_and_merges_identical_ballots():
    p = compile_scenario(pb("approval", utility="cardinality"))
    assert p.ballots is not None
    unique, counts = p.ballots.unique
    assert unique.shape[0] == 5 and counts.tolist() == [1, 1, 2, 1, 1]  # v3 and v4 agree
    assert mechanisms.mes(p).params["voters"] == "auto"
    by_groups = mechanisms.mes(p, voters="groups")
    assert by_groups.params["voters"] == "groups"
    full = mechanisms.mes(p, completion="utilitarian")
    assert p.is_feasible(full.mask(p))


def test_maximin_and_nash_from_the_city_run_on_ballots():
    p = compile_scenario(pb("approval", groups="sex"))
    best = max(
        (np.array(x, bool) for x in itertools.product([0, 1], repeat=3) if p.is_feasible(x)),
        key=lambda x: p.group_utilities(x).min(),
    )
    assert p.group_utilities(mechanisms.maximin(p).mask(p)).min() == pytest.approx(
        p.group_utilities(best).min()
    )
    assert mechanisms.nash(p, disagreement="city").details["disagreement"]["point"] == "city"


# --- the voter measures ----------------------------------------------------------------------


def test_voter_measures_against_a_hand_computation():
    p = compile_scenario(pb("approval", groups="sex"))
    row = evaluate(p, {"p1+p3": ["p1", "p3"]}, distances=False).loc["p1+p3"]
    spent = 70.5
    # approved funded money: v1 40, v2 40, v3 70.5, v4 70.5, v5 0, v6 0
    assert row["voters_with_funded_approval"] == pytest.approx(4 / 6)
    assert row["spend_share:F"] == pytest.approx((40 / spent + 1) / 2)
    assert row["spend_share:M"] == pytest.approx((40 / spent + 0) / 2)
    assert row["spend_share:X"] == pytest.approx(1.0)
    assert row["spend_share:unknown"] == pytest.approx(0.0)
    u = np.array([0.4, 0.4, 0.705, 0.705, 0.0, 0.0])
    brute = np.abs(u[:, None] - u[None, :]).sum() / (2 * u.size**2 * u.mean())
    assert row["gini_voters"] == pytest.approx(brute)
    assert row["gini_voters"] == pytest.approx(gini(u))
    assert row["worst_group_utility"] == 0.0  # the voter with an empty ballot


def test_spend_share_is_nan_when_nothing_is_funded():
    p = compile_scenario(pb("approval"))
    row = evaluate(p, {"nothing": []}, distances=False).loc["nothing"]
    assert np.isnan(row["spend_share:unknown"]) and row["voters_with_funded_approval"] == 0.0


def test_ballots_refuse_bad_input():
    with pytest.raises(ParameterError, match="voter_group needs shape"):
        Ballots(sparse.csr_array([[1.0]]), [0, 1], [1.0], "x")
    with pytest.raises(ParameterError, match="scale must be positive"):
        Ballots(sparse.csr_array([[1.0]]), [0], [1.0], "x", scale=0.0)
    p = Problem.from_arrays(costs=[1], budget=1, baseline=[[0]], effects=[[[1]]], weights=[[1]])
    with pytest.raises(ParameterError, match="ballots need one row per individual"):
        Problem(
            **{k: getattr(p, k) for k in ("name", "criteria", "groups", "interventions")},
            costs=p.costs, budget=1.0, baseline=p.baseline, effects=p.effects,
            weights=p.weights, caps=p.caps, sizes=p.sizes,
            ballots=Ballots(sparse.csr_array([[1.0], [1.0]]), [0, 0], [2.0], "x"),
        )  # fmt: skip


# --- voters as stakeholders ------------------------------------------------------------------


def _best_knapsack(p: Problem, row: np.ndarray) -> float:
    best = 0.0
    for x in itertools.product([0, 1], repeat=p.n_interventions):
        if p.is_feasible(x):
            best = max(best, float(row @ np.array(x)))
    return best


@pytest.mark.parametrize("name", ["approval", "ranked_city", "cumulative"])
def test_voter_ideals_are_feasible_lower_bounds_here_exact(name):
    p = compile_scenario(pb(name))
    assert p.ballots is not None
    dense = p.ballots.utilities.toarray() * p.ballots.scale
    ideals = voter_ideals(p, p.ballots)
    assert ideals == pytest.approx([_best_knapsack(p, r) for r in dense])


def test_every_voter_negotiates_with_ballot_utilities():
    from plurisim import NegotiationModel

    model = NegotiationModel(pb("approval"), seed=0, stakeholders="individuals")
    n = model.negotiation
    assert len(n.units) == 6 and n.units.ballots is not None
    x = np.array([True, False, True])
    assert n.units.utilities(n.problem, x) == pytest.approx([0.4, 0.4, 0.705, 0.705, 0.0, 0.0])
    result = model.run()
    assert result.details["n_stakeholders"] == 6
    assert result.details["ideals_exact"] is False
    assert all(r["max_satisfaction"] <= 1 + 1e-12 for r in result.records)
    assert "gini_voters" in result.metrics


def test_voters_demand_the_best_project_per_cost_on_their_ballot():
    from plurisim import NegotiationModel
    from plurisim.agents.stakeholder import compute_demands, demand_options

    n = NegotiationModel(pb("approval"), seed=0, stakeholders="individuals").negotiation
    x = np.array([True, False, False])
    add, drop, gain, net = compute_demands(n.problem, n.units, x, np.arange(6))
    # v1 {p1, p2} -> p2; v2 {p1} -> none; v3, v4 {p1, p3} -> p3; v5 {p2} -> p2; v6 -> none
    assert add.tolist() == [1, -1, 2, 2, 1, -1]
    assert drop.tolist() == [-1] * 6
    assert gain == pytest.approx([0.5, 0, 0.305, 0.305, 0.5, 0])
    assert net.tolist() == [50.0, 0.0, 30.5, 30.5, 50.0, 0.0]
    options = demand_options(n.problem, n.units, np.zeros(3, bool), 0)
    assert [d.add for d in options] == [0, 1]  # equal utility per cost: file order


def test_deliberation_is_refused_for_voters_with_ballots():
    with pytest.raises(ParameterError, match="voters of approval hold ballots"):
        negotiate(pb("approval"), seed=0, stakeholders="individuals", deliberation=True)


def test_name_ties_follow_the_file_ids_even_where_the_scenario_rewrote_them():
    p = compile_scenario(pb("rewritten_ids"))
    assert p.interventions == ("x10", "x1_2")  # "x1_2" > "x10", but "x1/2" < "x10"
    assert mechanisms.mes(p, tie_break="name").package == ("x1_2",)
    assert mechanisms.greedy(p, tie_break="name").package == ("x1_2",)
    assert mechanisms.greedy(p, score="utility", tie_break="name").package == ("x1_2",)
    assert mechanisms.mes(p).package == ("x10",)  # equal votes: file order
    assert _pabutools_mes("rewritten_ids", "cost") == ["x1/2"]
