"""The app without a browser: its controls, the model they build, the tables, the command.

The browser tests (test_app_browser.py) drive the page itself; here every piece of
logic behind it is checked against independent oracles: the registry's own
validation, :func:`plurisim.negotiate` and :func:`plurisim.comparison.compare`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from xml.etree import ElementTree

import numpy as np
import pytest
from plurisim import negotiate, scenarios
from plurisim.app import available
from plurisim.cli import main
from plurisim.comparison import compare
from plurisim.errors import ParameterError
from plurisim.mechanisms import CLASSIC
from plurisim.negotiation.params import NEGOTIATION_PARAMS

if not available():
    pytest.skip("the app extra is not installed (pip install -e '.[app]')", allow_module_level=True)

from plurisim.app import controls, page, tables  # needs the extra

PARAMS = {p.name: p for p in NEGOTIATION_PARAMS}


# -- controls -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", controls.SHOWN)
def test_every_control_follows_the_registry(name):
    param = PARAMS[name]
    spec = controls.model_params("toy-park")[name]
    if param.choices is not None:
        assert spec["type"] == "Select"
        extra = [controls.SCENARIO_DEFAULT] if param.nullable else []
        assert spec["values"] == [*extra, *param.choices]
    elif spec["type"] in ("SliderInt", "SliderFloat"):
        assert spec["type"] == ("SliderInt" if param.kind == "int" else "SliderFloat")
        # Both ends of every slider, and every value on it, are values the registry accepts.
        for value in np.arange(spec["min"], spec["max"] + spec["step"] / 2, spec["step"]):
            param.validate(float(value) if param.kind == "float" else int(value), "negotiate")
        assert param.low <= spec["min"] <= spec["value"] <= spec["max"] <= param.high
    else:
        assert param.kind == "any"
        assert spec["type"] in ("Select", "InputText", "Checkbox")


def test_a_number_outside_the_range_is_refused_by_the_slider_too():
    with pytest.raises(ParameterError, match="'rounds' parameter .* range \\[1, 1000\\]"):
        controls.control(PARAMS["rounds"], 0)


def test_sliders_start_at_what_the_scenario_resolves_to():
    # toy-park declares no rounds; a generated scenario does not either: both get 20.
    assert controls.model_params("toy-park")["rounds"]["value"] == 20
    values = page.initial_values("toy-park")
    assert values["scenario"] == "toy-park" and values["seed"] == 0


def test_the_scenario_dropdown_lists_the_builtins_and_the_file_given(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(scenarios.builtin_path("toy-park").read_text())
    spec = controls.model_params(str(path), (str(path),))["scenario"]
    assert spec["values"] == [*scenarios.list(), str(path)]
    assert spec["value"] == str(path)


def test_controls_become_negotiation_parameters():
    got = controls.negotiation_kwargs(
        {
            "protocol": "alternating-offers",
            "stakeholders": controls.SCENARIO_DEFAULT,
            "concession": "boulware",
            "svo": "[10, 20, 30]",
            "deliberation": True,
            "quorum": 0.5,
        }
    )
    assert got == {
        "protocol": "alternating-offers",
        "concession": "boulware",
        "svo": [10, 20, 30],
        "deliberation": True,
        "quorum": 0.5,
        "stakeholders": "individuals",
    }
    assert controls.negotiation_kwargs({"svo": "", "deliberation": False}) == {}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"protocol": "auction"}, "'protocol' parameter of negotiate must be one of"),
        ({"quorum": 1.5}, "'quorum' parameter of negotiate must be a real number"),
        ({"svo": "{youth: [}"}, "'svo' parameter of negotiate"),
        ({"colour": "red"}, "The app has no control 'colour'"),
    ],
)
def test_bad_control_values_are_refused_with_the_registry_message(values, message):
    with pytest.raises(ParameterError, match=re.escape(message).replace("\\.\\*", ".*")):
        controls.negotiation_kwargs(values)


# -- the model the controls build -------------------------------------------------------


def test_the_initial_controls_reproduce_the_default_negotiation():
    model = controls.AppModel(**page.initial_values("toy-park"))
    expected = negotiate(scenarios.load("toy-park"), seed=0)
    assert model.run().summary() == expected.summary()


@pytest.mark.parametrize("protocol", ["mediated", "single-text", "alternating-offers"])
def test_the_app_model_plays_what_negotiate_plays(protocol):
    model = controls.AppModel(
        scenario="community-budget", seed=4, protocol=protocol, rounds=8, concession="conceder"
    )
    assert model.error == ""
    expected = negotiate(
        scenarios.load("community-budget"),
        seed=4,
        protocol=protocol,
        rounds=8,
        concession="conceder",
    )
    assert model.run().to_dict() == expected.to_dict()


def test_a_scenario_file_wins_over_the_dropdown(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(scenarios.builtin_path("toy-park").read_text().replace("300", "310", 1))
    model = controls.AppModel(scenario="community-budget", scenario_file=str(path))
    assert model.scenario_ref == str(path)
    assert model.problem.name == "toy-park"


def test_a_missing_file_is_reported_and_the_dropdown_scenario_stands(tmp_path):
    missing = tmp_path / "nope.yaml"
    model = controls.AppModel(scenario="toy-park", scenario_file=str(missing), rounds=5)
    assert str(missing) in model.error
    assert model.problem.name == "toy-park"
    assert model.params.rounds == 5


def test_a_value_the_scenario_refuses_is_reported_and_defaults_apply():
    model = controls.AppModel(scenario="toy-park", svo="{pensioners: 30}", rounds=5)
    assert "unknown group 'pensioners'" in model.error
    assert model.settings == {} and model.params.rounds == 20


# -- tables ---------------------------------------------------------------------------


@pytest.fixture
def played():
    model = controls.AppModel(scenario="toy-park", seed=1, rounds=6)
    for _ in range(3):
        model.step()
    return model


def test_the_rounds_frame_has_one_row_per_round(played):
    frame = tables.rounds_frame(played)
    assert frame["round"].tolist() == [1, 2, 3]
    p = played.negotiation.problem
    last = p.group_utilities(played.negotiation.history[-1].proposal)
    assert np.allclose(frame[[f"u:{g}" for g in p.groups]].iloc[-1], last)


def test_the_proposal_table_marks_the_current_proposal(played):
    table = tables.proposal_table(played)
    proposal = played.negotiation.history[-1].proposal
    assert table["proposed"].eq("yes").tolist() == proposal.tolist()
    d = played.negotiation.disagreement.mask
    assert table["disagreement point"].eq("yes").tolist() == d.tolist()


def test_the_answers_match_the_accepting_groups(played):
    table = tables.responses_table(played)
    record = played.negotiation.history[-1]
    labels = dict(zip(played.problem.groups, played.problem.group_labels, strict=True))
    accepting = {labels[g] for g in record.accepting_groups}
    assert set(table.loc[table["answer"] == "accepts", "stakeholder"]) == accepting


def test_individuals_are_summarized_by_group():
    model = controls.AppModel(scenario="toy-park", stakeholders="individuals")
    model.step()
    table = tables.responses_table(model)
    assert table.columns.tolist() == ["group", "members", "accepting", "most asked"]
    assert table["members"].sum() == model.problem.n_individuals


def test_the_comparison_appears_only_at_the_end_and_agrees_with_compare(played):
    assert tables.final_comparison(played) is None
    result = played.run()
    comparison = tables.final_comparison(played)
    frame = comparison.frame
    negotiated = frame[frame["kind"] == "negotiated"]
    assert len(negotiated) == 1
    assert negotiated["total_utility"].iloc[0] == pytest.approx(result.metrics["total_utility"])
    oracle = compare(
        played.problem, mechanisms=list(CLASSIC), common={"disagreement": "best-base-design"}
    ).frame
    for rule in CLASSIC:
        assert frame.loc[rule, "package"] == oracle.loc[rule, "package"]
        assert frame.loc[rule, "total_utility"] == pytest.approx(oracle.loc[rule, "total_utility"])
    shown = tables.comparison_table(comparison)
    assert shown["outcome"].tolist() == [str(i) for i in frame.index]


def test_the_transcript_grows_round_by_round(played):
    text = tables.transcript_markdown(played)
    assert [int(n) for n in re.findall(r"^## Round (\d+)$", text, re.M)] == [0, 1, 2, 3]


def test_status_says_where_the_negotiation_stands(played):
    s = tables.status(played)
    assert s["round"] == "3 of 6" and s["state"] == "negotiating"
    played.run()
    assert tables.status(played)["state"].startswith(("agreement", "no agreement"))


# -- what the page renders ------------------------------------------------------------


def test_markdown_from_a_scenario_cannot_inject_html_or_links():
    out = page.markdown_html('<img src=x onerror="alert(1)"> [click](javascript:alert(1))')
    assert "<img" not in out and "href" not in out
    assert "&lt;img" in out


def test_the_chart_has_one_point_per_group_and_round(played):
    from types import SimpleNamespace

    from plurisim import plots

    data = SimpleNamespace(rounds_table=tables.rounds_frame(played), group_labels={})
    root = ElementTree.fromstring(page.svg_html(plots.rounds(data)))
    ns = "{http://www.w3.org/2000/svg}"
    points = [u for g in root.iter(f"{ns}g") if "clip-path" in g.attrib for u in g.iter(f"{ns}use")]
    assert len(points) == played.round * played.problem.n_groups
    assert "width" not in root.attrib and "viewBox" in root.attrib


# -- the command ------------------------------------------------------------------------


def test_app_without_the_extra_says_how_to_install_it(monkeypatch, capsys):
    import plurisim.app

    monkeypatch.setattr(plurisim.app, "available", lambda: False)
    assert main(["app", "toy-park"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'plurisim[app]'" in err[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["app", "no-such-scenario"], "Unknown scenario 'no-such-scenario'"),
        (["app", "toy-park", "--port", "70000"], "'port' parameter of serve"),
    ],
)
def test_bad_app_arguments_exit_2_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_a_port_in_use_is_refused_with_one_line(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["app", "toy-park", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"Cannot listen on 127.0.0.1:{port}" in err[0]


def test_the_server_binds_a_free_port_on_localhost_and_prints_its_url():
    proc = subprocess.Popen(
        [sys.executable, "-m", "plurisim", "app", "toy-park", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        found = re.fullmatch(
            r"plurisim app: (http://127\.0\.0\.1:(\d+)/) \(Ctrl-C stops it\)\n", line
        )
        assert found, line
        assert int(found.group(2)) > 0
        with urllib.request.urlopen(found.group(1), timeout=30) as response:
            html = response.read().decode()
        assert response.status == 200 and "solara" in html.lower()
        # The page's front end is served from this machine, not from a CDN.
        assert "cdn.jsdelivr.net" not in html
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_other_commands_never_import_the_app_or_its_libraries():
    code = (
        "import sys, json, plurisim, plurisim.app\n"
        "from plurisim.cli import build_parser, main\n"
        "build_parser()\n"
        "main(['scenarios', 'list'])\n"
        "heavy = ['solara', 'altair', 'matplotlib', 'mesa.visualization', 'plurisim.app.page']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []
