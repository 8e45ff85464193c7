"""Pabulib files wherever a scenario goes: the command line, sweeps and the study.

Every file is a tiny one written for the tests (tests/data/pabulib).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from plurisim.cli import main
from plurisim.experiments import sweep
from plurisim.studies.pabulib import run as run_study

DATA = Path(__file__).parent / "data" / "pabulib"
APPROVAL = str(DATA / "approval.pb")
ORDINAL = str(DATA / "ordinal.pb")


def call(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_lists_groups_projects_and_the_city(capsys):
    code, out, err = call(capsys, "scenarios", "show", APPROVAL, "--groups", "sex")
    assert code == 0 and err == ""
    assert "Groups of voters" in out and "sex F" in out
    assert "What the city funded" in out and "approval-cost" in out


def test_show_says_when_there_is_no_city(capsys):
    code, out, _ = call(capsys, "scenarios", "show", ORDINAL)
    assert code == 0
    assert "so there is no base design 'city'" in out


def test_validate_a_pb_file_and_a_malformed_one(capsys):
    code, out, err = call(capsys, "scenarios", "validate", str(DATA / "ordinal_points.pb"))
    assert code == 0 and "1 groups" in out and "2 voters" in out
    assert "no voter attributes" in err
    code, out, err = call(capsys, "scenarios", "validate", str(DATA / "unknown_project.pb"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown_project.pb:16: vote:" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "toy-park", "--groups", "age"], "--groups applies to Pabulib .pb files"),
        (
            ["run", "toy-park", "--groups", "age", "--utility", "cost"],
            "--groups and --utility apply to Pabulib .pb files",
        ),
        (["compare", APPROVAL, "--utility", "votes"], "--utility must be cost or cardinality"),
        (["scenarios", "show", APPROVAL, "--groups", "income"], "a voter attribute of"),
    ],
)
def test_bad_ballot_options_exit_2_with_one_line(capsys, argv, message):
    code, out, err = call(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("plurisim: error: ") and err.count("\n") == 1
    assert message in err


def test_compare_a_pb_file_with_rules_and_their_parameters(capsys):
    code, out, err = call(
        capsys, "compare", APPROVAL, "--groups", "age", "--utility", "cost",
        "--mechanisms", "greedy,mes", "--param", "mes.completion=add1", "--format", "json",
    )  # fmt: skip
    assert code == 0 and err == ""
    rows = {r["outcome"]: r for r in json.loads(out)}
    city = "What the city funded"
    assert list(rows) == [city, "greedy", "mes"]
    assert rows["greedy"]["package"] == rows[city]["package"] == ["p1", "p2"]
    assert rows["mes"]["params"]["completion"] == "add1"
    assert rows[city]["voters_with_funded_approval"] == pytest.approx(5 / 6)
    assert "spend_share:60plus" in rows["mes"]


def test_utility_on_a_ranked_file_is_one_notice_on_stderr_and_goes_on(capsys):
    code, out, err = call(capsys, "compare", ORDINAL, "--utility", "cost", "--mechanisms", "greedy")
    assert code == 0 and "Share of the spending" in out
    assert err.count("\n") == 1
    assert "--utility applies to approval ballots" in err and "points are used" in err


def test_run_negotiates_on_a_pb_file_and_runs_a_rule(capsys):
    code, out, _ = call(capsys, "run", APPROVAL, "--groups", "sex", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["scenario"] == "approval" and "voters_with_funded_approval" in doc["metrics"]
    code, out, _ = call(capsys, "run", APPROVAL, "--mechanism", "greedy", "--json")
    assert code == 0 and json.loads(out)["package"] == ["p1", "p2"]


def test_sweep_over_a_glob_of_pb_files(tmp_path):
    for name in ("approval.pb", "ranked_city.pb"):
        shutil.copy(DATA / name, tmp_path / name)
    spec = {
        "scenarios": [{"path": str(tmp_path / "*.pb"), "groups": "sex"}],
        "mechanisms": ["greedy", "mes"],
        "grid": {"budget": [10, 100]},
        "seeds": [0],
        "metrics": ["total_utility", "voters_with_funded_approval", "gini_voters"],
    }
    result = sweep(spec, tmp_path / "out", executor="inprocess", progress=False)
    table = result.table.sort_values(["param_budget", "scenario", "mechanism"])
    assert table["scenario"].tolist() == (["approval"] * 2 + ["ranked_city"] * 2) * 2
    # budget 10: nothing of approval fits; ranked_city (its own budget): Equal Shares
    # funds a, after which b's and c's supporters are short. Budget 100: approval's own.
    assert table["package"].tolist()[:4] == ["", "", "a; b", "a"]
    assert table["package"].tolist()[4:6] == ["p1; p2", "p1"]
    assert table["voters_with_funded_approval"].notna().all()
    other = dict(spec, scenarios=[{"path": str(tmp_path / "*.pb"), "utility": "cardinality"}])
    again = sweep(other, tmp_path / "out2", executor="inprocess", progress=False)
    assert again.manifest["spec_hash"] != result.manifest["spec_hash"]


def test_sweep_specs_refuse_ballot_options_elsewhere_and_empty_globs(tmp_path):
    from plurisim.errors import SpecError

    with pytest.raises(SpecError, match="groups and utility apply to Pabulib files"):
        sweep(
            {"scenarios": [{"name": "toy-park", "groups": "age"}], "mechanisms": ["greedy"],
             "seeds": [0]},
            tmp_path / "a", executor="inprocess", progress=False,
        )  # fmt: skip
    with pytest.raises(SpecError, match="no file matches"):
        sweep(
            {"scenarios": [{"path": str(tmp_path / "*.pb")}], "mechanisms": ["greedy"],
             "seeds": [0]},
            tmp_path / "b", executor="inprocess", progress=False,
        )  # fmt: skip


def test_the_study_runs_on_two_small_files():
    study = run_study(files=[DATA / "approval.pb", DATA / "ranked_city.pb"])
    ((_, table),) = study.tables
    assert table["rule"].tolist() == [
        "city", "mes (add1)", "maximin", "nash (from city)", "negotiation",
    ]  # fmt: skip
    assert (table["districts"] == 2).all()
    city = table.set_index("rule").loc["city"]
    assert 0 < city["voters with a funded approved project"] <= 1
    text = study.markdown()
    assert "| city | rule | districts | total | worst age group |" in text
    fig = study.figures["pabulib_worst_group"]()
    assert len(fig.axes) == 1


def test_the_study_says_where_its_files_are_missing(tmp_path):
    from plurisim.errors import ParameterError

    with pytest.raises(ParameterError, match="holds none; set PLURISIM_PABULIB"):
        run_study(data_dir=tmp_path)
