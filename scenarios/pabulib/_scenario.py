"""A Pabulib election as a scenario: projects, voters as stakeholders, the city's outcome."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from plurisim.errors import InputError, ParameterError, ScenarioError
from plurisim.scenario import Scenario
from plurisim.scenario.ballots import ballot_scenario
from plurisim.scenarios.pabulib._election import Election
from plurisim.scenarios.pabulib._profile import profile
from plurisim.scenarios.pabulib._reader import read_election

__all__ = ["CITY", "election_scenario", "load_pb"]

CITY = "city"
"""The base design holding the projects the city funded (the file's ``selected``)."""

CITATION = "Pabulib: A Participatory Budgeting Library (Stolicki, Szufa, Talmon, arXiv 2012.06539)"


def _kind(vote_type: str, utility: str | None) -> str:
    return f"{vote_type}-{utility}" if utility is not None else f"{vote_type}-points"


def _unit(utility: str | None) -> str:
    if utility == "cost":
        return (
            "the share of the budget spent on projects the voter approved (pabutools' "
            "Cost_Sat divided by the budget)"
        )
    if utility == "cardinality":
        return "the number of funded projects the voter approved (pabutools' Cardinality_Sat)"
    return "the points the voter gave to funded projects (Borda positions where none)"


def election_scenario(
    election: Election,
    *,
    groups: str = "age",
    utility: str | None = None,
    origin: dict[str, Any] | None = None,
) -> Scenario:
    """The scenario of an election: each project an intervention, each voter a stakeholder.

    Parameters
    ----------
    election : Election
        From :func:`read_election` or :func:`parse_election`.
    groups : str, default "age"
        The voter attribute that forms the groups (see :func:`profile`).
    utility : {"cost", "cardinality"} or None
        For approval ballots (None: ``"cost"``); ignored, with a note, for others.
    origin : mapping, optional
        How to rebuild it (set by :func:`load_pb`).

    Returns
    -------
    Scenario
        One criterion (``utility``: a voter's ballot utility), one group per value of
        the attribute (weights ``{utility: 1}``, baseline 0), one intervention per
        project with each group's mean utility as its effect, the base design ``city``
        when the file says what was funded (and it fits the budget), and the voters'
        ballots (:attr:`Scenario.ballots`).

    Examples
    --------
    >>> from plurisim.scenarios.pabulib import election_scenario, parse_election
    >>> e = parse_election(
    ...     "META\\nkey;value\\nbudget;9\\nvote_type;approval\\n"
    ...     "PROJECTS\\nproject_id;cost;selected\\na;4;1\\nb;6;0\\n"
    ...     "VOTES\\nvoter_id;vote;sex\\n1;a,b;F\\n2;b;M\\n3;a;M\\n"
    ... )
    >>> s = election_scenario(e, groups="sex", utility="cardinality")
    >>> s.group_ids, [g.size for g in s.groups], s.base_designs[0].interventions
    (['F', 'M'], [1, 2], ['a'])
    >>> election_scenario(e, groups="age")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'groups' parameter of profile must be 'none' or a voter attribute of <string> (sex). Got 'age' instead.
    """
    prof = profile(election, groups=groups, utility=utility)
    meta = election.meta
    notes = [f"data: {'; '.join(election.summary.issues())}"] if election.summary.issues() else []
    notes += list(prof.notes)
    designs = {}
    if prof.selected is not None:
        designs[CITY] = ("What the city funded", prof.selected)
    else:
        notes.append(
            "the file does not say which projects the city funded (no 'selected' column), "
            f"so there is no base design {CITY!r}"
        )
    stem = Path(election.source).name.removesuffix(".pb")
    title = str(meta.get("description") or stem)
    scenario = ballot_scenario(
        name=stem,
        title=title,
        description=(
            f"A participatory-budgeting election ({election.vote_type} ballots): "
            f"{prof.n_voters:,} voters, {prof.n_projects} projects, groups by "
            f"{prof.groups}."
        ),
        project_ids=prof.project_ids,
        project_labels=prof.project_labels,
        costs=prof.costs,
        budget=prof.budget,
        utilities=prof.utilities,
        voter_group=prof.voter_group,
        group_ids=prof.group_ids,
        group_labels=prof.group_labels,
        votes=prof.votes,
        kind=_kind(prof.vote_type, prof.utility),
        scale=1.0 / prof.budget if prof.utility == "cost" else 1.0,
        unit=_unit(prof.utility),
        base_designs=designs,
        provenance={
            "sources": [{"title": CITATION, "url": "https://pabulib.org"}],
            "notes": f"Read from {stem}.pb (not distributed with plurisim).",
        },
        notes=notes,
        origin=origin,
    )
    return scenario


@lru_cache(maxsize=8)
def _cached(path: str, stamp: tuple[int, int], groups: str, utility: str | None) -> Scenario:
    notice = None
    election = read_election(path)
    if utility is not None and election.vote_type not in ("approval", "choose-1"):
        notice = (
            f"{path}: --utility applies to approval ballots; this file has "
            f"{election.vote_type} ballots, so their points are used"
        )
    origin = {
        "format": "pabulib",
        "path": path,
        "groups": groups,
        "utility": utility,
        "notice": notice,
    }
    return election_scenario(election, groups=groups, utility=utility, origin=origin)


def load_pb(
    path: str | os.PathLike[str], *, groups: str | None = None, utility: str | None = None
) -> Scenario:
    """Read a Pabulib ``.pb`` file into a scenario (see :func:`election_scenario`).

    Parameters
    ----------
    path : str or path-like
    groups : str, optional
        A voter attribute or ``"none"`` (default ``"age"``).
    utility : {"cost", "cardinality"}, optional

    Raises
    ------
    ScenarioError
        If the file is missing or malformed (the message names the file and line).
    ParameterError
        If ``groups`` or ``utility`` is not allowed for this file.

    Examples
    --------
    >>> load_pb("no/such/file.pb")
    Traceback (most recent call last):
    ...
    plurisim.errors.ScenarioError: no/such/file.pb: no such file; expected a Pabulib file (.pb)
    """
    src = os.fspath(path)
    if utility is not None and utility not in ("cost", "cardinality"):
        raise ParameterError(
            f"The 'utility' parameter of load must be 'cost', 'cardinality' or None. "
            f"Got {utility!r} instead."
        )
    try:
        info = os.stat(src)
    except OSError:
        raise ScenarioError(
            f"{src}: no such file; expected a Pabulib file (.pb)", source=src
        ) from None
    try:
        return _cached(src, (info.st_mtime_ns, info.st_size), groups or "age", utility)
    except InputError as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError.wrap(exc) from None
