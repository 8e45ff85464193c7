"""What the commands show: transcripts, the files they wrote, progress bars, and notes.

Each behaviour is checked against an independent source: the library call the
command wraps, the folder's listing, the scenario file read with plain YAML, and a
recomputation of percentile satisfaction from the printed group utilities.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import tqdm
import yaml
from plurisim import negotiate, progress, scenarios
from plurisim.cli import main

BUILTIN = Path(scenarios.__file__).resolve().parent / "builtin"


def written(text: str) -> set[str]:
    return {line.removeprefix("wrote ") for line in text.splitlines() if line.startswith("wrote ")}


# -- run --transcript -------------------------------------------------------------------


def test_run_transcript_prints_the_markdown_the_result_produces(capsys):
    assert main(["run", "toy-park", "--disagreement", "status-quo", "--transcript"]) == 0
    out = capsys.readouterr().out
    expected = negotiate(scenarios.load("toy-park"), seed=0, disagreement="status-quo")
    assert out == expected.to_markdown()
    assert out.startswith("# Negotiation on toy-park (seed 0)")
    assert "## Round 1" in out and "## Result" in out


def test_run_transcript_with_json_goes_into_the_object(capsys):
    argv = ["run", "toy-park", "--disagreement", "status-quo", "--json"]
    assert main(argv) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main([*argv, "--transcript"]) == 0
    doc = json.loads(capsys.readouterr().out)  # stdout stays one JSON document
    markdown = doc.pop("transcript_markdown")
    assert doc == plain
    assert markdown.startswith("# Negotiation on toy-park") and "## Result" in markdown


def test_run_transcript_is_refused_for_a_rule(capsys):
    assert main(["run", "toy-park", "--mechanism", "maximin", "--transcript"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--transcript only applies to --mechanism negotiative" in err


# -- --out names each file --------------------------------------------------------------


def listing(folder: Path) -> set[str]:
    return {str(p) for p in folder.iterdir()}


def test_run_out_lists_each_file_on_stdout_after_the_verdict(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", "toy-park", "--out", str(out)]) == 0
    cap = capsys.readouterr()
    assert written(cap.out) == listing(out) and len(listing(out)) == 5
    assert written(cap.err) == set()


def test_run_json_out_lists_the_files_on_stderr(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", "toy-park", "--json", "--out", str(out)]) == 0
    cap = capsys.readouterr()
    json.loads(cap.out)
    assert written(cap.err) == listing(out)


def test_run_rule_out_lists_its_file(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", "toy-park", "--mechanism", "maximin", "--out", str(out)]) == 0
    assert written(capsys.readouterr().out) == {str(out / "result.json")} == listing(out)


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_compare_out_lists_each_file(fmt, tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", "toy-park", "--mechanisms", "maximin", "--format", fmt, "--out", str(out)]
    assert main(argv) == 0
    cap = capsys.readouterr()
    stream, other = (cap.out, cap.err) if fmt == "table" else (cap.err, cap.out)
    assert written(stream) == listing(out) and len(listing(out)) == 5
    assert written(other) == set()
    if fmt == "json":
        json.loads(cap.out)


def test_svo_out_lists_each_file(tmp_path, capsys):
    out = tmp_path / "svo"
    assert main(["svo", "--agents", "2", "--json", "--out", str(out)]) == 0
    cap = capsys.readouterr()
    json.loads(cap.out)
    assert written(cap.err) == listing(out) and len(listing(out)) == 5


def test_study_out_lists_each_file_on_stderr(tmp_path, capsys):
    out = tmp_path / "study"
    assert main(["study", "montreal", "--out", str(out)]) == 0
    cap = capsys.readouterr()
    assert cap.out.startswith("*Study `montreal`*") and "wrote" not in cap.out
    assert written(cap.err) == listing(out)


def test_quiet_names_no_file(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", "toy-park", "--quiet", "--out", str(out)]) == 0
    cap = capsys.readouterr()
    assert "wrote" not in cap.out + cap.err and len(listing(out)) == 5


# -- scenarios show: group-specific effects -------------------------------------------


@pytest.mark.parametrize("name", ["community-budget", "montreal-streets"])
def test_show_prints_every_group_specific_effect_of_the_file(name, capsys):
    assert main(["scenarios", "show", name]) == 0
    text = capsys.readouterr().out
    section = text.split("Effect on each group where it differs")[1].split("\n\n")[0]
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in section.splitlines()[3:]}
    data = yaml.safe_load((BUILTIN / f"{name}.yaml").read_text(encoding="utf-8"))
    criteria = [c["id"] for c in data["criteria"]]
    expected = {}
    for iv in data["interventions"]:
        for group, own in (iv.get("group_effects") or {}).items():
            if not own:  # an empty override leaves the common effect
                continue
            common = iv.get("effects") or {}
            expected[(iv["id"], group)] = [own.get(c, common.get(c, 0.0)) for c in criteria]
    assert expected and set(rows) == set(expected)
    for key, values in expected.items():
        assert np.allclose([float(v) for v in rows[key]], values, atol=5e-4), key


def test_show_prints_each_groups_utility_from_each_project_of_a_pb_file(capsys):
    pb = Path(__file__).parent / "data" / "pabulib" / "approval.pb"
    assert main(["scenarios", "show", str(pb), "--groups", "sex", "--utility", "cardinality"]) == 0
    section = capsys.readouterr().out.split("Effect of each project on each group")[1]
    lines = section.split("\n\n")[0].splitlines()
    header = lines[1].split()
    table = {ln.split()[0]: dict(zip(header[1:], ln.split()[1:], strict=True)) for ln in lines[3:]}
    # By hand from the file: F = v1, v3; M = v2, v5; X = v4; unknown = v6 (empty
    # ballot). Under cardinality utilities a funded approved project counts 1.
    by_hand = {
        "p1": {"F": 1.0, "M": 0.5, "X": 1.0, "unknown": 0.0},  # v1 v3 | v2 | v4
        "p2": {"F": 0.5, "M": 0.5, "X": 0.0, "unknown": 0.0},  # v1 | v5
        "p3": {"F": 0.5, "M": 0.0, "X": 1.0, "unknown": 0.0},  # v3 | v4
    }
    assert {p: {g: float(v) for g, v in row.items()} for p, row in table.items()} == by_hand


# -- progress bars ----------------------------------------------------------------------


class EveryStep(tqdm.tqdm):
    """tqdm redrawing at every step, so that a quick test sees each count."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, mininterval=0, miniters=1, **kwargs)


@pytest.fixture
def terminal(monkeypatch, capsys):
    """Call it in the test: standard error then behaves as a terminal, bars draw every step.

    (The captured stream is replaced between a fixture's setup and the test's call, so
    the patch is applied from the test itself.)
    """
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(tqdm, "tqdm", EveryStep)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)

    def on(tty: bool = True) -> pytest.MonkeyPatch:
        monkeypatch.setattr(sys.stderr, "isatty", lambda: tty, raising=False)
        return monkeypatch

    return on


ROUNDS = ["run", "montreal-streets", "--seed", "1", "--rounds", "5", "--json"]


def test_a_run_shows_its_rounds_on_a_terminal_and_keeps_stdout_clean(terminal, capsys):
    terminal()
    assert main(ROUNDS) == 0
    cap = capsys.readouterr()
    assert re.search(r"rounds:\s+\d+%\|", cap.err), cap.err
    doc = json.loads(cap.out)
    assert doc["rounds"] <= 5


@pytest.mark.parametrize("how", ["--quiet", "TQDM_DISABLE", "not a terminal"])
def test_no_bar_when_quiet_disabled_or_not_a_terminal(how, terminal, capsys):
    argv = list(ROUNDS)
    patch = terminal(tty=how != "not a terminal")
    if how == "--quiet":
        argv.append("--quiet")
    elif how == "TQDM_DISABLE":
        patch.setenv("TQDM_DISABLE", "1")
    assert main(argv) == 0
    cap = capsys.readouterr()
    assert "%|" not in cap.err and cap.err == ""


def test_the_bar_changes_no_result(terminal, capsys):
    terminal()
    assert main(ROUNDS) == 0
    with_bar = capsys.readouterr().out
    assert main([*ROUNDS, "--quiet"]) == 0
    assert capsys.readouterr().out == with_bar


def test_a_comparison_counts_its_mechanisms(terminal, capsys):
    terminal()
    argv = ["compare", "toy-park", "--mechanisms", "maximin,negotiative", "--format", "csv"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert re.search(r"mechanisms:.*2/2", err), err


def test_an_svo_study_counts_its_agents(terminal, capsys):
    terminal()
    assert main(["svo", "--agents", "3", "--targets", "prosocial", "--json"]) == 0
    assert re.search(r"SVO agents:.*3/3", capsys.readouterr().err)


def test_library_calls_draw_nothing(capsys):
    # Without a bar opened by a command, loops are untouched and nothing is printed.
    negotiate(scenarios.load("toy-park"), seed=0)
    assert capsys.readouterr().err == ""
    assert list(progress.track(iter("ab"))) == ["a", "b"]


# -- percentile satisfaction says what it was normalised over ---------------------------


def recomputed_percentile(records: list[dict], p: float) -> dict[str, float]:
    """Each group's utility min-max scaled over the rows, then the percentile over groups."""
    names = [r["outcome"] for r in records]
    u = np.array([list(r["group_utilities"].values()) for r in records], dtype=float)
    lo, hi = u.min(axis=0), u.max(axis=0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    s = np.where(hi - lo > 1e-9, (u - lo) / span, 1.0)
    return dict(zip(names, np.percentile(s, p, axis=1), strict=True))


@pytest.mark.parametrize("percentile", [20, 50])
def test_the_compare_table_states_the_normalisation_it_used(percentile, capsys):
    argv = ["compare", "community-budget", "--percentile", str(percentile)]
    assert main([*argv, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    # the claim the note makes, checked: scaled over exactly the rows of the table
    mine = recomputed_percentile(records, percentile)
    for r in records:
        assert r[f"p{percentile}_satisfaction"] == pytest.approx(mine[r["outcome"]])
    assert main(argv) == 0
    text = capsys.readouterr().out
    ordinal = {20: "20th", 50: "50th"}[percentile]
    assert (
        f"p{percentile} satisfaction: each group's utility rescaled from its lowest (0) to its "
        f"highest (1) over the {len(records)} outcomes in this table, then the {ordinal} "
        "percentile over groups." in text
    )


def test_a_run_states_the_normalisation_in_text_and_in_the_transcript(tmp_path, capsys):
    designs = len(scenarios.load("montreal-streets").base_designs)
    note = f"over the {designs + 1} outcomes (the {designs} base designs and this package)"
    assert main(["run", "montreal-streets", "--out", str(tmp_path)]) == 0
    assert note in capsys.readouterr().out
    assert note in (tmp_path / "transcript.md").read_text(encoding="utf-8")
    assert main(["run", "montreal-streets", "--mechanism", "maximin"]) == 0
    assert note in capsys.readouterr().out


def test_a_run_without_designs_says_it_was_scaled_against_the_status_quo(tmp_path, capsys):
    spec = scenarios.generate(3, 5, 2, 0.5, 0.4, seed=1).model_dump(mode="json")
    spec["base_designs"] = []
    path = tmp_path / "bare.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert main(["run", str(path), "--disagreement", "status-quo"]) == 0
    assert "over the 2 outcomes (the status quo and this package)" in capsys.readouterr().out
    assert main(["run", str(path), "--mechanism", "utilitarian"]) == 0
    assert "over the 2 outcomes (the status quo and this package)" in capsys.readouterr().out


def test_compare_out_writes_the_note_into_the_text_table(tmp_path, capsys):
    assert main(["compare", "toy-park", "--mechanisms", "maximin", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    text = (tmp_path / "comparison.txt").read_text(encoding="utf-8")
    assert "over the 3 outcomes in this table" in text


def test_llm_answers_count_on_the_bar_as_they_arrive(terminal, capsys):
    pytest.importorskip("langchain_core", reason="the llm extra is not installed")
    terminal()
    argv = ["svo", "--agents", "2", "--targets", "prosocial", "--llm", "scripted", "--json"]
    assert main(argv) == 0
    assert re.search(r"SVO agents \(LLM\):.*2/2", capsys.readouterr().err)
