"""What a Pabulib file holds, as frozen dataclasses of arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.files import excerpt

__all__ = ["Ballots", "Election", "ElectionSummary", "Projects", "Voters"]

#: Sex codes Pabulib files use: M, F and O (other); any other code is counted.
KNOWN_SEX = frozenset({"M", "F", "O"})
#: Ages outside this range are kept but counted as implausible.
PLAUSIBLE_AGE = (10.0, 105.0)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def missing(value: str) -> bool:
    """Whether a field is empty (or ``none``, as some Pabulib files write)."""
    return value == "" or value.lower() == "none"


def frozen(values: Any, dtype: Any) -> np.ndarray:
    """A read-only array (the dataclasses are frozen, their arrays too)."""
    arr = np.asarray(values, dtype=dtype)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Projects:
    """The PROJECTS section, one entry per project in file order.

    Attributes
    ----------
    ids : tuple of str
        ``project_id`` values.
    costs : ndarray of shape (m,)
    names : tuple of str or None
        The ``name`` column; None when the file has none.
    category : tuple of tuple of str or None
        The ``category`` (or ``categories``) column split at commas.
    beneficiaries : tuple of tuple of str or None
        The ``beneficiaries`` (or ``target``/``targets``) column split at commas.
    selected : ndarray of bool, shape (m,), or None
        The ``selected`` column (what the city funded); None when absent.
    votes : ndarray of shape (m,) or None
        The ``votes`` column as the file states it (NaN where empty).
    columns : dict of str to tuple of str
        Every other column (``score``, ``district``, ``latitude``...), as written.

    Examples
    --------
    >>> from plurisim.scenarios.pabulib import parse_election
    >>> e = parse_election(
    ...     "META\\nkey;value\\nbudget;9\\nvote_type;approval\\n"
    ...     "PROJECTS\\nproject_id;cost;name\\na;4;Benches\\nb;6;\\n"
    ...     "VOTES\\nvoter_id;vote;sex\\n1;a,b;F\\n2;b;Z\\n3;;M\\n"
    ... )
    >>> e.projects.ids, e.projects.costs.tolist(), e.projects.labels()
    (('a', 'b'), [4.0, 6.0], ('Benches', 'b'))
    """

    ids: tuple[str, ...]
    costs: FloatArray
    names: tuple[str, ...] | None = None
    category: tuple[tuple[str, ...], ...] | None = None
    beneficiaries: tuple[tuple[str, ...], ...] | None = None
    selected: BoolArray | None = None
    votes: FloatArray | None = None
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def labels(self) -> tuple[str, ...]:
        """Names where the file gives them, else ids."""
        if self.names is None:
            return self.ids
        return tuple(n or i for n, i in zip(self.names, self.ids, strict=True))


@dataclass(frozen=True, eq=False)
class Voters:
    """The voter columns of the VOTES section, one entry per voter in file order.

    Attributes
    ----------
    ids : tuple of str
        ``voter_id`` values.
    age : ndarray of shape (n,) or None
        Ages as numbers, NaN where missing; None when the file has no ``age`` column.
    columns : dict of str to tuple of str
        Every other voter column (``sex``, ``education``, ``voting_method``,
        ``neighborhood``...), as written ('' where empty).

    Examples
    --------
    >>> from plurisim.scenarios.pabulib import parse_election
    >>> e = parse_election(
    ...     "META\\nkey;value\\nbudget;9\\nvote_type;approval\\n"
    ...     "PROJECTS\\nproject_id;cost;name\\na;4;Benches\\nb;6;\\n"
    ...     "VOTES\\nvoter_id;vote;sex\\n1;a,b;F\\n2;b;Z\\n3;;M\\n"
    ... )
    >>> e.voters.ids, e.voters.age is None, e.voters.columns["sex"]
    (('1', '2', '3'), True, ('F', 'Z', 'M'))
    """

    ids: tuple[str, ...]
    age: FloatArray | None = None
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def attributes(self) -> tuple[str, ...]:
        """The voter attributes the file gives (``age`` first when present)."""
        return (("age",) if self.age is not None else ()) + tuple(self.columns)


@dataclass(frozen=True, eq=False)
class Ballots:
    """All ballots in compressed sparse row form.

    Voter ``i`` named the projects ``projects[indptr[i]:indptr[i + 1]]`` (indices into
    :class:`Projects`, in the ballot's order, most preferred first for ordinal
    ballots) with ``points[indptr[i]:indptr[i + 1]]``: 1 for approval, the file's
    points for ordinal (or, where it gives none, Borda positions k, k-1, ..., 1 on a
    ballot of length k), cumulative and scoring ballots.

    Examples
    --------
    >>> from plurisim.scenarios.pabulib import parse_election
    >>> e = parse_election(
    ...     "META\\nkey;value\\nbudget;9\\nvote_type;approval\\n"
    ...     "PROJECTS\\nproject_id;cost;name\\na;4;Benches\\nb;6;\\n"
    ...     "VOTES\\nvoter_id;vote;sex\\n1;a,b;F\\n2;b;Z\\n3;;M\\n"
    ... )
    >>> e.ballots.indptr.tolist(), e.ballots.lengths.tolist()
    ([0, 2, 3, 3], [2, 1, 0])
    >>> [a.tolist() for a in e.ballots.ballot(0)]
    [[0, 1], [1.0, 1.0]]
    """

    indptr: IntArray
    projects: IntArray
    points: FloatArray

    def __len__(self) -> int:
        return len(self.indptr) - 1

    @property
    def lengths(self) -> IntArray:
        """How many projects each ballot names."""
        return np.diff(self.indptr)

    def ballot(self, i: int) -> tuple[IntArray, FloatArray]:
        """Project indices and points of voter ``i``."""
        lo, hi = self.indptr[i], self.indptr[i + 1]
        return self.projects[lo:hi], self.points[lo:hi]


@dataclass(frozen=True)
class ElectionSummary:
    """Counts of the data, including the dirty-but-valid values kept as they are.

    Attributes
    ----------
    source : str
    voters, projects : int
    budget : float
    vote_type : str
    missing_ages : int
        Voters whose ``age`` is empty.
    implausible_ages : int
        Ages below 10 or above 105.
    missing_sex : int
    unknown_sex : int
        Sex codes other than M, F and O (other).
    unknown_sex_codes : tuple of str
        Those codes (short excerpts).
    empty_ballots : int
    ballots_outside_length : int
        Ballots shorter than META ``min_length`` or longer than ``max_length``.
    zero_cost_projects, projects_over_budget : int
    mismatches : tuple of str
        Where the file disagrees with itself (META counts, the ``votes`` column).
    notes : tuple of str
        Anything else a reader should know.

    Examples
    --------
    >>> from plurisim.scenarios.pabulib import parse_election
    >>> e = parse_election(
    ...     "META\\nkey;value\\nbudget;9\\nvote_type;approval\\n"
    ...     "PROJECTS\\nproject_id;cost;name\\na;4;Benches\\nb;6;\\n"
    ...     "VOTES\\nvoter_id;vote;sex\\n1;a,b;F\\n2;b;Z\\n3;;M\\n"
    ... )
    >>> print(e.summary)
    <string>: approval votes, 3 voters, 2 projects, budget 9
      kept as is: 1 x unknown sex code ('Z')
      kept as is: 1 x empty ballot
      note: META has no num_votes
      note: META has no num_projects
    """

    source: str
    voters: int
    projects: int
    budget: float
    vote_type: str
    missing_ages: int = 0
    implausible_ages: int = 0
    missing_sex: int = 0
    unknown_sex: int = 0
    unknown_sex_codes: tuple[str, ...] = ()
    empty_ballots: int = 0
    ballots_outside_length: int = 0
    zero_cost_projects: int = 0
    projects_over_budget: int = 0
    mismatches: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def issues(self) -> list[str]:
        """One phrase per kind of dirty data found (empty when the data is clean)."""
        out = []
        counts = [
            (self.missing_ages, "missing age"),
            (self.implausible_ages, "implausible age (below 10 or above 105)"),
            (self.missing_sex, "missing sex"),
            (self.unknown_sex, f"unknown sex code ({', '.join(self.unknown_sex_codes)})"),
            (self.empty_ballots, "empty ballot"),
            (self.ballots_outside_length, "ballot outside min_length..max_length"),
            (self.zero_cost_projects, "project costing 0"),
            (self.projects_over_budget, "project costing more than the budget"),
        ]
        for n, what in counts:
            if n:
                out.append(f"{n:,} x {what}")
        return out

    def __str__(self) -> str:
        head = (
            f"{self.source}: {self.vote_type} votes, {self.voters:,} voters, "
            f"{self.projects:,} projects, budget {self.budget:,.10g}"
        )
        lines = [head]
        lines += [f"  kept as is: {i}" for i in self.issues()] or ["  no dirty data found"]
        lines += [f"  mismatch: {m}" for m in self.mismatches]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class Election:
    """A participatory-budgeting election read from a Pabulib file.

    Attributes
    ----------
    source : str
        The file.
    meta : dict
        Every META key. Known keys are typed: ``budget`` and the point and cost
        bounds as float, ``num_projects``, ``num_votes``, ``min_length`` and
        ``max_length`` as int, ``vote_type`` in lower case; the others as written.
    projects : Projects
    voters : Voters
    ballots : Ballots
    summary : ElectionSummary

    Examples
    --------
    >>> from plurisim.scenarios.pabulib import parse_election
    >>> e = parse_election(
    ...     "META\\nkey;value\\nbudget;9\\nvote_type;approval\\n"
    ...     "PROJECTS\\nproject_id;cost;name\\na;4;Benches\\nb;6;\\n"
    ...     "VOTES\\nvoter_id;vote;sex\\n1;a,b;F\\n2;b;Z\\n3;;M\\n"
    ... )
    >>> e
    Election('<string>', approval, voters=3, projects=2, budget=9)
    >>> e.meta
    {'budget': 9.0, 'vote_type': 'approval'}
    """

    source: str
    meta: dict[str, Any]
    projects: Projects
    voters: Voters
    ballots: Ballots
    summary: ElectionSummary

    @property
    def budget(self) -> float:
        """META ``budget``."""
        return float(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        """META ``vote_type``: approval, ordinal, cumulative, scoring or choose-1."""
        return str(self.meta["vote_type"])

    def __repr__(self) -> str:
        return (
            f"Election({self.source!r}, {self.vote_type}, voters={len(self.voters)}, "
            f"projects={len(self.projects)}, budget={self.budget:.10g})"
        )


def summarize(
    src: str,
    meta: dict[str, Any],
    projects: Projects,
    voters: Voters,
    ballots: Ballots,
    has_points: bool,
) -> ElectionSummary:
    """Count the dirty data and the places where the file disagrees with itself."""
    n, m, budget = len(voters), len(projects), float(meta["budget"])
    counts: dict[str, Any] = {}
    if voters.age is not None:
        age = voters.age
        counts["missing_ages"] = int(np.isnan(age).sum())
        counts["implausible_ages"] = int(
            ((age < PLAUSIBLE_AGE[0]) | (age > PLAUSIBLE_AGE[1])).sum()
        )
    if "sex" in voters.columns:
        sex = voters.columns["sex"]
        unknown = [s for s in sex if not missing(s) and s not in KNOWN_SEX]
        counts["missing_sex"] = sum(1 for s in sex if missing(s))
        counts["unknown_sex"] = len(unknown)
        counts["unknown_sex_codes"] = tuple(excerpt(s, 20) for s in sorted(set(unknown))[:10])
    lengths = ballots.lengths
    lo, hi = meta.get("min_length"), meta.get("max_length")
    outside = np.zeros(n, dtype=bool)
    if isinstance(lo, int):
        outside |= lengths < lo
    if isinstance(hi, int):
        outside |= lengths > hi
    mismatches, notes = [], []
    for key, actual, what in (("num_votes", n, "voters"), ("num_projects", m, "projects")):
        if key not in meta:
            notes.append(f"META has no {key}")
        elif meta[key] != actual:
            mismatches.append(f"META {key} is {meta[key]:,}; the file has {actual:,} {what}")
    if projects.votes is not None:
        counted = np.bincount(ballots.projects, minlength=m)
        known = ~np.isnan(projects.votes)
        off = np.flatnonzero(known & (projects.votes != counted))
        if off.size:
            j = int(off[0])
            mismatches.append(
                f"the votes column differs from the ballots for {off.size} project(s), such "
                f"as {excerpt(projects.ids[j], 20)}: {projects.votes[j]:g} stated, "
                f"{counted[j]} ballots"
            )
    if has_points and meta["vote_type"] in ("approval", "choose-1"):
        notes.append("the points column is ignored: approval ballots count 1 per project")
    return ElectionSummary(
        source=src,
        voters=n,
        projects=m,
        budget=budget,
        vote_type=meta["vote_type"],
        empty_ballots=int((lengths == 0).sum()),
        ballots_outside_length=int(outside.sum()),
        zero_cost_projects=int((projects.costs == 0).sum()),
        projects_over_budget=int((projects.costs > budget).sum()),
        mismatches=tuple(mismatches),
        notes=tuple(notes),
        **counts,
    )
