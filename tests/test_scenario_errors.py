"""Every kind of bad scenario file gets one clear message and exit status 2."""

from __future__ import annotations

import copy

import pytest
import yaml
from plurisim.cli import main
from plurisim.errors import ScenarioError
from plurisim.scenario import load_scenario


def mutate(path, value):
    """Return a function setting ``data[path...] = value`` (``DELETE`` removes it)."""

    def apply(d):
        target = d
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return d

    return apply


DELETE = object()

CASES = {
    "missing required field": (mutate(["budget"], DELETE), ["budget: required field is missing"]),
    "wrong type": (mutate(["budget"], "lots"), ["budget:", "valid number", "'lots'"]),
    "nan number": (mutate(["budget"], float("nan")), ["budget: must be a finite number; got nan"]),
    "infinite effect": (
        mutate(["interventions", 0, "effects", "accessibility"], float("inf")),
        ["interventions[0].effects.accessibility: must be a finite number; got inf"],
    ),
    "negative cost": (
        mutate(["interventions", 2, "cost"], -5),
        ["interventions[2].cost:", "greater than or equal to 0", "got -5"],
    ),
    "zero budget": (mutate(["budget"], 0), ["budget:", "greater than 0", "got 0"]),
    "negative budget": (mutate(["budget"], -10), ["budget:", "greater than 0", "got -10"]),
    "duplicate intervention ids": (
        mutate(["interventions", 1, "id"], "ramps"),
        ["interventions[1].id: duplicate id 'ramps'"],
    ),
    "effect on unknown criterion": (
        mutate(["interventions", 0, "effects", "speed"], 1.0),
        [
            "interventions[0].effects.speed: effect on unknown criterion 'speed'",
            "allowed: accessibility, comfort, greenery, activity",
        ],
    ),
    "negative weight": (
        mutate(["groups", 0, "weights", "comfort"], -0.5),
        ["groups[0].weights.comfort:", "greater than or equal to 0", "got -0.5"],
    ),
    "all-zero weights": (
        mutate(["groups", 1, "weights"], {"comfort": 0, "greenery": 0}),
        ["groups[1].weights: all weights are zero; at least one must be > 0"],
    ),
    "base design names unknown intervention": (
        mutate(["base_designs", 0, "interventions"], ["trees", "fountain"]),
        ["base_designs[0].interventions: unknown intervention 'fountain'"],
    ),
    "base design over budget": (
        mutate(["base_designs", 0, "interventions"], ["trees", "benches", "ramps", "lighting"]),
        ["base_designs[0]: costs 350, over the budget 300"],
    ),
    "empty group list": (mutate(["groups"], []), ["groups:", "at least 1 item", "got []"]),
    "cap below baseline": (
        mutate(["groups", 0, "baseline", "comfort"], 6.0),
        ["groups[0].baseline.comfort: baseline 6 is above the cap 5"],
    ),
    "unknown schema_version": (
        mutate(["schema_version"], 2),
        ["schema_version: unknown version 2; this plurisim reads schema_version 1"],
    ),
    "unknown field": (
        mutate(["budgett"], 5),
        ["budgett: unknown field 'budgett'; allowed fields: schema_version, name, title"],
    ),
    "unknown excluded intervention": (
        mutate(["interventions", 3, "excludes"], ["slide"]),
        ["interventions[3].excludes: unknown intervention 'slide'"],
    ),
    "unknown concession style": (
        mutate(["groups", 0, "concession"], "stubborn"),
        ["groups[0].concession:", "'stubborn'"],
    ),
    "svo angle out of range": (
        mutate(["groups", 0, "svo_angle"], 270),
        ["groups[0].svo_angle:", "less than or equal to 180", "got 270"],
    ),
    "missing baseline criterion": (
        mutate(["groups", 2, "baseline"], {"comfort": 2, "greenery": 2, "activity": 2}),
        ["groups[2].baseline.accessibility: missing; every criterion needs a baseline"],
    ),
    "weight given as a string": (
        mutate(["groups", 0, "weights", "accessibility"], "0.5"),
        ["groups[0].weights.accessibility:", "valid number", "got '0.5'"],
    ),
    "cost given as a boolean": (
        mutate(["interventions", 0, "cost"], True),
        ["interventions[0].cost:", "valid number", "got True"],
    ),
    "size given as a float": (
        mutate(["groups", 0, "size"], 10.0),
        ["groups[0].size:", "valid integer", "got 10.0"],
    ),
    "absurdly large budget": (
        mutate(["budget"], 1e308),
        ["budget:", "less than or equal to 1000000000000", "got 1e+308"],
    ),
    "weights not summing to 1": (
        mutate(["groups", 0, "weights"], {"accessibility": 0.5, "comfort": 0.2}),
        ["groups[0].weights: sum to 0.7; they must sum to 1 (within 0.001)", "normalize_weights"],
    ),
    "group effect for unknown group": (
        mutate(["interventions", 0, "group_effects", "pets"], {"comfort": 1}),
        ["interventions[0].group_effects.pets: unknown group 'pets'"],
    ),
}


def run_validate(capsys, path):
    status = main(["scenarios", "validate", str(path)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_file(case, tmp_path, toy_dict, capsys):
    change, expected = CASES[case]
    data = change(copy.deepcopy(toy_dict))
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    status, out, err = run_validate(capsys, path)
    assert status == 2, out
    assert "Traceback" not in err
    assert str(path) in err
    for text in expected:
        assert text in err, f"{text!r} not in {err!r}"


def test_yaml_syntax_error_names_the_line(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 1\nname: x\ntitle: [unclosed\nbudget: 3\n")
    status, _, err = run_validate(capsys, path)
    assert status == 2
    assert f"{path}:4:" in err
    assert "broken.yaml:4:7: expected ',' or ']', but got ':'" in err


def test_duplicate_yaml_key(tmp_path, capsys):
    path = tmp_path / "dup.yaml"
    path.write_text("schema_version: 1\nname: a\nname: b\n")
    status, _, err = run_validate(capsys, path)
    assert status == 2
    assert "dup.yaml:3:1: duplicate key 'name'; each key may appear once" in err


def test_missing_path(tmp_path, capsys):
    status, _, err = run_validate(capsys, tmp_path / "nope.yaml")
    assert status == 2
    assert "nope.yaml: no such file" in err


def test_directory_instead_of_file(tmp_path, capsys):
    status, _, err = run_validate(capsys, tmp_path)
    assert status == 2
    assert "is a directory; expected a scenario file" in err


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    status, _, err = run_validate(capsys, path)
    assert status == 2
    assert "empty.yaml: the file is empty" in err


def test_valid_file_passes(tmp_path, toy, capsys):
    path = tmp_path / "good.yaml"
    path.write_text(toy.to_yaml())
    status, out, _ = run_validate(capsys, path)
    assert status == 0
    assert "OK:" in out and "3 groups" in out


def test_several_problems_are_listed_in_one_message(tmp_path, toy_dict, capsys):
    data = copy.deepcopy(toy_dict)
    data["budget"] = -1
    data["interventions"][0]["cost"] = -1
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(data))
    status, _, err = run_validate(capsys, path)
    assert status == 2
    assert "interventions[0].cost:" in err and "1 more problem: budget" in err
    assert len(err.splitlines()) == 1
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [p.split(": ")[1] for p in info.value.problems] == ["interventions[0].cost", "budget"]


def test_normalize_weights_rescales_with_a_note(toy_dict):
    from plurisim.scenario import Scenario, compile_scenario

    d = copy.deepcopy(toy_dict)
    d["groups"][0]["weights"] = {k: 2 * v for k, v in d["groups"][0]["weights"].items()}
    d["normalize_weights"] = True
    s = Scenario.from_dict(d)
    assert s.notes() == [
        "groups[0].weights: summed to 2; rescaled to sum to 1 (normalize_weights: true)"
    ]
    assert compile_scenario(s).weights[0].sum() == pytest.approx(1.0)
