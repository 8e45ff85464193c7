"""Parsing the text of a Pabulib ``.pb`` file into an :class:`Election`."""

from __future__ import annotations

import math
import os
from typing import Any, NoReturn

import numpy as np
from plurisim.files import excerpt, read_bytes
from plurisim.scenarios.pabulib._election import (
    Ballots,
    Election,
    Projects,
    Voters,
    frozen,
    missing,
    summarize,
)
from plurisim.scenarios.pabulib._sections import Section, SectionReader, encoding_error

__all__ = ["MAX_BYTES", "parse_election", "read_election"]

#: The largest ``.pb`` file :func:`read_election` reads (the largest Pabulib files,
#: whole-city elections, are a few tens of MB).
MAX_BYTES = 200_000_000

VOTE_TYPES = ("approval", "ordinal", "cumulative", "scoring", "choose-1")
_INT_META = ("num_projects", "num_votes", "min_length", "max_length")
_FLOAT_META = (
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "default_score",
)
_CATEGORY = ("category", "categories")
_BENEFICIARIES = ("beneficiaries", "target", "targets")


def _split_list(value: str) -> tuple[str, ...]:
    if missing(value):
        return ()
    return tuple(v for v in (x.strip() for x in value.split(",")) if v)


class _Parser(SectionReader):
    """Reads the sections into an :class:`Election`."""

    # -- META ------------------------------------------------------------------

    def meta(self, section: Section) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for line, row in section.rows:
            self.width(section, line, row)
            key, value = row[0].strip(), row[1].strip()
            if not key:
                self.fail(line, "META", "a key is empty")
            if key in meta:
                self.fail(line, key, f"the META key appears twice (first on line {lines[key]})")
            meta[key], lines[key] = value, line
        for key in ("budget", "vote_type"):
            if key not in meta:
                self.fail(
                    section.header_line, key, f"the META section has no {key}; it is required"
                )
        vote_type = meta["vote_type"].lower()
        if vote_type not in VOTE_TYPES:
            self.fail(
                lines["vote_type"],
                "vote_type",
                f"must be one of {', '.join(VOTE_TYPES)}; got {excerpt(meta['vote_type'])}",
            )
        meta["vote_type"] = vote_type
        budget = self.number(meta["budget"], lines["budget"], "budget", "a positive number")
        if not (budget > 0 and math.isfinite(budget)):
            self.fail(
                lines["budget"], "budget", f"must be a positive number; got {meta['budget']!r}"
            )
        meta["budget"] = budget
        for key in _INT_META:
            if key in meta:
                count = self.number(meta[key], lines[key], key, "a whole number >= 0")
                if count < 0 or not count.is_integer():
                    self.fail(lines[key], key, f"must be a whole number >= 0; got {meta[key]!r}")
                meta[key] = int(count)
        for key in _FLOAT_META:
            if key in meta:
                meta[key] = self.number(meta[key], lines[key], key, "a number")
        return meta

    # -- PROJECTS --------------------------------------------------------------

    def projects(self, section: Section) -> Projects:
        assert section.header is not None
        cols = section.header
        at = {c: i for i, c in enumerate(cols)}
        cat = next((c for c in _CATEGORY if c in at), None)
        ben = next((c for c in _BENEFICIARIES if c in at), None)
        typed = {"project_id", "cost", "name", "votes", "selected", cat, ben}
        others = [c for c in cols if c not in typed]
        ids: list[str] = []
        first: dict[str, int] = {}
        costs, votes, selected = [], [], []
        names, cats, bens = [], [], []
        rest: dict[str, list[str]] = {c: [] for c in others}
        for line, row in section.rows:
            self.width(section, line, row)
            pid = row[at["project_id"]].strip()
            if not pid:
                self.fail(line, "project_id", "is empty; every project needs an id")
            if pid in first:
                self.fail(
                    line,
                    "project_id",
                    f"duplicate project {excerpt(pid)} (first on line "
                    f"{first[pid]}); project ids must be unique",
                )
            first[pid] = line
            ids.append(pid)
            whose = f" (project {excerpt(pid)})"
            cost = self.number(row[at["cost"]], line, "cost", "a number >= 0", whose)
            if cost < 0 or not math.isfinite(cost):
                self.fail(line, "cost", f"must be a number >= 0; got {row[at['cost']]!r}{whose}")
            costs.append(cost)
            if "votes" in at:
                text = row[at["votes"]].strip()
                votes.append(
                    math.nan if missing(text) else self.number(text, line, "votes", "a number")
                )
            if "selected" in at:
                text = row[at["selected"]].strip()
                if text not in ("0", "1"):
                    self.fail(line, "selected", f"must be 0 or 1; got {excerpt(text)}{whose}")
                selected.append(text == "1")
            if "name" in at:
                names.append(row[at["name"]].strip())
            if cat is not None:
                cats.append(_split_list(row[at[cat]].strip()))
            if ben is not None:
                bens.append(_split_list(row[at[ben]].strip()))
            for c in others:
                text = row[at[c]].strip()
                if c == "score" and not missing(text):  # a number in the format
                    self.number(text, line, "score", "a number", whose)
                rest[c].append(text)
        return Projects(
            ids=tuple(ids),
            costs=frozen(costs, float),
            names=tuple(names) if "name" in at else None,
            category=tuple(cats) if cat is not None else None,
            beneficiaries=tuple(bens) if ben is not None else None,
            selected=frozen(selected, bool) if "selected" in at else None,
            votes=frozen(votes, float) if "votes" in at else None,
            columns={c: tuple(v) for c, v in rest.items()},
        )

    # -- VOTES -----------------------------------------------------------------

    def votes(self, section: Section, projects: Projects, vote_type: str) -> tuple[Voters, Ballots]:
        assert section.header is not None
        cols = section.header
        at = {c: i for i, c in enumerate(cols)}
        index = {pid: j for j, pid in enumerate(projects.ids)}
        i_id, i_vote = at["voter_id"], at["vote"]
        i_points, i_age = at.get("points"), at.get("age")
        others = [(c, at[c]) for c in cols if c not in ("voter_id", "vote", "points", "age")]
        rest: dict[str, list[str]] = {c: [] for c, _ in others}
        seen: dict[str, int] = {}
        ids: list[str] = []
        ages: list[float] = []
        indptr = [0]
        chosen: list[int] = []
        points: list[float] = []
        for line, row in section.rows:
            self.width(section, line, row)
            vid = row[i_id].strip()
            if not vid:
                self.fail(line, "voter_id", "is empty; every voter needs an id")
            if vid in seen:
                self.fail(
                    line,
                    "voter_id",
                    f"duplicate voter {excerpt(vid)} (first on line "
                    f"{seen[vid]}); voter ids must be unique",
                )
            seen[vid] = line
            ids.append(vid)
            vote = row[i_vote].strip()
            items = [] if missing(vote) else [x.strip() for x in vote.split(",")]
            try:
                js = [index[x] for x in items]
            except KeyError:
                self.unknown(items, index, line, vid)
            if len(set(js)) != len(js):
                twice = next(x for k, x in enumerate(items) if x in items[:k])
                self.fail(
                    line, "vote", f"voter {excerpt(vid)} names project {excerpt(twice)} twice"
                )
            chosen.extend(js)
            indptr.append(len(chosen))
            if i_points is not None:
                points.extend(self.points(row[i_points], len(js), line, vid, vote_type))
            elif js and vote_type in ("cumulative", "scoring"):
                self.fail(
                    line,
                    "points",
                    f"{vote_type} votes need a points column giving each "
                    "project's points; the VOTES header has none",
                )
            if i_age is not None:
                text = row[i_age].strip()
                ages.append(
                    math.nan
                    if missing(text)
                    else self.number(text, line, "age", "a number", f" (voter {excerpt(vid)})")
                )
            for c, i in others:
                rest[c].append(row[i].strip())
        ptr = np.asarray(indptr, dtype=np.int64)
        idx = np.asarray(chosen, dtype=np.int64)
        if vote_type in ("approval", "choose-1"):
            pts = np.ones(len(idx))
        elif i_points is None:  # ordinal without points: Borda positions k, ..., 1
            lengths = np.diff(ptr)
            rank = np.arange(len(idx)) - np.repeat(ptr[:-1], lengths)
            pts = (np.repeat(lengths, lengths) - rank).astype(float)
        else:
            pts = np.asarray(points, dtype=float)
        voters = Voters(
            ids=tuple(ids),
            age=frozen(ages, float) if i_age is not None else None,
            columns={c: tuple(v) for c, v in rest.items()},
        )
        return voters, Ballots(frozen(ptr, np.int64), frozen(idx, np.int64), frozen(pts, float))

    def unknown(self, items: list[str], index: dict[str, int], line: int, vid: str) -> NoReturn:
        bad = next(x for x in items if x not in index)
        if not bad:
            self.fail(
                line,
                "vote",
                f"voter {excerpt(vid)} has an empty project id in the list "
                "(a doubled or trailing comma?)",
            )
        self.fail(
            line,
            "vote",
            f"voter {excerpt(vid)} names project {excerpt(bad)}, which is not "
            "in the PROJECTS section",
        )

    def points(self, text: str, n: int, line: int, vid: str, vote_type: str) -> list[float]:
        text = text.strip()
        parts = [] if missing(text) else text.split(",")
        if len(parts) != n:
            self.fail(
                line,
                "points",
                f"voter {excerpt(vid)} gives {len(parts)} points for {n} "
                f"project{'s' if n != 1 else ''} in vote; give one value per project",
            )
        out = []
        for p in parts:
            value = self.number(p, line, "points", "a number", f" (voter {excerpt(vid)})")
            if value < 0 and vote_type != "scoring":
                self.fail(line, "points", f"must be >= 0 for {vote_type} votes; got {p.strip()!r}")
            out.append(value)
        return out

    # -- the whole file ----------------------------------------------------------

    def parse(self) -> Election:
        sections = self.split()
        meta = self.meta(sections["META"])
        projects = self.projects(sections["PROJECTS"])
        voters, ballots = self.votes(sections["VOTES"], projects, meta["vote_type"])
        summary = summarize(
            self.src, meta, projects, voters, ballots, "points" in (sections["VOTES"].header or [])
        )
        return Election(self.src, meta, projects, voters, ballots, summary)


def parse_election(text: str, *, source: str = "<string>") -> Election:
    """Parse the text of a Pabulib file.

    Parameters
    ----------
    text : str
        The file's text.
    source : str, default "<string>"
        Where the text came from, for messages.

    Returns
    -------
    Election

    Raises
    ------
    InputError
        One line naming the source, the line and the field: a missing section or
        header, a wrong number of fields, a duplicate project or voter id, a vote
        naming an unknown project, a non-numeric or negative cost, a missing or
        non-positive budget, a ``points`` list whose length differs from ``vote``.

    Examples
    --------
    >>> text = '''META
    ... key;value
    ... num_projects;2
    ... num_votes;2
    ... budget;100
    ... vote_type;approval
    ... PROJECTS
    ... project_id;cost;name
    ... p1;60;Benches
    ... p2;70;Trees
    ... VOTES
    ... voter_id;vote;age
    ... v1;p1,p2;34
    ... v2;p2;
    ... '''
    >>> e = parse_election(text, source="tiny.pb")
    >>> e.projects.ids, e.projects.costs.tolist(), e.ballots.indptr.tolist()
    (('p1', 'p2'), [60.0, 70.0], [0, 2, 3])
    >>> print(e.summary)
    tiny.pb: approval votes, 2 voters, 2 projects, budget 100
      kept as is: 1 x missing age
    >>> parse_election(text.replace("v2;p2;", "v2;p3;"), source="tiny.pb")
    Traceback (most recent call last):
    ...
    plurisim.errors.InputError: tiny.pb:14: vote: voter 'v2' names project 'p3', which is not in the PROJECTS section
    """
    return _Parser(text, source).parse()


def read_election(path: str | os.PathLike[str]) -> Election:
    """Read a Pabulib ``.pb`` file (see :func:`parse_election`).

    Raises
    ------
    InputError
        If the file cannot be read (missing, not a regular file, larger than
        ``MAX_BYTES``, not UTF-8) or is malformed.

    Examples
    --------
    >>> read_election("no/such/election.pb")
    Traceback (most recent call last):
    ...
    plurisim.errors.InputError: no/such/election.pb: no such file; expected a Pabulib file
    """
    source = os.fspath(path)
    data = read_bytes(source, what="Pabulib file", max_bytes=MAX_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        encoding_error(data, exc, source)
    return parse_election(text, source=source)
