"""The numeric form of an election: costs, budget, sparse utilities and voter groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import ParameterError
from plurisim.scenarios.pabulib._election import PLAUSIBLE_AGE, Election, frozen, missing

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["AGE_BRACKETS", "BallotProfile", "profile"]

#: Age groups: (id, lowest age, first age above). Ages that are missing or implausible
#: (below 10 or above 105) form the group ``unknown``.
AGE_BRACKETS = (
    ("10-17", 10.0, 18.0),
    ("18-29", 18.0, 30.0),
    ("30-44", 30.0, 45.0),
    ("45-59", 45.0, 60.0),
    ("60+", 60.0, np.inf),
)
UNKNOWN = "unknown"
UTILITIES = ("cost", "cardinality")


@dataclass(frozen=True, eq=False)
class BallotProfile:
    """An election as arrays, ready to compile into a problem.

    Attributes
    ----------
    source : str
    project_ids, project_labels : tuple of str
        Ids, and names where the file gives them (else ids).
    costs : ndarray of shape (m,)
    budget : float
    utilities : scipy.sparse.csr_array of shape (n, m)
        Voter i's additive utility for project j: for approval ballots the cost of
        each approved project (``utility="cost"``, pabutools' Cost_Sat) or 1
        (``"cardinality"``, Cardinality_Sat); for ordinal ballots the points (Borda
        positions where the file has none); for cumulative and scoring ballots the
        points.
    votes : ndarray of shape (m,)
        Approvals per project, or the sum of its points.
    voter_group : ndarray of int, shape (n,)
        Each voter's index into ``group_ids``.
    group_ids, group_labels : tuple of str
        Only groups with at least one voter, in a fixed order.
    group_sizes : ndarray of int
    selected : ndarray of bool or None
        What the city funded, when the file says.
    exclusions : tuple of (int, int)
        Pairs of projects that cannot both be funded. Pabulib files do not state any
        (none of the published files checked does), so this is empty.
    vote_type : str
    utility : str or None
        The approval utility used; None for other ballots.
    groups : str
        The voter attribute the groups come from ("none" for one group).
    notes : tuple of str
        What a user should know about how the profile was built.

    Examples
    --------
    >>> from plurisim.scenarios.pabulib import parse_election, profile
    >>> e = parse_election(
    ...     "META\\nkey;value\\nbudget;9\\nvote_type;approval\\n"
    ...     "PROJECTS\\nproject_id;cost\\na;4\\nb;6\\n"
    ...     "VOTES\\nvoter_id;vote\\n1;a,b\\n2;b\\n"
    ... )
    >>> p = profile(e, utility="cardinality")
    >>> p.n_voters, p.n_projects, p.group_ids, p.utilities.toarray().tolist()
    (2, 2, ('all',), [[1.0, 1.0], [0.0, 1.0]])
    >>> p.notes
    ("this file has no voter attributes, so all voters form one group (asked for groups by 'age')",)
    """

    source: str
    project_ids: tuple[str, ...]
    project_labels: tuple[str, ...]
    costs: NDArray[np.float64]
    budget: float
    utilities: sparse.csr_array
    votes: NDArray[np.float64]
    voter_group: NDArray[np.int64]
    group_ids: tuple[str, ...]
    group_labels: tuple[str, ...]
    group_sizes: NDArray[np.int64]
    selected: NDArray[np.bool_] | None
    exclusions: tuple[tuple[int, int], ...]
    vote_type: str
    utility: str | None
    groups: str
    notes: tuple[str, ...]

    @property
    def n_voters(self) -> int:
        """Number of voters (rows of ``utilities``)."""
        return int(self.utilities.shape[0])

    @property
    def n_projects(self) -> int:
        """Number of projects (columns of ``utilities``)."""
        return int(self.utilities.shape[1])


def _age_groups(age: NDArray[np.float64]) -> tuple[NDArray[np.int64], list[str], list[str]]:
    code = np.full(len(age), len(AGE_BRACKETS), dtype=np.int64)  # unknown
    plausible = (age >= PLAUSIBLE_AGE[0]) & (age <= PLAUSIBLE_AGE[1])
    for k, (_, lo, hi) in enumerate(AGE_BRACKETS):
        code[plausible & (age >= lo) & (age < hi)] = k
    ids = [b[0] for b in AGE_BRACKETS] + [UNKNOWN]
    labels = [f"age {b}" for b in ids[:-1]] + ["age unknown (missing or implausible)"]
    return code, ids, labels


def _column_groups(
    values: tuple[str, ...], name: str
) -> tuple[NDArray[np.int64], list[str], list[str]]:
    cleaned = [UNKNOWN if missing(v) else v for v in values]
    ids = [*sorted(set(cleaned) - {UNKNOWN}), UNKNOWN]
    at = {g: k for k, g in enumerate(ids)}
    code = np.fromiter((at[v] for v in cleaned), dtype=np.int64, count=len(cleaned))
    labels = [f"{name} {g}" if g != UNKNOWN else f"{name} unknown (missing)" for g in ids]
    return code, ids, labels


def _groups(
    election: Election, groups: str
) -> tuple[NDArray[np.int64], list[str], list[str], list[str]]:
    voters = election.voters
    n = len(voters)
    attributes = voters.attributes
    notes: list[str] = []
    if groups == "none" or not attributes:
        if groups != "none":
            notes.append(
                f"this file has no voter attributes, so all voters form one group "
                f"(asked for groups by {groups!r})"
            )
        return np.zeros(n, dtype=np.int64), ["all"], ["all voters"], notes
    if groups not in attributes:
        raise ParameterError(
            "The 'groups' parameter of profile must be 'none' or a voter attribute of "
            f"{election.source} ({', '.join(attributes)}). Got {groups!r} instead."
        )
    if groups == "age":
        assert voters.age is not None
        code, ids, labels = _age_groups(voters.age)
    else:
        code, ids, labels = _column_groups(voters.columns[groups], groups)
    # Keep only groups with voters, renumbered in the same order.
    sizes = np.bincount(code, minlength=len(ids))
    keep = np.flatnonzero(sizes)
    renumber = np.full(len(ids), -1, dtype=np.int64)
    renumber[keep] = np.arange(len(keep))
    unknown = int(sizes[-1])
    if unknown:
        why = "a missing or implausible age" if groups == "age" else f"no {groups}"
        notes.append(f"{unknown:,} voter(s) with {why} form the group {UNKNOWN!r}")
    return (
        renumber[code],
        [ids[k] for k in keep],
        [labels[k] for k in keep],
        notes,
    )


def profile(
    election: Election, *, groups: str = "age", utility: str | None = None
) -> BallotProfile:
    """The numeric profile of an election: costs, budget, utilities, groups.

    Parameters
    ----------
    election : Election
        From :func:`read_election` or :func:`parse_election`.
    groups : str, default "age"
        The voter attribute that forms the groups: ``"age"`` (brackets 10-17, 18-29,
        30-44, 45-59, 60+, and ``unknown`` for missing or implausible ages), any other
        voter column of the file (``"sex"``, ``"voting_method"``, ``"education"``...;
        one group per value, missing values in ``unknown``), or ``"none"`` (one
        group). A file without voter attributes gives one group, with a note.
    utility : {"cost", "cardinality"} or None, default None
        For approval ballots: ``"cost"`` (an approved project is worth its cost,
        pabutools' Cost_Sat) or ``"cardinality"`` (worth 1); None means ``"cost"``.
        Other ballots carry points, which are used as they are; passing a utility
        for them adds a note to ``notes`` instead of failing.

    Returns
    -------
    BallotProfile

    Raises
    ------
    ParameterError
        If ``groups`` is not an attribute of the file or ``utility`` is unknown.

    Examples
    --------
    >>> from plurisim.scenarios.pabulib import parse_election, profile
    >>> text = '''META
    ... key;value
    ... budget;100
    ... vote_type;approval
    ... PROJECTS
    ... project_id;cost
    ... p1;60
    ... p2;70
    ... VOTES
    ... voter_id;vote;age
    ... v1;p1,p2;34
    ... v2;p2;71
    ... v3;p1;
    ... '''
    >>> p = profile(parse_election(text))
    >>> p.utilities.toarray().tolist(), p.votes.tolist()
    ([[60.0, 70.0], [0.0, 70.0], [60.0, 0.0]], [2.0, 2.0])
    >>> p.group_ids, p.voter_group.tolist()
    (('30-44', '60+', 'unknown'), [0, 1, 2])
    >>> profile(parse_election(text), groups="sex")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'groups' parameter of profile must be 'none' or a voter attribute of <string> (age). Got 'sex' instead.
    """
    if not isinstance(groups, str):
        raise ParameterError(
            "The 'groups' parameter of profile must be a str (a voter attribute or "
            f"'none'). Got {groups!r} instead."
        )
    if utility is not None and utility not in UTILITIES:
        raise ParameterError(
            "The 'utility' parameter of profile must be one of 'cost', 'cardinality' or "
            f"None. Got {utility!r} instead."
        )
    from scipy import sparse  # deferred: SciPy loads only with a ballot file

    vote_type = election.vote_type
    approval = vote_type in ("approval", "choose-1")
    ballots, costs = election.ballots, election.projects.costs
    notes: list[str] = []
    if approval:
        utility = utility or "cost"
        data = costs[ballots.projects] if utility == "cost" else np.ones(len(ballots.projects))
    else:
        if utility is not None:
            notes.append(
                f"--utility applies to approval ballots; this file has {vote_type} votes, "
                "using their points"
            )
        utility = None
        data = ballots.points
    n, m = len(ballots), len(costs)
    utilities = sparse.csr_array(
        (np.array(data, dtype=float), ballots.projects.copy(), ballots.indptr.copy()),
        shape=(n, m),
    )
    votes = np.bincount(ballots.projects, weights=ballots.points, minlength=m)
    code, ids, labels, group_notes = _groups(election, groups)
    notes.extend(group_notes)
    selected = election.projects.selected
    return BallotProfile(
        source=election.source,
        project_ids=election.projects.ids,
        project_labels=election.projects.labels(),
        costs=costs,
        budget=election.budget,
        utilities=utilities,
        votes=frozen(votes, float),
        voter_group=frozen(code, np.int64),
        group_ids=tuple(ids),
        group_labels=tuple(labels),
        group_sizes=frozen(np.bincount(code, minlength=len(ids)), np.int64),
        selected=selected,
        exclusions=(),
        vote_type=vote_type,
        utility=utility,
        groups=groups if election.voters.attributes else "none",
        notes=tuple(notes),
    )
