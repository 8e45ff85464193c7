"""The negotiation model: determinism, invariants, the published direction, SVO, deliberation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plurisim import compile_scenario, mechanisms, negotiate, scenarios
from plurisim.agents.stakeholder import StakeholderAgent, aspiration
from plurisim.errors import ParameterError
from plurisim.evaluation import evaluate
from plurisim.negotiation import NegotiationModel, NegotiationResult
from scipy import stats


@pytest.fixture(scope="module")
def montreal():
    return scenarios.load("montreal-streets")


@pytest.fixture(scope="module")
def contested():
    """A generated scenario with room to negotiate: rounds depend on the people in it."""
    return scenarios.generate(6, 12, 4, 0.6, 0.3, seed=3)


def test_same_seed_same_bytes(montreal, contested):
    for s in (montreal, contested):
        assert negotiate(s, seed=7).to_json() == negotiate(s, seed=7).to_json()
        assert (
            negotiate(s, seed=7, stakeholders="individuals").to_json()
            == negotiate(s, seed=7, stakeholders="individuals").to_json()
        )


def test_different_seeds_explore(contested):
    runs = [negotiate(contested, seed=s) for s in range(12)]
    assert len({r.rounds for r in runs}) > 1
    transcripts = {json.dumps(r.transcript[1:], sort_keys=True) for r in runs}
    assert len(transcripts) > 1


def test_montreal_negotiation_beats_the_best_base_design_on_all_four(montreal):
    for seed in range(5):
        r = negotiate(montreal, seed=seed)
        assert r.agreement
        m, ref = r.metrics, r.reference_metrics
        assert m["total_utility"] > ref["total_utility"]
        assert m["worst_group_utility"] > ref["worst_group_utility"]
        assert m["p20_satisfaction"] > ref["p20_satisfaction"]
        assert m["gini"] < ref["gini"]
    assert r.details["reference"] == "Lively street"


@settings(max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    pol=st.floats(0, 1),
    svo=st.sampled_from([-30.0, 0.0, 30.0, 60.0]),
    mode=st.sampled_from(["groups", "individuals"]),
)
def test_invariants_on_generated_scenarios(seed, pol, svo, mode):
    s = scenarios.generate(4, 9, 3, pol, 0.35, seed=seed, group_size=(3, 12), dispersion=30.0)
    r = negotiate(s, seed=seed, svo=svo, stakeholders=mode, rounds=12)
    p = compile_scenario(s, seed=0)
    x = p.mask(list(r.package))
    assert p.costs[x].sum() <= p.budget + 1e-9
    reference = p.group_utilities(p.mask(list(r.reference.package)))
    u = p.group_utilities(x)
    if r.agreement:
        assert np.all(u >= reference - 1e-9)  # never below a group's reservation
    else:
        assert np.allclose(u, reference)  # no agreement: the reference stands
    # Every round's numbers are the evaluator's numbers for that proposal.
    for entry in r.transcript[1:]:
        v = p.group_utilities(p.mask(entry["proposal"]))
        assert entry["total_utility"] == pytest.approx(v.sum())
        assert entry["worst_group_utility"] == pytest.approx(v.min())
        assert list(entry["group_utilities"].values()) == pytest.approx(list(v))
        assert entry["cost"] <= p.budget + 1e-9
    final = evaluate(p, [*mechanisms.base_design_outcomes(p), r.outcome], distances=False)
    row = final.loc[r.outcome.name]
    for key in ("total_utility", "worst_group_utility", "p20_satisfaction", "gini"):
        assert r.metrics[key] == pytest.approx(row[key])
    if r.agreement:
        last = r.transcript[-1]
        assert last["total_utility"] == pytest.approx(r.metrics["total_utility"])
        assert last["gini"] == pytest.approx(r.metrics["gini"])


def test_prosocial_populations_agree_sooner(contested):
    selfish = [negotiate(contested, seed=s, svo=0.0).rounds for s in range(30)]
    prosocial = [negotiate(contested, seed=s, svo=45.0).rounds for s in range(30)]
    assert np.mean(prosocial) < np.mean(selfish)
    assert stats.mannwhitneyu(prosocial, selfish, alternative="less").pvalue < 0.01


def test_conceders_agree_sooner_than_boulware(contested):
    boulware = [negotiate(contested, seed=s, concession="boulware").rounds for s in range(30)]
    conceder = [negotiate(contested, seed=s, concession="conceder").rounds for s in range(30)]
    assert np.mean(conceder) < np.mean(boulware)
    assert stats.mannwhitneyu(conceder, boulware, alternative="less").pvalue < 0.01


def test_aspiration_styles():
    e = np.array([0.4, 1.0, 2.5])
    early = aspiration(2, 20, e)
    assert early[0] > early[1] > early[2]  # Boulware holds out, conceders give in
    assert np.allclose(aspiration(20, 20, e), 0.0)
    assert np.allclose(aspiration(0, 20, e), 1.0)


def test_deliberation_narrows_information_not_values(montreal):
    for s in (
        montreal,
        scenarios.generate(5, 10, 4, 0.7, 0.3, seed=2, group_size=(40, 60), dispersion=60.0),
    ):
        r = negotiate(
            s, seed=0, stakeholders="individuals", deliberation=True, rounds=30, quorum=0.95
        )
        gap = r.rounds_table["information_gap"].to_numpy()
        conflict = r.rounds_table["value_conflict"].to_numpy()
        assert len(gap) >= 3
        assert gap[-1] <= 0.5 * gap[0]
        assert conflict[-1] >= 0.9 * conflict[0]
        assert conflict[-1] <= conflict[0] + 1e-12


def test_deliberation_accepts_any_graph(montreal):
    import networkx as nx

    p = compile_scenario(montreal, seed=0)
    graph = nx.path_graph(p.n_individuals)
    r = negotiate(
        p, seed=0, stakeholders="individuals", deliberation={"graph": graph, "stubbornness": 0.9}
    )
    assert r.rounds >= 1
    with pytest.raises(ParameterError, match="must have the individuals 0..59 as nodes"):
        negotiate(p, seed=0, stakeholders="individuals", deliberation={"graph": nx.path_graph(5)})


def test_no_agreement_leaves_the_reference(contested):
    r = negotiate(contested, seed=1, svo=-70.0, rounds=3)
    assert not r.agreement
    assert r.stop_reason == "round limit"
    assert r.package == r.reference.package
    assert r.outcome.status == "no_agreement"
    assert "No agreement by the last round" in r.to_markdown()


def test_patience_stops_a_stalled_negotiation(toy):
    # In toy-park no package keeps every group at its reservation but the reference itself,
    # so the proposal never changes and nobody gains: patience ends it early.
    r = negotiate(toy, seed=0, patience=3, rounds=20)
    assert r.stop_reason == "patience"
    assert not r.agreement
    assert r.rounds == 4
    assert negotiate(toy, seed=0, rounds=20).agreement  # without patience, at the deadline


def test_quorum_lets_a_majority_agree(contested):
    full = [negotiate(contested, seed=s).rounds for s in range(8)]
    majority = [negotiate(contested, seed=s, quorum=0.5).rounds for s in range(8)]
    assert np.mean(majority) <= np.mean(full)


def test_individual_stakeholders(montreal):
    r = negotiate(montreal, seed=3, stakeholders="individuals")
    assert r.details["n_stakeholders"] == 60
    assert r.details["ideals_exact"]
    assert 0 <= r.metrics["gini_individuals"] < 1
    assert "groups" in r.transcript[1] or "responses" in r.transcript[1]


def test_model_is_a_mesa_model_with_agents_and_a_datacollector(montreal):
    p = compile_scenario(montreal, seed=0)
    model = NegotiationModel(p, seed=0)
    assert len(model.agents_by_type[StakeholderAgent]) == 6
    model.step()
    assert model.steps == 1 and model.round == 1
    table = model.datacollector.get_model_vars_dataframe()
    for col in (
        "total_utility",
        "worst_group_utility",
        "p20_satisfaction",
        "gini",
        "acceptance_share",
        "w:elderly_male",
    ):
        assert col in table
    agent = model.stakeholders[3]
    batch = model.responses.response(3)
    solo = agent.respond()
    assert solo.accept == batch.accept and solo.value == pytest.approx(batch.value)
    assert agent.label == "Elderly men"
    assert agent.ideal >= agent.reservation


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"rounds": 0},
            "'rounds' parameter of negotiate must be an int in the range [1, 1000]. Got 0",
        ),
        (
            {"quorum": 0.0},
            "'quorum' parameter of negotiate must be a real number in the range (0, 1]. Got 0.0",
        ),
        (
            {"quorum": 1.2},
            "'quorum' parameter of negotiate must be a real number in the range (0, 1]. Got 1.2",
        ),
        (
            {"concession": "stubborn"},
            "'concession' parameter of negotiate must be one of 'boulware', 'linear', 'conceder' or a number",
        ),
        ({"concession": {"martians": "linear"}}, "names unknown group 'martians'"),
        (
            {"svo": 200.0},
            "'svo' parameter of negotiate must be a real number in the range [-180, 180]",
        ),
        (
            {"stakeholders": "crowd"},
            "'stakeholders' parameter of negotiate must be one of 'groups', 'individuals'",
        ),
        ({"deliberation": True}, "pass stakeholders='individuals'"),
        ({"speed": 3}, "negotiate has no parameter 'speed'"),
    ],
)
def test_bad_parameters(montreal, params, message):
    with pytest.raises(ParameterError) as exc:
        negotiate(montreal, seed=0, **params)
    assert message in str(exc.value)


def test_result_round_trips_and_renders(montreal):
    r = negotiate(montreal, seed=2)
    again = NegotiationResult.from_json(r.to_json())
    assert again.to_json() == r.to_json()
    summary = json.loads(r.to_json(full=False))
    for key in (
        "scenario",
        "mechanism",
        "seed",
        "package",
        "cost",
        "budget",
        "agreement",
        "rounds",
        "metrics",
        "reference",
    ):
        assert key in summary
    for key in ("total_utility", "worst_group_utility", "p20_satisfaction", "gini"):
        assert key in summary["metrics"] and key in summary["reference"]
    md = r.to_markdown()
    assert "## Round 0: the rubric" in md and "## Result" in md and "The mediator proposes" in md


def test_negotiative_is_a_mechanism_in_compare(montreal):
    from plurisim.comparison import compare

    c = compare(montreal, mechanisms=["maximin", "negotiative"])
    assert "negotiated" in c.frame.index
    assert c.frame.loc["negotiated", "kind"] == "negotiated"
