"""Pabulib scenarios on the shared elections: counts, the cities' greedy, Equal Shares.

The files live in ``../shared/data/pabulib`` and are never copied here; without them
every test skips. Counts are checked against a plain line count of each file; the city's
``selected`` column and pabutools (a test-only oracle) are the references for the rules.
Runs for which pabutools takes more than a second or two are marked slow.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from plurisim import compile_scenario, mechanisms, scenarios
from plurisim.problem import Problem

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pabulib"
FILES = sorted(p.name for p in DATA.glob("*.pb")) if DATA.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"no Pabulib files in {DATA}")

#: Small approval files whose Equal Shares pabutools runs in about a second: the default tier.
QUICK = {
    "France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb",
    "France_Toulouse_2022_7_-_Sept_Deniers_Ginestous-Sesquieres_Lalande.pb",
    "US_Stanford_Dataset_PB_Chicago_33rd_Ward_2021_vote_knapsacks.pb",
    "Poland_Warszawa_2023_Rembertow.pb",
}


def sections(name: str) -> dict[str, list[list[str]]]:
    """The file's sections as raw rows, split at ';' (good enough for counting)."""
    out: dict[str, list[list[str]]] = {}
    current = ""
    with open(DATA / name, encoding="utf-8") as fh:
        for line in fh:
            text = line.rstrip("\n")
            if text.strip().upper() in ("META", "PROJECTS", "VOTES"):
                current = text.strip().upper()
                out[current] = []
            elif text.strip():
                out[current].append(text.split(";"))
    return out


def meta(name: str) -> dict[str, str]:
    return {row[0]: row[1] for row in sections(name)["META"][1:]}


@cache
def problem(name: str, utility: str | None = None) -> Problem:
    return compile_scenario(scenarios.load(str(DATA / name), utility=utility))


@pytest.mark.parametrize("name", FILES)
def test_counts_round_trip(name):
    raw = sections(name)
    p = problem(name)
    assert p.ballots is not None
    assert p.n_interventions == len(raw["PROJECTS"]) - 1
    assert p.ballots.n_voters == p.n_individuals == int(p.sizes.sum()) == len(raw["VOTES"]) - 1
    assert p.budget == float(meta(name)["budget"])
    header = raw["PROJECTS"][0]
    costs = [float(row[header.index("cost")]) for row in raw["PROJECTS"][1:]]
    assert p.costs.tolist() == costs
    vote_at = raw["VOTES"][0].index("vote")
    lengths = [len([v for v in row[vote_at].split(",") if v]) for row in raw["VOTES"][1:]]
    assert np.diff(p.ballots.utilities.indptr).tolist() == lengths


def greedy_files() -> list[str]:
    out = []
    for name in FILES:
        header = sections(name)["PROJECTS"][0]
        if meta(name).get("rule") == "greedy" and "selected" in header:
            out.append(name)
    return out


@pytest.mark.parametrize("name", greedy_files())
def test_greedy_rule_reproduces_what_the_city_funded(name):
    p = problem(name)
    assert mechanisms.greedy(p).mask(p).tolist() == p.base_designs["city"].tolist()


def test_the_cities_that_fund_greedily_are_the_36_polish_districts():
    names = greedy_files()
    assert len(names) == (36 if len(FILES) == 65 else len(names))


@cache
def pabutools_case(name: str) -> tuple[Any, Any]:
    from pabutools.election import parse_pabulib

    return parse_pabulib(str(DATA / name))


def approval_params() -> list[Any]:
    out = []
    for name in FILES:
        if meta(name)["vote_type"] != "approval":
            continue
        marks = [] if name in QUICK else [pytest.mark.long]
        out.append(pytest.param(name, marks=marks, id=name.removesuffix(".pb")))
    return out


def _theirs(name: str, utility: str, **kwargs: Any) -> list[str]:
    from pabutools.election import Cardinality_Sat, Cost_Sat
    from pabutools.rules import method_of_equal_shares

    instance, profile = pabutools_case(name)
    sat = {"cost": Cost_Sat, "cardinality": Cardinality_Sat}[utility]
    return sorted(
        p.name for p in method_of_equal_shares(instance, profile, sat_class=sat, **kwargs)
    )


@pytest.mark.parametrize("utility", ["cost", "cardinality"])
@pytest.mark.parametrize("name", approval_params())
def test_mes_rule_equals_pabutools(name, utility):
    pytest.importorskip("pabutools")
    p = problem(name, utility)
    ids = [row[0] for row in sections(name)["PROJECTS"][1:]]
    assert list(p.interventions) == ids  # no id needed rewriting: names compare directly
    ours = sorted(mechanisms.mes(p, tie_break="name").package)
    assert ours == _theirs(name, utility)


def add1_params() -> list[Any]:
    return [
        pytest.param(name, marks=pytest.mark.long, id=name.removesuffix(".pb"))
        for name in FILES
        if meta(name)["vote_type"] == "approval" and int(meta(name)["num_votes"]) <= 1000
    ]


@pytest.mark.parametrize("utility", ["cost", "cardinality"])
@pytest.mark.parametrize("name", add1_params())
def test_mes_add1_rule_equals_pabutools_on_small_files(name, utility):
    pytest.importorskip("pabutools")
    p = problem(name, utility)
    ours = sorted(mechanisms.mes(p, tie_break="name", completion="add1").package)
    assert ours == _theirs(name, utility, voter_budget_increment=1)


def test_a_file_without_voter_attributes_is_one_group():
    name = next(n for n in FILES if n.startswith("France_Toulouse"))
    p = problem(name)
    assert p.groups == ("all",) and p.sizes.tolist() == [p.n_individuals]
