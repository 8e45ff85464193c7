"""The negotiation engine and its Mesa model: determinism, results, parameters, deliberation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from plurisim import NegotiationModel, compile_scenario, negotiate, scenarios
from plurisim.errors import ParameterError
from plurisim.evaluation import score
from plurisim.negotiation import NegotiationResult
from plurisim.negotiation.parties import StakeholderAgent
from plurisim.negotiation.units import aspiration


@pytest.fixture(scope="module")
def montreal():
    return scenarios.load("montreal-streets")


@pytest.fixture(scope="module")
def contested():
    """A generated scenario with room to negotiate over the best base design."""
    return scenarios.generate(6, 12, 4, 0.6, 0.3, seed=3)


def test_same_seed_same_bytes(montreal, contested):
    for s in (montreal, contested):
        for protocol in ("mediated", "single-text", "alternating-offers"):
            a = negotiate(s, seed=7, protocol=protocol)
            assert a.to_json() == negotiate(s, seed=7, protocol=protocol).to_json()
        kw = {"seed": 7, "stakeholders": "individuals"}
        assert negotiate(s, **kw).to_json() == negotiate(s, **kw).to_json()


def test_the_mesa_model_runs_the_engine_s_code_and_stream(contested):
    for protocol in ("mediated", "single-text"):
        engine = negotiate(contested, seed=4, protocol=protocol)
        model = NegotiationModel(contested, seed=4, protocol=protocol)
        assert model.run().to_json() == engine.to_json()
        table = model.datacollector.get_model_vars_dataframe()
        assert len(table) == engine.rounds
        assert list(table["total_utility"]) == pytest.approx(
            list(engine.rounds_table["total_utility"])
        )


def test_different_seeds_explore(contested):
    runs = [negotiate(contested, seed=s, protocol="single-text") for s in range(8)]
    assert len({json.dumps(r.history) for r in runs}) > 1


def test_montreal_negotiation_beats_the_best_base_design_on_all_four(montreal):
    for seed in range(3):
        r = negotiate(montreal, seed=seed)
        assert r.agreement
        m, ref = r.metrics, r.reference_metrics
        assert m["total_utility"] > ref["total_utility"]
        assert m["worst_group_utility"] > ref["worst_group_utility"]
        assert m["p20_satisfaction"] > ref["p20_satisfaction"]
        assert m["gini"] < ref["gini"]
    assert r.reference == "Lively street"
    assert r.disagreement["point"] == "best-base-design"


def test_metrics_are_the_evaluator_s(contested):
    r = negotiate(contested, seed=1)
    p = compile_scenario(contested, seed=0)
    frame = score(p, [r.outcome]).frame
    for key in ("total_utility", "worst_group_utility", "p20_satisfaction", "gini"):
        assert r.metrics[key] == pytest.approx(frame.loc[r.outcome.name, key])
    for entry in r.transcript[1:]:
        v = p.group_utilities(p.mask(entry["proposal"]))
        assert entry["total_utility"] == pytest.approx(v.sum())
        assert list(entry["group_utilities"].values()) == pytest.approx(list(v))


def test_aspiration_concedes_to_its_floor():
    e = np.array([0.4, 1.0, 2.5])
    early = aspiration(2, 20, e)
    assert early[0] > early[1] > early[2]  # Boulware holds out, conceders give in
    assert np.allclose(aspiration(0, 20, e), 1.0)
    assert np.allclose(aspiration(20, 20, e), 0.0)
    assert np.allclose(aspiration(20, 20, e, floor=0.3), 0.3)


def test_a_high_aspiration_floor_is_an_honest_failure(contested):
    easy = negotiate(contested, seed=0)
    hard = negotiate(contested, seed=0, aspiration_floor=0.95, rounds=8)
    assert easy.agreement
    assert not hard.agreement and hard.stop_reason == "deadline"
    assert hard.package == tuple(hard.disagreement["package"])
    assert hard.outcome.status == "no_agreement"
    assert "No agreement by the last round" in hard.to_markdown()


def test_accepting_the_disagreement_point_is_no_agreement(toy):
    # In toy-park no group loses from the best base design alone: nothing else is
    # individually rational, so the negotiation ends without agreement.
    r = negotiate(toy, seed=0, information="public")
    assert not r.agreement
    assert r.package == tuple(r.disagreement["package"])


def test_patience_stops_a_stalled_negotiation(toy):
    r = negotiate(toy, seed=0, patience=3, rounds=20)
    assert r.stop_reason == "patience" and not r.agreement
    assert r.rounds < 20


def test_quorum_lets_a_majority_agree(contested):
    full = [negotiate(contested, seed=s).rounds for s in range(5)]
    majority = [negotiate(contested, seed=s, quorum=0.5).rounds for s in range(5)]
    assert np.mean(majority) < np.mean(full)


def test_individual_stakeholders(montreal):
    r = negotiate(montreal, seed=3, stakeholders="individuals")
    assert r.details["n_stakeholders"] == 60
    assert r.details["ideals_exact"]
    assert 0 <= r.metrics["gini_individuals"] < 1
    assert "groups" in r.transcript[1]  # 60 stakeholders are summarized by group


def test_satisfaction_never_exceeds_one_with_deliberation(montreal):
    for seed in range(3):
        r = negotiate(montreal, seed=seed, stakeholders="individuals", deliberation=True, rounds=15)
        table = r.rounds_table
        assert (table["max_satisfaction"] <= 1 + 1e-9).all()
        assert (table["min_satisfaction"] <= table["max_satisfaction"]).all()


def test_deliberation_moves_beliefs_and_values(montreal):
    r = negotiate(
        montreal,
        seed=0,
        stakeholders="individuals",
        deliberation={"stubbornness": 0.0, "degree_out": 4.0},
        rounds=10,
        aspiration_floor=0.9,
    )
    gap = r.rounds_table["information_gap"].to_numpy()
    conflict = r.rounds_table["value_conflict"].to_numpy()
    assert gap[-1] < gap[0] and conflict[-1] < conflict[0]


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


def test_model_is_a_mesa_model_with_agents_and_a_datacollector(montreal):
    model = NegotiationModel(montreal, seed=0)
    assert len(model.agents_by_type[StakeholderAgent]) == 6
    model.step()
    assert model.steps == 1 and model.round == 1
    table = model.datacollector.get_model_vars_dataframe()
    for col in (
        "total_utility",
        "acceptance_share",
        "max_satisfaction",
        "min_satisfaction",
        "estimation_error",
        "lambda:elderly_male",
    ):
        assert col in table
    agent = model.stakeholders[3]
    assert agent.label == "Elderly men"
    assert agent.ideal >= agent.reservation
    assert agent.last_response.accept == bool(model.responses.accept[3])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rounds": 0}, "'rounds' parameter of negotiate must be an int in the range [1, 1000]"),
        (
            {"quorum": 0.0},
            "'quorum' parameter of negotiate must be a real number in the range (0, 1]",
        ),
        ({"protocol": "auction"}, "'protocol' parameter of negotiate must be one of 'mediated'"),
        ({"information": "secret"}, "must be one of 'private', 'public'"),
        ({"disagreement": "the-mayor"}, "a base design of montreal-streets"),
        ({"aspiration_floor": 1.0}, "'aspiration_floor' parameter of negotiate must be a real"),
        ({"concession": "stubborn"}, "must be one of 'boulware', 'linear', 'conceder' or a number"),
        ({"concession": {"martians": "linear"}}, "names unknown group 'martians'"),
        (
            {"svo": 200.0},
            "'svo' parameter of negotiate must be a real number in the range [-180, 180]",
        ),
        ({"stakeholders": "crowd"}, "must be one of 'groups', 'individuals'"),
        ({"deliberation": True}, "pass stakeholders='individuals'"),
        ({"speed": 3}, "negotiate has no parameter 'speed'; its parameters: protocol,"),
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
        "protocol",
        "information",
        "disagreement",
        "pareto_dominated",
        "history",
        "improvements",
    ):
        assert key in summary
    assert set(summary["disagreement"]) >= {"point", "package", "group_utilities"}
    for h in summary["history"]:
        assert set(h) == {"round", "proposal", "accepting"}
    md = r.to_markdown()
    assert "## Round 0" in md and "## Result" in md and "The mediator proposes" in md
    assert "over the 8 outcomes (the 7 base designs and this package)" in md


def test_negotiative_is_a_mechanism_in_compare(montreal):
    from plurisim.comparison import compare

    c = compare(montreal, mechanisms=["maximin", "negotiative"], distances=False)
    assert "negotiated" in c.frame.index
    assert c.frame.loc["negotiated", "kind"] == "negotiated"
    rec = next(r for r in c.to_records() if r["outcome"] == "negotiated")
    assert rec["params"]["protocol"] == "mediated" and rec["disagreement"] == "best-base-design"
