"""The Pabulib reader: tiny files written for the tests, and every shared real file."""

from __future__ import annotations

import csv
import io
import math
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED_DATA
from hypothesis import given
from hypothesis import strategies as st
from plurisim.errors import InputError, ParameterError
from plurisim.scenarios.pabulib import parse_election, profile, read_election

DATA = Path(__file__).parent / "data" / "pabulib"
SHARED = SHARED_DATA / "pabulib"
SHARED_FILES = sorted(SHARED.glob("*.pb")) if SHARED.is_dir() else []
EVERY_SHARED_FILE = [pytest.param(p, id=p.stem[:40]) for p in SHARED_FILES] or [
    pytest.param(None, marks=pytest.mark.skip(reason=f"{SHARED} is absent"), id="absent")
]


def nan_list(a):
    return [None if math.isnan(x) else x for x in a]


# -- good files, one per vote type ---------------------------------------------------


def test_approval_file_keeps_every_column():
    e = read_election(DATA / "approval.pb")  # CRLF line endings
    assert e.source == str(DATA / "approval.pb")
    assert e.meta["budget"] == 100.0 and e.meta["vote_type"] == "approval"
    assert (e.meta["min_length"], e.meta["max_length"], e.meta["rule"]) == (1, 3, "greedy")
    assert e.meta["description"] == "Approval votes with voter data (written for the tests)"
    p = e.projects
    assert p.ids == ("p1", "p2", "p3")
    assert p.costs.tolist() == [40.0, 50.0, 30.5]
    assert p.names == ("Benches; and tables", 'A "green" street', "Lights")
    assert p.category == (("urban greenery", "public space"), ("public space",), ())
    assert p.beneficiaries == (("seniors", "children"), ("adults",), ())
    assert p.selected is not None and p.selected.tolist() == [True, True, False]
    assert p.votes is not None and p.votes.tolist() == [4.0, 2.0, 2.0]
    assert p.columns == {"district": ("north", "south", "north")}
    v = e.voters
    assert v.ids == ("v1", "v2", "v3", "v4", "v5", "v6")
    assert v.age is not None and nan_list(v.age) == [34, 110, None, 67, 17, 45]
    assert v.columns == {
        "sex": ("F", "M", "F", "X", "M", ""),
        "voting_method": ("internet", "paper", "internet", "internet", "internet", "paper"),
    }
    assert v.attributes == ("age", "sex", "voting_method")
    b = e.ballots
    assert b.indptr.tolist() == [0, 2, 3, 5, 7, 8, 8]
    assert b.projects.tolist() == [0, 1, 0, 0, 2, 2, 0, 1]
    assert b.points.tolist() == [1.0] * 8
    assert not b.points.flags.writeable


def test_approval_summary_counts_the_dirty_data():
    s = read_election(DATA / "approval.pb").summary
    assert (s.voters, s.projects, s.budget, s.vote_type) == (6, 3, 100.0, "approval")
    assert (s.missing_ages, s.implausible_ages, s.missing_sex, s.unknown_sex) == (1, 1, 1, 1)
    assert s.unknown_sex_codes == ("'X'",)
    assert (s.empty_ballots, s.ballots_outside_length) == (1, 1)
    assert s.mismatches == () and s.notes == ()
    text = str(s)
    assert text.splitlines()[0].endswith(
        "approval.pb: approval votes, 6 voters, 3 projects, budget 100"
    )
    assert "  kept as is: 1 x implausible age (below 10 or above 105)" in text
    assert "  kept as is: 1 x unknown sex code ('X')" in text


def test_ordinal_without_points_gets_borda_positions():
    e = read_election(DATA / "ordinal.pb")
    assert e.ballots.projects.tolist() == [1, 0, 2, 0, 1, 0]  # b,a,c / a,b / a
    assert e.ballots.points.tolist() == [3, 2, 1, 2, 1, 1]
    # Pabulib's own score column holds the same Borda sums.
    assert profile(e).votes.tolist() == [float(x) for x in e.projects.columns["score"]]


def test_ordinal_with_points_uses_them():
    e = read_election(DATA / "ordinal_points.pb")
    assert e.ballots.points.tolist() == [5, 3, 1, 5, 3]
    assert e.voters.attributes == ()


def test_cumulative_points():
    e = read_election(DATA / "cumulative.pb")
    assert e.meta["min_sum_points"] == 10.0
    assert e.ballots.points.tolist() == [7, 3, 7, 3, 6, 4]
    assert e.voters.columns["education"] == ("College", "Graduate degree", "")
    assert e.summary.unknown_sex == 0  # O (other) is a known code
    assert profile(e).votes.tolist() == [float(x) for x in e.projects.columns["score"]]


def test_scoring_points_may_be_negative():
    e = read_election(DATA / "scoring.pb")
    assert e.ballots.points.tolist() == [2.0, -1.0, 1.0]


# -- malformed files: one line naming the file, the line and the field ---------------

MALFORMED = [
    (
        "missing_section.pb",
        13,
        "VOTES",
        "the section is missing; a Pabulib file has META, PROJECTS and VOTES sections, "
        "each a header line then one line per entry",
    ),
    (
        "unknown_project.pb",
        16,
        "vote",
        "voter 'v2' names project 'p9', which is not in the PROJECTS section",
    ),
    ("bad_cost.pb", 11, "cost", "must be a number >= 0; got 'fifty' (project 'p2')"),
    ("negative_cost.pb", 11, "cost", "must be a number >= 0; got '-50' (project 'p2')"),
    ("missing_budget.pb", 2, "budget", "the META section has no budget; it is required"),
    ("zero_budget.pb", 6, "budget", "must be a positive number; got '0'"),
    (
        "duplicate_project.pb",
        12,
        "project_id",
        "duplicate project 'p1' (first on line 10); project ids must be unique",
    ),
    (
        "duplicate_voter.pb",
        17,
        "voter_id",
        "duplicate voter 'v1' (first on line 15); voter ids must be unique",
    ),
    (
        "points_length.pb",
        16,
        "points",
        "voter 'v2' gives 2 points for 1 project in vote; give one value per project",
    ),
    (
        "bad_encoding.pb",
        12,
        "name",
        "not valid UTF-8 text (byte 0xe8 at byte offset 184); save the Pabulib file as UTF-8",
    ),
    (
        "wrong_fields.pb",
        11,
        "PROJECTS",
        "5 fields where the header (line 9) has 4 columns ('project_id;cost;votes;name'); "
        "quote a value that contains ';'",
    ),
]


@pytest.mark.parametrize(("name", "line", "field", "problem"), MALFORMED)
def test_malformed_file_gives_one_clear_message(name, line, field, problem):
    path = DATA / name
    with pytest.raises(InputError) as info:
        read_election(path)
    err = info.value
    assert str(err) == f"{path}:{line}: {field}: {problem}"
    assert (err.source, err.line, err.field) == (str(path), line, field)


BASE = (DATA / "duplicate_voter.pb").read_text().replace("v1;p1\n", "v3;p1\n")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "vote_type;approval",
            "vote_type;knapsack",
            "x.pb:7: vote_type: must be one of approval, ordinal, cumulative, scoring, "
            "choose-1; got 'knapsack'",
        ),
        ("key;value\n", "", "x.pb:2: META: the header must be 'key;value'; got 'description;"),
        ("project_id;cost", "id;cost", "x.pb:9: PROJECTS: the header has no 'project_id' column"),
        ("v1;p1,p2", "v1;p1,p2,", "x.pb:15: vote: voter 'v1' has an empty project id"),
        ("v1;p1,p2", "v1;p1,p1", "x.pb:15: vote: voter 'v1' names project 'p1' twice"),
        ("p1;40;2;Benches", 'p1;40;2;"Bench" x', "x.pb:10: cannot split the line into fields"),
        ("budget;100", "budget;1e400", "x.pb:6: budget: must be a positive number; got '1e400'"),
        ("p2;50", "p2;5_0", "x.pb:11: cost: must be a number >= 0; got '5_0'"),
        ("num_votes;3", "num_votes;three", "x.pb:5: num_votes: must be a whole number >= 0"),
        (
            "vote_type;approval",
            "vote_type;cumulative",
            "x.pb:15: points: cumulative votes need a points column",
        ),
        (
            "VOTES\n",
            "VOTES\nvoter_id;vote\nPROJECTS\n",
            "x.pb:15: PROJECTS: a second PROJECTS section (the first is on line 8)",
        ),
        ("META\n", "hello\nMETA\n", "x.pb:1: expected a section name (META, PROJECTS or VOTES)"),
    ],
)
def test_other_malformed_text(old, new, message):
    assert old in BASE
    with pytest.raises(InputError) as info:
        parse_election(BASE.replace(old, new, 1), source="x.pb")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_a_bad_age_or_selected_value_is_refused():
    text = BASE.replace("voter_id;vote\n", "voter_id;vote;age\n")
    text = text.replace("v1;p1,p2", "v1;p1,p2;old").replace("v2;p2", "v2;p2;3")
    with pytest.raises(InputError, match=r"^x.pb:15: age: must be a number; got 'old'"):
        parse_election(text.replace("v3;p1", "v3;p1;"), source="x.pb")
    text = BASE.replace("project_id;cost;votes;name", "project_id;cost;votes;selected")
    with pytest.raises(InputError, match=r"^x.pb:10: selected: must be 0 or 1; got 'Benches'"):
        parse_election(text, source="x.pb")


def test_meta_disagreements_are_reported_not_fixed():
    text = BASE.replace("num_votes;3", "num_votes;4").replace("p3;30;0", "p3;30;1")
    s = parse_election(text, source="x.pb").summary
    assert s.mismatches == (
        "META num_votes is 4; the file has 3 voters",
        "the votes column differs from the ballots for 1 project(s), such as 'p3': "
        "1 stated, 0 ballots",
    )


# -- round trip through text written by csv --------------------------------------

ids = (
    st.text(st.characters(blacklist_characters=',;"\r\n\x85\u2028\u2029'), min_size=1)
    .map(str.strip)
    .filter(bool)
)
names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"))


@given(
    st.lists(
        st.tuples(ids, st.integers(0, 10**6), names),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    ),
    st.lists(st.lists(st.integers(0, 5), unique=True, max_size=6), max_size=8),
)
def test_written_elections_read_back(projects, ballots):
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    w.writerows([["META"], ["key", "value"], ["budget", "1000"], ["vote_type", "ordinal"]])
    w.writerows([["PROJECTS"], ["project_id", "cost", "name"], *projects])
    w.writerows([["VOTES"], ["voter_id", "vote"]])
    ballots = [[j for j in b if j < len(projects)] for b in ballots]
    for i, b in enumerate(ballots):
        w.writerow([str(i), ",".join(projects[j][0] for j in b)])
    e = parse_election(out.getvalue())
    assert e.projects.ids == tuple(p[0] for p in projects)
    assert e.projects.costs.tolist() == [p[1] for p in projects]
    assert e.projects.names == tuple(p[2].strip() for p in projects)
    assert [e.ballots.ballot(i)[0].tolist() for i in range(len(ballots))] == ballots
    assert [e.ballots.ballot(i)[1].tolist() for i in range(len(ballots))] == [
        list(range(len(b), 0, -1)) for b in ballots
    ]


# -- profile -------------------------------------------------------------------------


def test_profile_of_approval_votes():
    e = read_election(DATA / "approval.pb")
    p = profile(e)
    assert p.utility == "cost" and p.groups == "age"
    assert p.utilities.toarray().tolist() == [
        [40, 50, 0],
        [40, 0, 0],
        [40, 0, 30.5],
        [40, 0, 30.5],
        [0, 50, 0],
        [0, 0, 0],
    ]
    assert p.votes.tolist() == [4, 2, 2]
    assert p.costs.tolist() == [40, 50, 30.5] and p.budget == 100
    assert p.selected is not None and p.selected.tolist() == [True, True, False]
    assert p.exclusions == ()
    assert p.group_ids == ("10-17", "30-44", "45-59", "60+", "unknown")
    assert p.voter_group.tolist() == [1, 4, 4, 3, 0, 2]
    assert p.group_sizes.tolist() == [1, 1, 1, 1, 2]
    assert p.notes == ("2 voter(s) with a missing or implausible age form the group 'unknown'",)
    assert p.project_labels == ("Benches; and tables", 'A "green" street', "Lights")
    cardinality = profile(e, utility="cardinality").utilities.toarray()
    assert cardinality.tolist() == (p.utilities.toarray() > 0).astype(float).tolist()


@pytest.mark.parametrize(
    ("groups", "ids", "codes"),
    [
        ("sex", ("F", "M", "X", "unknown"), [0, 1, 0, 2, 1, 3]),
        ("voting_method", ("internet", "paper"), [0, 1, 0, 0, 0, 1]),
        ("none", ("all",), [0] * 6),
    ],
)
def test_groups_from_any_voter_attribute(groups, ids, codes):
    p = profile(read_election(DATA / "approval.pb"), groups=groups)
    assert (p.group_ids, p.voter_group.tolist()) == (ids, codes)


def test_unknown_group_attribute_and_utility_are_parameter_errors():
    e = read_election(DATA / "approval.pb")
    with pytest.raises(ParameterError) as info:
        profile(e, groups="education")
    assert str(info.value) == (
        "The 'groups' parameter of profile must be 'none' or a voter attribute of "
        f"{e.source} (age, sex, voting_method). Got 'education' instead."
    )
    with pytest.raises(ParameterError, match="'utility' parameter of profile"):
        profile(e, utility="borda")


def test_utility_on_ranked_ballots_is_a_notice_not_an_error():
    e = read_election(DATA / "ordinal.pb")
    quiet = profile(e)
    assert quiet.notes == ("1 voter(s) with a missing or implausible age form the group 'unknown'",)
    noisy = profile(e, utility="cost", groups="none")
    assert noisy.notes == (
        "--utility applies to approval ballots; this file has ordinal votes, using their points",
    )
    assert noisy.utility is None
    assert (noisy.utilities != quiet.utilities).nnz == 0
    assert noisy.utilities.toarray().tolist() == [[2, 3, 1], [2, 1, 0], [1, 0, 0]]


def test_a_file_without_voter_attributes_is_one_group():
    p = profile(read_election(DATA / "ordinal_points.pb"))
    assert (p.group_ids, p.groups) == (("all",), "none")
    assert p.notes == (
        "this file has no voter attributes, so all voters form one group "
        "(asked for groups by 'age')",
    )


# -- every shared real file ----------------------------------------------------------


@pytest.mark.parametrize("path", EVERY_SHARED_FILE)
def test_shared_file_round_trips_against_meta_and_pabutools(path):
    pabulib = pytest.importorskip("pabutools.election")
    satisfaction = pytest.importorskip("pabutools.election.satisfaction")
    e = read_election(path)
    assert len(e.voters) == e.meta["num_votes"]
    assert len(e.projects) == e.meta["num_projects"]
    assert e.summary.mismatches == ()
    instance, prof = pabulib.parse_pabulib(str(path))
    assert e.budget == float(instance.budget_limit)
    by_id = {p.name: p for p in instance}
    assert {k: float(p.cost) for k, p in by_id.items()} == dict(
        zip(e.projects.ids, e.projects.costs.tolist(), strict=True)
    )
    if e.projects.category is not None:
        for pid, cats in zip(e.projects.ids, e.projects.category, strict=True):
            assert set(cats) == set(by_id[pid].categories) - {""}  # theirs: {''} when empty
    assert len(prof) == len(e.voters)
    for i, ballot in enumerate(prof):
        assert ballot.meta["voter_id"] == e.voters.ids[i]
        js, pts = e.ballots.ballot(i)
        names = [e.projects.ids[j] for j in js]
        if e.vote_type == "approval":
            assert {p.name for p in ballot} == set(names)
        elif e.vote_type == "ordinal":
            assert [p.name for p in ballot] == names
        else:
            assert {p.name: float(x) for p, x in ballot.items()} == dict(
                zip(names, pts.tolist(), strict=True)
            )
        if e.voters.age is not None:
            age = ballot.meta.get("age", "")
            assert (float(age) if age else None) == nan_list([e.voters.age[i]])[0]
    # Utilities against pabutools' satisfaction measures, on a sample of voters.
    kind = {
        "approval": satisfaction.Cost_Sat,
        "ordinal": satisfaction.Additive_Borda_Sat,
        "cumulative": satisfaction.Additive_Cardinal_Sat,
    }[e.vote_type]
    u = profile(e, groups="none").utilities
    projects = [by_id[pid] for pid in e.projects.ids]
    for i in range(0, len(prof), max(1, len(prof) // 25)):
        measure = kind(instance, prof, prof[i])
        expected = [float(measure.sat_project(p)) for p in projects]
        if e.vote_type == "ordinal":
            # pabutools' Borda gives k-1, ..., 0; Pabulib's score column (and we) k, ..., 1,
            # so that the last project a voter ranks still counts.
            expected = [x + (p in prof[i]) for x, p in zip(expected, projects, strict=True)]
        assert u[[i], :].toarray()[0].tolist() == pytest.approx(expected)


@pytest.mark.skipif(not SHARED_FILES, reason=f"{SHARED} is absent")
def test_mokotow_loads_fast():
    path = SHARED / "Poland_Warszawa_2023_Mokotow.pb"
    start = time.perf_counter()
    e = read_election(path)
    p = profile(e)
    elapsed = time.perf_counter() - start
    print(f"\nMokotow: {len(e.voters):,} voters read and profiled in {elapsed:.3f} s")
    assert len(e.voters) == 11_067
    assert elapsed < 3.0
    assert p.group_sizes.sum() == 11_067


@pytest.mark.skipif(not SHARED_FILES, reason=f"{SHARED} is absent")
def test_dirty_real_data_is_kept_and_counted():
    e = read_election(SHARED / "Poland_Warszawa_2023_Bemowo.pb")
    assert e.voters.age is not None and e.voters.age[e.voters.ids.index("1")] == 110
    assert e.summary.implausible_ages == int(((e.voters.age < 10) | (e.voters.age > 105)).sum())
    assert e.summary.implausible_ages > 0
    p = profile(e)
    assert p.group_sizes[p.group_ids.index("unknown")] == (
        e.summary.implausible_ages + e.summary.missing_ages
    )
    assert np.isin(p.voter_group, np.arange(len(p.group_ids))).all()
