"""Scenario files: validation, YAML round trips, JSON Schema and compilation."""

from __future__ import annotations

import copy

import jsonschema
import numpy as np
import plurisim
import pytest
from hypothesis import given
from hypothesis import strategies as st
from plurisim import scenarios
from plurisim.errors import ScenarioError
from plurisim.scenario import Scenario, compile_scenario, scenario_json_schema


def test_every_builtin_validates_against_the_exported_json_schema():
    schema = scenario_json_schema()
    for name in scenarios.list():
        jsonschema.validate(scenarios.load(name).to_dict(), schema)


def test_compile_toy_arrays(toy):
    p = compile_scenario(toy, seed=0)
    assert p.groups == ("seniors", "families", "youth")
    assert p.criteria == ("accessibility", "comfort", "greenery", "activity")
    assert p.interventions[0] == "ramps"
    ramps = p.interventions.index("ramps")
    # group_effects override the common effect for seniors only
    assert p.effects[0, ramps, 0] == 1.6
    assert p.effects[1, ramps, 0] == 1.0
    skate = p.interventions.index("skate_ramp")
    assert p.effects[0, skate, 1] == -0.3  # seniors' comfort
    assert p.effects[2, skate, 3] == 2.4  # youth's activity
    assert p.caps.tolist() == [5, 5, 5, 5]
    assert np.allclose(p.weights.sum(1), 1)
    assert p.sizes.tolist() == [10, 15, 8]
    play = p.interventions.index("playground")
    assert (min(play, skate), max(play, skate)) in p.exclusions
    # no dispersion: every individual holds its group's weights
    assert p.n_individuals == 33
    assert not p.has_individuals
    assert np.allclose(p.individual_weights, np.repeat(p.weights, p.sizes, axis=0))


def test_utilities_by_hand(toy, toy_dict):
    p = compile_scenario(toy, seed=0)
    green = p.mask(["trees", "benches", "lighting"])
    # seniors: acc 2.0+0.3, comfort 2.5+1.2+0.3+0.5, greenery 3.0+1.2, activity 2
    seniors = 0.5 * 2.3 + 0.35 * 4.5 + 0.15 * 4.2
    assert p.group_utilities(green)[0] == pytest.approx(seniors)
    # with comfort rated 1..4, the cap stops seniors' comfort at 4 instead of 4.5
    toy_dict["criteria"][1]["scale"] = [1, 4]
    capped = compile_scenario(Scenario.from_dict(toy_dict))
    assert capped.levels(green)[0, 1] == 4.0
    assert capped.group_utilities(green)[0] == pytest.approx(seniors - 0.35 * 0.5)
    assert p.cost(green) == 230
    assert p.is_feasible(green)
    assert not p.is_feasible(p.mask(["playground", "skate_ramp"]))  # excluded pair
    assert not p.is_feasible(np.ones(6))  # over budget


def test_population_weights_and_individual_utilities(toy):
    p = compile_scenario(toy, seed=0)
    x = p.mask(["ramps", "benches"])
    ind = p.individual_utilities(x)
    grp = p.group_utilities(x)
    assert ind.shape == (33,)
    assert np.allclose(ind, np.repeat(grp, p.sizes))
    assert np.allclose(p.population_weights(), p.weights * p.sizes[:, None])


def with_dispersion(toy_dict, value):
    d = copy.deepcopy(toy_dict)
    for g in d["groups"]:
        g["dispersion"] = value
        g["size"] = 400
    return Scenario.from_dict(d)


def test_individuals_are_seeded_and_centred(toy_dict):
    s = with_dispersion(toy_dict, 50.0)
    a, b, c = compile_scenario(s, seed=1), compile_scenario(s, seed=1), compile_scenario(s, seed=2)
    assert a.has_individuals
    assert np.array_equal(a.individual_weights, b.individual_weights)
    assert not np.array_equal(a.individual_weights, c.individual_weights)
    assert np.allclose(a.individual_weights.sum(1), 1)
    for g in range(3):
        members = a.individual_weights[a.individual_group == g]
        assert np.allclose(members.mean(0), a.weights[g], atol=0.02)
        # seniors give no weight to activity, and neither does any senior
        assert np.all(members[:, a.weights[g] == 0] == 0)


def within_group_spread(problem):
    w, g = problem.individual_weights, problem.individual_group
    return sum(w[g == k].std(0).sum() for k in range(problem.n_groups))


def test_dispersion_controls_spread(toy_dict):
    tight = within_group_spread(compile_scenario(with_dispersion(toy_dict, 500.0), seed=0))
    loose = within_group_spread(compile_scenario(with_dispersion(toy_dict, 5.0), seed=0))
    # Dirichlet spread scales like 1 / sqrt(1 + concentration): about 7x here
    assert loose > 5 * tight


def test_values_through_value_to_criteria(toy_dict):
    d = copy.deepcopy(toy_dict)
    d["value_to_criteria"] = {
        "space": "schwartz10",
        "matrix": {
            "security": {"accessibility": 1.0, "comfort": 1.0},
            "universalism": {"greenery": 2.0},
            "stimulation": {"activity": 1.0},
        },
    }
    del d["groups"][2]["weights"]
    d["groups"][2]["values"] = {"space": "schwartz10", "vector": {"ST": 0.5, "UN": 0.5}}
    p = compile_scenario(Scenario.from_dict(d))
    # each value passes on its own importance: stimulation -> activity, universalism -> greenery
    assert p.weights[2].tolist() == pytest.approx([0, 0, 0.5, 0.5])


def test_problem_arrays_are_read_only(toy_problem):
    with pytest.raises(ValueError, match="read-only"):
        toy_problem.costs[0] = 1.0


def test_digest_identifies_content(toy, toy_dict):
    d = copy.deepcopy(toy_dict)
    assert Scenario.from_dict(d).digest() == toy.digest()
    d["budget"] = 301
    assert Scenario.from_dict(d).digest() != toy.digest()


def test_load_accepts_paths(tmp_path, toy):
    f = tmp_path / "mine.yaml"
    f.write_text(toy.to_yaml())
    assert scenarios.load(str(f)) == toy
    assert scenarios.load(f) == toy
    assert plurisim.load_scenario(f).name == "toy-park"


# -- Hypothesis: any valid scenario survives a YAML round trip ------------------

ident = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


@st.composite
def scenario_dicts(draw):
    crit = draw(st.lists(ident, min_size=1, max_size=4, unique=True))
    lo, hi = 0.0, draw(st.floats(1, 10))
    n_g = draw(st.integers(1, 4))
    groups = []
    for gi in range(n_g):
        w = draw(st.lists(st.floats(0, 1), min_size=len(crit), max_size=len(crit)))
        if sum(w) == 0:
            w[0] = 1.0
        groups.append(
            {
                "id": f"g{gi}",
                "size": draw(st.integers(1, 50)),
                "weights": dict(zip(crit, w, strict=True)),
                "baseline": {c: draw(st.floats(lo, hi)) for c in crit},
                "svo_angle": draw(st.one_of(st.none(), st.floats(-180, 180))),
                "concession": draw(
                    st.one_of(
                        st.none(),
                        st.sampled_from(["boulware", "linear", "conceder"]),
                        st.floats(0.1, 10),
                    )
                ),
                "dispersion": draw(st.one_of(st.none(), st.floats(0.5, 500))),
            }
        )
    m = draw(st.integers(1, 6))
    ivs = []
    for j in range(m):
        ivs.append(
            {
                "id": f"i{j}",
                "cost": draw(st.floats(0, 100)),
                "effects": {
                    c: draw(finite) for c in draw(st.lists(st.sampled_from(crit), unique=True))
                },
            }
        )
    budget = draw(st.floats(1, 400))
    costs = {iv["id"]: iv["cost"] for iv in ivs}
    chosen, total = [], 0.0
    for iv in ivs:
        if total + costs[iv["id"]] <= budget and draw(st.booleans()):
            chosen.append(iv["id"])
            total += costs[iv["id"]]
    return {
        "schema_version": 1,
        "normalize_weights": True,  # drawn weights need not sum to 1
        "name": draw(ident),
        "title": draw(st.text(min_size=1, max_size=30)),
        "criteria": [{"id": c, "scale": [lo, hi]} for c in crit],
        "groups": groups,
        "interventions": ivs,
        "budget": budget,
        "base_designs": [{"id": "d0", "interventions": chosen}],
    }


@given(scenario_dicts())
def test_yaml_round_trip(data):
    s = Scenario.from_dict(data)
    again = Scenario.from_yaml(s.to_yaml())
    assert again == s
    assert again.digest() == s.digest()
    p = compile_scenario(again, seed=0)
    assert p.is_feasible(p.base_designs["d0"])
    assert np.allclose(p.weights.sum(1), 1)


def test_scenario_is_frozen(toy):
    with pytest.raises(Exception, match="frozen"):
        toy.budget = 10  # type: ignore[misc]


def test_non_mapping_top_level():
    with pytest.raises(ScenarioError, match="mapping of fields at the top level; got list"):
        Scenario.from_yaml("- a\n- b\n", source="x.yaml")
