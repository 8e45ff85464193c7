"""plurisim.NegotiationModel takes a Scenario or a Problem, and plays the same either way."""

from __future__ import annotations

import pytest
from plurisim import NegotiationModel, compile_scenario, negotiate, scenarios
from plurisim.errors import ParameterError
from plurisim.negotiation.seeding import split_seed


@pytest.mark.parametrize("stakeholders", ["groups", "individuals"])
def test_a_scenario_and_its_problem_give_the_same_negotiation(stakeholders):
    # montreal-streets draws its individuals with a dispersion: the compile seed matters.
    scenario = scenarios.load("montreal-streets")
    # The model compiles a Scenario with the first of the two streams its seed splits into.
    _, compile_rng, _ = split_seed(5)
    problem = compile_scenario(scenario, seed=compile_rng)
    from_scenario = NegotiationModel(scenario, seed=5, stakeholders=stakeholders).run()
    from_problem = NegotiationModel(problem, seed=5, stakeholders=stakeholders).run()
    assert from_problem.to_dict() == from_scenario.to_dict()
    assert from_problem.to_dict() == negotiate(problem, seed=5, stakeholders=stakeholders).to_dict()
    if stakeholders == "individuals":  # another draw of the individuals plays differently
        other = compile_scenario(scenario, seed=99)
        assert NegotiationModel(other, seed=5, stakeholders=stakeholders).run().to_dict() != (
            from_scenario.to_dict()
        )


def test_the_model_steps_a_problem_round_by_round():
    problem = compile_scenario(scenarios.load("community-budget"), seed=0)
    model = NegotiationModel(problem, seed=1, rounds=4, disagreement="status-quo")
    model.step()
    assert model.round == 1 and len(model.negotiation.records) == 1
    assert model.problem is problem


def test_anything_else_is_refused_with_a_hint():
    with pytest.raises(ParameterError, match="needs a Scenario or a Problem; got str"):
        NegotiationModel("toy-park")


def test_a_scenario_never_raises_attribute_error_and_the_bare_model_says_what_it_needs():
    # The issue: NegotiationModel(scenario) raised AttributeError (it wanted a Problem).
    scenario = scenarios.load("toy-park")
    model = NegotiationModel(scenario)
    model.step()
    assert model.round == 1 and model.problem.name == scenario.name
    from plurisim.negotiation.model import NegotiationModel as BareModel

    with pytest.raises(ParameterError, match="needs a stakeholder policy and a mediator policy"):
        BareModel(scenario)


def test_a_scenario_from_ballots_runs_as_negotiate_runs_it():
    from pathlib import Path

    pb = Path(__file__).parent / "data" / "pabulib" / "approval.pb"
    scenario = scenarios.load(str(pb), groups="sex", utility="cost")
    stepped = NegotiationModel(scenario, seed=2, rounds=5, disagreement="status-quo")
    while stepped.running:
        stepped.step()
    assert (
        stepped.result().to_dict()
        == negotiate(scenario, seed=2, rounds=5, disagreement="status-quo").to_dict()
    )
