"""Every registered parameter reaches the command line, and sweeps refuse bad values up front.

The registry declares each parameter once; these tests read the declarations and
look for each in what a user sees (``run --help``, ``compare --help``) and in what
a sweep does with a value the registry refuses.
"""

from __future__ import annotations

import re

import pytest
import yaml
from plurisim import registry
from plurisim.cli import main
from plurisim.experiments import sweep


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_run_help_has_a_flag_for_every_negotiation_parameter(capsys):
    text = _help(capsys, "run", "toy-park")
    flags = set(re.findall(r"--[a-z][a-z-]*", text))
    missing = [
        p.name for p in registry.NEGOTIATION_PARAMS if f"--{p.name.replace('_', '-')}" not in flags
    ]
    assert not missing, f"run --help lacks {missing}"


def test_compare_help_lists_every_parameter_of_every_rule(capsys):
    text = _help(capsys, "compare", "toy-park")
    section = text.split("parameters (--param MECHANISM.NAME=VALUE):", 1)[1]
    # Each rule's block: "  name:" then its parameters indented by four spaces.
    blocks: dict[str, set[str]] = {}
    current = None
    for line in section.splitlines():
        head = re.match(r"^  ([a-z_]+):", line)
        if head:
            current = head.group(1)
            blocks[current] = set()
        elif current is not None:
            param = re.match(r"^    ([a-z_]+):", line)
            if param:
                blocks[current].add(param.group(1))
    for name, info in registry.MECHANISMS.items():
        if name == "negotiative":  # its parameters are run's flags
            continue
        assert name in blocks, f"compare --help does not list {name}"
        declared = {p.name for p in info.params}
        assert blocks[name] == declared, (name, blocks[name] ^ declared)


def test_a_sweep_with_a_refused_grid_value_exits_2_and_writes_nothing(tmp_path, capsys):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        yaml.safe_dump(
            {"scenarios": ["toy-park"], "mechanisms": ["negotiative"], "grid": {"rounds": [0]},
             "seeds": [0]}
        )
    )  # fmt: skip
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "inprocess"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"plurisim: error: {spec}: grid.rounds: The 'rounds' parameter of negotiative must be "
        "an int in the range [1, 1000]. Got 0 instead.\n"
    )
    assert not out.exists()


def test_a_budget_sweep_gives_one_row_per_budget_and_seed_within_its_budget(tmp_path):
    budgets = [120.0, 250.0, 400.0]
    spec = {
        "scenarios": ["toy-park"],
        "mechanisms": ["negotiative", "utilitarian", "mes"],
        "grid": {"budget": budgets},
        "seeds": {"count": 3, "root": 5},
    }
    table = sweep(spec, tmp_path, executor="inprocess", progress=False).table
    assert len(table) == 3 * 3 * len(budgets)
    counts = table.groupby(["mechanism", "param_budget", "seed"]).size()
    assert counts.eq(1).all() and len(counts) == len(table)
    assert sorted(table["param_budget"].unique()) == budgets
    assert (table["cost"] <= table["param_budget"] * (1 + 1e-9)).all()
    # A budget that binds changes what is funded: the cheapest budget funds less.
    by_budget = table.groupby("param_budget")["cost"].max()
    assert by_budget[120.0] < by_budget[400.0]
