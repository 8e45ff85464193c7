"""Scenarios from real ballots: projects as interventions, voters as individuals.

:func:`ballot_scenario` turns an election held as arrays (costs, budget, each
voter's additive utility per project, each voter's group) into an ordinary
:class:`~plurisim.scenario.Scenario`: one criterion, ``utility``, with baseline 0 and
no cap; every group weighs it 1; each intervention's effect on a group is the mean
utility its voters draw from the project, so a group's utility under a package is
exactly its voters' mean utility. The voters themselves travel with the scenario
(:attr:`Scenario.ballots`) and the compiled problem (``Problem.ballots``): rules
that read ballots (Equal Shares, greedy by votes) and the voter-level measures use
them; everything else reads the groups. Nothing here knows where the ballots came
from (:mod:`plurisim.scenarios.pabulib` reads Pabulib files into this).

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> from plurisim.scenario import compile_scenario
>>> from plurisim.scenario.ballots import ballot_scenario
>>> s = ballot_scenario(
...     name="tiny", title="A tiny election", project_ids=["a", "b/2"], costs=[4, 6],
...     budget=9, utilities=sparse.csr_array([[4.0, 6.0], [0.0, 6.0], [4.0, 0.0]]),
...     voter_group=[0, 1, 1], group_ids=["30-44", "60+"], votes=[2, 2],
...     kind="approval-cost", base_designs={"city": ("City", [False, True])})
>>> s.intervention_ids, s.group_ids, [b.id for b in s.base_designs]
(['a', 'b_2'], ['30-44', '60plus'], ['city'])
>>> compile_scenario(s).group_utilities([1, 0])      # group means
array([4., 2.])
>>> for note in s.notes():
...     print(note)
1 project id(s) rewritten to fit the id pattern, such as 'b/2' -> 'b_2'
1 group id(s) rewritten to fit the id pattern, such as '60+' -> '60plus'
>>> ballot_scenario(name="x", title="x", project_ids=["a"], costs=[1], budget=0,
...                 utilities=sparse.csr_array([[1.0]]), voter_group=[0],
...                 group_ids=["all"], votes=[1], kind="approval-cost")
Traceback (most recent call last):
...
plurisim.errors.ScenarioError: x: budget: must be a positive number; got 0
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from plurisim.ballots import Ballots
from plurisim.errors import ScenarioError
from plurisim.scenario.schema import SCHEMA_VERSION, Scenario

__all__ = ["CRITERION", "ballot_scenario", "safe_ids"]

CRITERION = "utility"
"""The one criterion of a ballot scenario: a voter's utility from the ballot."""

_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")
MAX_ID = 80


def safe_ids(texts: Sequence[str]) -> list[str]:
    """Ids that fit the scenario id pattern, distinct, as close to ``texts`` as possible.

    ``+`` becomes ``plus``; any other run of characters outside letters, digits,
    ``_``, ``.`` and ``-`` becomes ``_``; an id that starts with another character
    gets an ``x`` in front; long ids are cut to 80 characters; repeats get ``_2``, ``_3``.

    Examples
    --------
    >>> safe_ids(["60+", "BO.D1.3/23", "", "a b", "a_b"])
    ['60plus', 'BO.D1.3_23', 'x', 'a_b', 'a_b_2']
    """
    out: list[str] = []
    taken: set[str] = set()
    for text in texts:
        s = _BAD.sub("_", str(text).replace("+", "plus"))
        if not s or not s[0].isalnum():
            s = "x" + s
        s = s[:MAX_ID]
        base, k = s, 2
        while s in taken:
            suffix = f"_{k}"
            s, k = base[: MAX_ID - len(suffix)] + suffix, k + 1
        taken.add(s)
        out.append(s)
    return out


def _rewritten(kind: str, before: Sequence[str], after: Sequence[str]) -> list[str]:
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    if not changed:
        return []
    b, a = changed[0]
    return [f"{len(changed)} {kind} id(s) rewritten to fit the id pattern, such as {b!r} -> {a!r}"]


def ballot_scenario(
    *,
    name: str,
    title: str,
    project_ids: Sequence[str],
    costs: ArrayLike,
    budget: float,
    utilities: Any,
    voter_group: ArrayLike,
    group_ids: Sequence[str],
    votes: ArrayLike,
    kind: str,
    description: str = "",
    project_labels: Sequence[str] | None = None,
    group_labels: Sequence[str] | None = None,
    base_designs: Mapping[str, tuple[str, ArrayLike]] | None = None,
    provenance: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
    origin: Mapping[str, Any] | None = None,
    scale: float = 1.0,
    unit: str = "",
) -> Scenario:
    """A scenario whose stakeholders are real voters with additive ballot utilities.

    Parameters
    ----------
    name, title, description : str
        The scenario's name (made to fit the id pattern) and words.
    project_ids : sequence of str
        One per project (made to fit the id pattern; the originals become labels
        when ``project_labels`` is not given).
    costs : array of shape (m,)
    budget : float
    utilities : SciPy sparse matrix or array of shape (n, m)
        Voter ``i``'s non-negative utility for project ``j``.
    voter_group : array of int, shape (n,)
        Each voter's index into ``group_ids``; every group needs a voter.
    group_ids, group_labels : sequence of str
    votes : array of shape (m,)
        Approvals or points per project (what greedy-by-votes ranks by).
    kind : str
        How ballots became utilities (``"approval-cost"``, ``"ordinal-points"``...).
    base_designs : mapping of id to (label, mask), optional
        Ready-made packages, such as what a city funded. One over the budget is left
        out, with a note.
    provenance : mapping, optional
        The scenario's ``provenance`` field.
    notes : sequence of str
        What a reader should know (kept in :meth:`Scenario.notes`).
    origin : mapping, optional
        How to rebuild the scenario (a file and options), kept for sweeps.
    scale : float, default 1
        The factor from ``utilities`` to the utilities the scenario reports (see
        :class:`~plurisim.ballots.Ballots`).
    unit : str
        What a utility of 1 means, in words (the criterion's description).

    Returns
    -------
    Scenario
        With :attr:`Scenario.ballots` set.

    Raises
    ------
    ScenarioError
        If the arrays do not fit together or make an invalid scenario.
    """
    from scipy import sparse  # deferred: SciPy loads only with ballots

    c = np.asarray(costs, dtype=float)
    m = c.size
    if not (np.isfinite(budget) and budget > 0):
        raise ScenarioError(f"{name}: budget: must be a positive number; got {budget:g}")
    group = np.asarray(voter_group, dtype=np.int64)
    g_n = len(group_ids)
    try:
        u = sparse.csr_array(utilities)
    except (TypeError, ValueError) as exc:  # not a matrix
        raise ScenarioError(f"{name}: ballots: {exc}") from None
    sizes = np.bincount(group, minlength=g_n) if group.size else np.zeros(g_n, np.int64)
    if len(project_ids) != m or u.shape[1] != m or sizes.size != g_n:
        raise ScenarioError(
            f"{name}: {len(project_ids)} project ids, {m} costs, ballots over "
            f"{u.shape[1]} projects and groups up to {sizes.size - 1} for "
            f"{g_n} group ids; they must agree"
        )
    try:
        names = tuple(str(i) for i in project_ids)
        ballots = Ballots(u, group, np.asarray(votes, dtype=float), kind, scale, names)
    except ValueError as exc:  # a shape or value the ballots refuse
        raise ScenarioError(f"{name}: ballots: {exc}") from None
    if (sizes == 0).any():
        empty = group_ids[int(np.flatnonzero(sizes == 0)[0])]
        raise ScenarioError(f"{name}: group {empty!r} has no voter; every group needs one")
    ivs, gids = safe_ids(project_ids), safe_ids(group_ids)
    out_notes = [*notes, *_rewritten("project", project_ids, ivs)]
    out_notes += _rewritten("group", group_ids, gids)
    means = ballots.group_means(g_n)  # (G, m)
    p_labels = list(project_labels) if project_labels is not None else list(project_ids)
    g_labels = list(group_labels) if group_labels is not None else list(group_ids)
    interventions = [
        {
            "id": iv,
            "label": str(p_labels[j]),
            "cost": float(c[j]),
            "group_effects": {
                gids[g]: {CRITERION: float(means[g, j])} for g in np.flatnonzero(means[:, j])
            },
        }
        for j, iv in enumerate(ivs)
    ]
    designs = []
    for did, (label, mask) in (base_designs or {}).items():
        chosen = np.asarray(mask, dtype=bool)
        spent = float(c[chosen].sum())
        if spent > budget * (1 + 1e-9):
            out_notes.append(
                f"the base design {did!r} costs {spent:,.10g}, over the budget "
                f"{budget:,.10g}: left out"
            )
            continue
        designs.append(
            {"id": did, "label": label, "interventions": [ivs[j] for j in np.flatnonzero(chosen)]}
        )
    data = {
        "schema_version": SCHEMA_VERSION,
        "name": safe_ids([name])[0],
        "title": title,
        "description": description,
        "criteria": [
            {
                "id": CRITERION,
                "label": "Ballot utility",
                "description": unit or f"a voter's additive utility from the ballot ({kind})",
            }
        ],
        "groups": [
            {
                "id": gid,
                "label": str(g_labels[g]),
                "size": int(sizes[g]),
                "weights": {CRITERION: 1.0},
                "baseline": {CRITERION: 0.0},
            }
            for g, gid in enumerate(gids)
        ],
        "interventions": interventions,
        "budget": float(budget),
        "base_designs": designs,
        "provenance": dict(provenance or {}),
    }
    scenario = Scenario.from_dict(data, source=name)
    return scenario.with_ballots(ballots, notes=tuple(out_notes), origin=origin)
