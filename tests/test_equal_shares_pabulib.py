"""Equal Shares and greedy-by-votes on the shared Pabulib elections.

Instances are built with pabutools' own ``parse_pabulib`` (pabutools, GPL, is a
test-only oracle); our engine gets the same numbers as arrays, in file order, with
pabutools' tie-breaking (project ids in string order, ``priority_by_name``). The
files live in ``../shared/data/pabulib`` and are never copied here; without them
every test skips. Runs that take pabutools more than a few seconds are marked slow.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from plurisim.mechanisms.equal_shares import equal_shares, greedy_by_votes, priority_by_name

pabutools = pytest.importorskip("pabutools")
from pabutools.election import (  # noqa: E402
    Additive_Borda_Sat,
    Additive_Cardinal_Sat,
    CardinalBallot,
    Cardinality_Sat,
    CardinalProfile,
    Cost_Sat,
    parse_pabulib,
)
from pabutools.rules import BudgetAllocation, method_of_equal_shares  # noqa: E402
from pabutools.rules.mes.mes_rule import method_of_equal_shares_scheme  # noqa: E402
from pabutools.tiebreaking import lexico_tie_breaking  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pabulib"
FILES = sorted(p.name for p in DATA.glob("*.pb")) if DATA.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"no Pabulib files in {DATA}")

SMALL = 1600  # voters: pabutools' Equal Shares takes well under a second below this
SATS = {"cost": Cost_Sat, "cardinality": Cardinality_Sat}


def meta(name: str) -> dict[str, str]:
    """The META section of a file, read without pabutools (for test parameters)."""
    out = {}
    with open(DATA / name, encoding="utf-8") as fh:
        next(fh)
        next(fh)
        for line in fh:
            if line.strip().upper() == "PROJECTS":
                break
            key, _, value = line.strip().partition(";")
            out[key] = value
    return out


def files(vote_types: tuple[str, ...], slow_above: int = SMALL) -> list[Any]:
    params = []
    for name in FILES:
        info = meta(name)
        if info["vote_type"] not in vote_types:
            continue
        marks = [pytest.mark.long] if int(info["num_votes"]) > slow_above else []
        params.append(pytest.param(name, marks=marks, id=name.removesuffix(".pb")))
    return params


@cache
def load(name: str) -> tuple[Any, Any, list[Any], np.ndarray]:
    """pabutools' instance and profile, the projects in file order, and their costs."""
    instance, profile = parse_pabulib(str(DATA / name))
    projects = list(instance.project_meta)
    costs = np.array([float(p.cost) for p in projects])
    return instance, profile, projects, costs


def utilities(name: str, kind: str) -> sp.csr_array:
    """Ballot utilities: cost or 1 per listed project, Borda (n - pos - 1) or points."""
    instance, profile, projects, costs = load(name)
    index = {p.name: j for j, p in enumerate(projects)}
    vote_type = instance.meta["vote_type"]
    rows, cols, vals = [], [], []
    for i, ballot in enumerate(profile):
        if vote_type == "cumulative":
            items = [(p, float(points)) for p, points in ballot.items()]
        elif vote_type == "ordinal":
            items = [(p, float(len(ballot) - pos)) for pos, p in enumerate(ballot)]
        else:
            items = [(p, 1.0) for p in ballot]
        for p, points in items:
            j = index[p.name]
            if kind == "cost":
                value = costs[j]
            elif kind == "cardinality":
                value = 1.0
            elif kind == "borda":  # pabutools' Additive_Borda_Sat: the last listed scores 0
                value = points - 1.0
            else:
                value = points
            rows.append(i)
            cols.append(j)
            vals.append(value)
    return sp.csr_array((vals, (rows, cols)), shape=(len(profile), len(projects)))


def names(name: str, selected: tuple[int, ...]) -> list[str]:
    projects = load(name)[2]
    return sorted(projects[j].name for j in selected)


def ours(name: str, kind: str, **kwargs: Any) -> Any:
    instance, _, projects, costs = load(name)
    return equal_shares(
        costs,
        float(instance.budget_limit),
        utilities(name, kind),
        priority=priority_by_name([p.name for p in projects]),
        **kwargs,
    )


def theirs(name: str, sat: Any, **kwargs: Any) -> list[str]:
    instance, profile, _, _ = load(name)
    return sorted(
        p.name for p in method_of_equal_shares(instance, profile, sat_class=sat, **kwargs)
    )


def theirs_at(name: str, sat: Any, per_voter: Any) -> list[str]:
    """pabutools' plain Equal Shares with every voter starting at ``per_voter``."""
    instance, profile, _, _ = load(name)
    out = method_of_equal_shares_scheme(
        instance,
        profile,
        profile.as_sat_profile(sat),
        per_voter,
        BudgetAllocation(),
        lexico_tie_breaking,
        binary_sat=True,
    )
    return sorted(p.name for p in out)


# --- plain Equal Shares -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["cost", "cardinality"])
@pytest.mark.parametrize("name", files(("approval",)))
def test_plain_mes_matches_pabutools_on_approval_files(name, kind):
    instance, _, projects, costs = load(name)
    util = utilities(name, kind)
    unique, counts = np.unique(util.toarray(), axis=0, return_counts=True)  # duplicated voters
    res = equal_shares(
        costs,
        float(instance.budget_limit),
        sp.csr_array(unique),
        multiplicity=counts,
        priority=priority_by_name([p.name for p in projects]),
    )
    assert names(name, res.selected) == theirs(name, SATS[kind])


@pytest.mark.parametrize("kind", ["cost", "cardinality", "borda", "points"])
@pytest.mark.parametrize("name", files(("ordinal",), slow_above=0))
def test_plain_mes_matches_pabutools_on_ordinal_files(name, kind):
    """pabutools reads rankings as approvals (cost, cardinality) or Borda scores; for
    points (3-2-1 for a three-project ballot, what Kraków counts) it takes a cardinal
    profile of the same points."""
    instance, profile, _, _ = load(name)
    res = ours(name, kind)
    if kind == "points":
        ballots = [CardinalBallot({p: len(b) - pos for pos, p in enumerate(b)}) for b in profile]
        cardinal = CardinalProfile(ballots, instance=instance)
        expected = sorted(
            p.name
            for p in method_of_equal_shares(instance, cardinal, sat_class=Additive_Cardinal_Sat)
        )
    else:
        sat = {"cost": Cost_Sat, "cardinality": Cardinality_Sat, "borda": Additive_Borda_Sat}[kind]
        expected = theirs(name, sat)
    assert names(name, res.selected) == expected


CUMULATIVE_SATS = {
    "cost": Cost_Sat,
    "cardinality": Cardinality_Sat,
    "points": Additive_Cardinal_Sat,
}


@pytest.mark.parametrize("kind", list(CUMULATIVE_SATS))
@pytest.mark.parametrize("name", files(("cumulative",)))
def test_plain_mes_matches_pabutools_on_cumulative_files(name, kind):
    assert names(name, ours(name, kind).selected) == theirs(name, CUMULATIVE_SATS[kind])


@pytest.mark.long
@pytest.mark.parametrize("kind", list(CUMULATIVE_SATS))
@pytest.mark.parametrize("name", files(("cumulative",)))
def test_add1_matches_pabutools_on_cumulative_files(name, kind):
    """Thousands of add1 steps for pabutools (shares of about 6,800 in steps of 1)."""
    full = ours(name, kind, completion="add1")
    assert names(name, full.selected) == theirs(
        name, CUMULATIVE_SATS[kind], voter_budget_increment=1
    )


# --- the add1 completion --------------------------------------------------------------------

MID_SIZE = ["Poland_Warszawa_2023_Rembertow.pb", "Poland_Warszawa_2023_Wesola.pb"]


def add1_against_pabutools() -> list[Any]:
    """pabutools' add1 on the small approval files and on two mid-size ones (minutes)."""
    params = []
    for name in FILES:
        info = meta(name)
        if info["vote_type"] == "approval" and (
            int(info["num_votes"]) <= SMALL or name in MID_SIZE
        ):
            params.append(pytest.param(name, marks=pytest.mark.long, id=name.removesuffix(".pb")))
    return params


@pytest.mark.parametrize("kind", ["cost", "cardinality"])
@pytest.mark.parametrize("name", add1_against_pabutools())
def test_add1_matches_pabutools(name, kind):
    res = ours(name, kind, completion="add1")
    assert names(name, res.selected) == theirs(name, SATS[kind], voter_budget_increment=1)


@pytest.mark.parametrize("kind", ["cost", "cardinality"])
@pytest.mark.parametrize("name", files(("approval",)))
def test_add1_is_plain_mes_at_its_final_share_and_stops_where_add1_stops(name, kind):
    """On every approval file: the add1 outcome is plain Equal Shares with every voter
    starting at the final share, and one more increment overspends (or the outcome is
    exhaustive, so add1 stopped there)."""
    instance, _, projects, costs = load(name)
    budget = float(instance.budget_limit)
    util = utilities(name, kind)
    rank = priority_by_name([p.name for p in projects])
    n = util.shape[0]
    full = ours(name, kind, completion="add1")
    assert full.steps_evaluated + full.steps_skipped >= full.increments + 1
    at_final = equal_shares(costs, budget + n * full.increments, util, priority=rank)
    assert at_final.selected == full.selected
    spent = costs[list(full.selected)].sum()
    assert spent <= budget
    supported = np.asarray((util > 0).sum(axis=0)).ravel() > 0
    fits = [
        j for j in range(costs.size) if j not in full.selected and costs[j] > 0 and supported[j]
    ]
    exhaustive = all(spent + costs[j] > budget for j in fits)
    if not exhaustive:
        after = equal_shares(costs, budget + n * (full.increments + 1), util, priority=rank)
        assert costs[list(after.selected)].sum() > budget


@pytest.mark.long
@pytest.mark.parametrize("kind", ["cost", "cardinality"])
@pytest.mark.parametrize(
    "name", ["Poland_Warszawa_2023_Mokotow.pb", "Poland_Warszawa_2023_Ochota.pb"]
)
def test_add1_outcome_is_pabutools_plain_mes_at_the_final_share(name, kind):
    """Large files, where pabutools' own add1 takes hours: its plain Equal Shares at our
    final per-voter budget selects what our add1 selects."""
    instance, profile, _, _ = load(name)
    full = ours(name, kind, completion="add1")
    per_voter = (
        pabutools.fractions.frac(instance.budget_limit, profile.num_ballots()) + full.increments
    )
    assert names(name, full.selected) == theirs_at(name, SATS[kind], per_voter)


# --- greedy by votes --------------------------------------------------------------------------


def greedy_files() -> list[str]:
    return [n for n in FILES if meta(n).get("rule") == "greedy" and has_selected(n)]


def has_selected(name: str) -> bool:
    with open(DATA / name, encoding="utf-8") as fh:
        for line in fh:
            if line.strip().upper() == "PROJECTS":
                return "selected" in next(fh).strip().split(";")
    return False


def greedy_case(name: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    instance, _, projects, costs = load(name)
    votes = np.array([float(instance.project_meta[p][column]) for p in projects])
    selection, _ = greedy_by_votes(costs, float(instance.budget_limit), votes)
    expected = np.array([int(instance.project_meta[p]["selected"]) > 0 for p in projects])
    return selection, expected


def points_column(name: str) -> str:
    """Kraków ranks by points (the ``score`` column), Warszawa by approvals (``votes``)."""
    return "score" if meta(name)["vote_type"] == "ordinal" else "votes"


#: Files whose ``selected`` column greedy by the ``votes`` column (how many ballots list
#: a project) does not reproduce, and why. Greedy by each city's own count reproduces all.
EXPECTED_FAILURES_BY_BALLOT_COUNT = dict.fromkeys(
    [
        "Poland_Krakow_2023_Biezanow-Prokocim.pb",
        "Poland_Krakow_2023_Bronowice.pb",
        "Poland_Krakow_2023_Grzegorzki.pb",
        "Poland_Krakow_2023_Nowa_Huta.pb",
        "Poland_Krakow_2023_Pradnik_Bialy.pb",
        "Poland_Krakow_2023_Pradnik_Czerwony.pb",
        "Poland_Krakow_2023_Stare_Miasto.pb",
        "Poland_Krakow_2023_Wzgorza_Krzeslawickie.pb",
        "Poland_Krakow_2023_Zwierzyniec.pb",
    ],
    "Kraków funds by points (3, 2 and 1 for a ballot's first, second and third "
    "choice: the score column), not by how many ballots list a project",
)


def greedy_params(by_ballot_count: bool) -> list[Any]:
    params = []
    for name in greedy_files():
        marks = [pytest.mark.long] if int(meta(name)["num_votes"]) > 3000 else []
        reason = EXPECTED_FAILURES_BY_BALLOT_COUNT.get(name)
        if by_ballot_count and reason:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(name, marks=marks, id=name.removesuffix(".pb")))
    return params


@pytest.mark.parametrize("name", greedy_params(by_ballot_count=False))
def test_greedy_by_votes_reproduces_the_city_selection(name):
    selection, expected = greedy_case(name, points_column(name))
    assert selection.tolist() == expected.tolist()


@pytest.mark.parametrize("name", greedy_params(by_ballot_count=True))
def test_greedy_by_ballot_count_reproduces_all_but_the_listed_files(name):
    selection, expected = greedy_case(name, "votes")
    assert selection.tolist() == expected.tolist()


# --- scale ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1e-12, 1e12])
def test_scaled_money_gives_the_same_selection_on_a_real_file(scale):
    name = "France_Toulouse_2022_6_-_Saint-Cyprien.pb"
    if name not in FILES:
        pytest.skip(f"{name} is not in {DATA}")
    instance, _, _, costs = load(name)
    budget = float(instance.budget_limit)
    util = utilities(name, "cost")
    votes = np.asarray((util > 0).sum(axis=0)).ravel()

    def scaled(x: Any) -> Any:
        return x * scale if scale > 1 else x / (1 / scale)

    for completion in (None, "add1"):
        base = equal_shares(costs, budget, util, completion=completion)
        other = equal_shares(
            scaled(costs),
            scaled(budget),
            scaled(util),
            completion=completion,
            increment=scaled(1.0),
        )
        assert other.selected == base.selected
    assert (
        greedy_by_votes(scaled(costs), scaled(budget), votes)[0]
        == greedy_by_votes(costs, budget, votes)[0]
    ).all()
