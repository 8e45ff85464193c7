"""``plurisim run`` and ``plurisim compare`` as a user calls them."""

from __future__ import annotations

import json

from plurisim.cli import main


def test_run_json_prints_the_design_object(capsys):
    assert main(["run", "montreal-streets", "--seed", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scenario"] == "montreal-streets"
    assert doc["mechanism"] == "negotiative"
    assert doc["seed"] == 3
    assert doc["cost"] <= doc["budget"]
    assert isinstance(doc["agreement"], bool) and doc["rounds"] >= 1
    assert set(doc["metrics"]) >= {
        "total_utility",
        "worst_group_utility",
        "p20_satisfaction",
        "gini",
    }
    assert doc["reference"]["design"] == "Lively street"


def test_run_json_is_byte_identical_for_a_seed(capsys):
    main(["run", "community-budget", "--seed", "5", "--json"])
    first = capsys.readouterr().out
    main(["run", "community-budget", "--seed", "5", "--json"])
    assert capsys.readouterr().out == first


def test_run_out_writes_every_file(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", "montreal-streets", "--out", str(out)]) == 0
    assert "agreement after" in capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir())
    assert names == ["comparison.png", "result.json", "rounds.csv", "rounds.png", "transcript.md"]
    assert (out / "transcript.md").read_text().startswith("# Negotiation on montreal-streets")
    assert json.loads((out / "result.json").read_text())["transcript"][0]["round"] == 0
    assert (out / "rounds.csv").read_text().splitlines()[0].startswith("round,proposer,cost")
    assert (out / "rounds.png").stat().st_size > 10_000


def test_run_other_mechanism(capsys):
    assert main(["run", "community-budget", "--mechanism", "mes", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["mechanism"] == "mes" and doc["agreement"] is None


def test_run_individuals_with_deliberation(capsys):
    assert main(["run", "montreal-streets", "--deliberation", "--rounds", "10", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rounds"] <= 10


def test_run_bad_input(capsys, tmp_path):
    assert main(["run", "montreal-streets", "--rounds", "0"]) == 2
    assert "'rounds' parameter of negotiate" in capsys.readouterr().err
    assert main(["run", "montreal-streets", "--mechanism", "maximin", "--quorum", "0.5"]) == 2
    assert "--quorum only applies to --mechanism negotiative" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", "toy-park", "--out", str(blocker)]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_compare_includes_the_negotiation_by_default(capsys):
    assert main(["compare", "montreal-streets", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    kinds = {r["outcome"]: r["kind"] for r in records}
    assert kinds["negotiated"] == "negotiated"
    assert kinds["Lively street"] == "base_design"
    assert kinds["maximin"] == "mechanism"
