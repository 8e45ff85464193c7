"""Compiling a scenario into the numeric :class:`~plurisim.problem.Problem`."""

from __future__ import annotations

import numpy as np
from plurisim.problem import Labels, Problem
from plurisim.scenario.schema import Scenario
from plurisim.validation import check_seed

__all__ = ["compile_scenario"]


def compile_scenario(scenario: Scenario, seed: int | np.random.Generator | None = None) -> Problem:
    """Compile a scenario into the numeric :class:`~plurisim.problem.Problem`.

    Group weights come from ``weights`` (normalized) or from ``values`` through the
    scenario's ``value_to_criteria`` mapping. Each group contributes ``size``
    individuals: with ``dispersion`` their weights are drawn from a Dirichlet
    centred on the group's weights (concentration = dispersion); without it, every
    individual holds the group's weights. A scenario carrying ballots (from a
    Pabulib file) compiles to a ballot problem: its individuals are the voters, in
    file order, and ``Problem.ballots`` holds their utilities.

    Parameters
    ----------
    scenario : Scenario
    seed : int, numpy Generator or None
        Seeds the draw of individuals' weights.

    Returns
    -------
    Problem

    Examples
    --------
    >>> from plurisim import scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"), seed=0)
    >>> p.n_groups, p.n_interventions, p.budget
    (3, 6, 300.0)
    """
    rng = np.random.default_rng(check_seed(seed, "compile_scenario"))
    crit = scenario.criterion_ids
    groups = scenario.group_ids
    ivs = scenario.intervention_ids
    d, g_n, m = len(crit), len(groups), len(ivs)
    weights = scenario.group_weights()
    baseline = np.array([[g.baseline[c] for c in crit] for g in scenario.groups], dtype=float)
    effects = np.zeros((g_n, m, d))
    for j, iv in enumerate(scenario.interventions):
        for k, c in enumerate(crit):
            effects[:, j, k] = iv.effects.get(c, 0.0)
        for gid, eff in iv.group_effects.items():
            gi = groups.index(gid)
            for c, v in eff.items():
                effects[gi, j, crit.index(c)] = v
    caps = np.array(
        [c.scale[1] if c.scale is not None else np.inf for c in scenario.criteria], dtype=float
    )
    sizes = np.array([g.size for g in scenario.groups], dtype=np.int64)
    ballots = scenario.ballots
    if ballots is None:
        dispersion = [g.dispersion for g in scenario.groups]
        ind_w, ind_g = _sample_individuals(weights, sizes, dispersion, rng)
    else:
        ind_w, ind_g = np.ones((ballots.n_voters, d)), ballots.voter_group
    idx = {i: n for n, i in enumerate(ivs)}
    excl = sorted(
        {tuple(sorted((idx[iv.id], idx[o]))) for iv in scenario.interventions for o in iv.excludes}
    )
    reqs = sorted({(idx[iv.id], idx[o]) for iv in scenario.interventions for o in iv.requires})
    designs = {}
    for b in scenario.base_designs:
        mask = np.zeros(m, dtype=bool)
        mask[[idx[i] for i in b.interventions]] = True
        designs[b.id] = mask
    return Problem(
        name=scenario.name,
        criteria=tuple(crit),
        groups=tuple(groups),
        interventions=tuple(ivs),
        costs=np.array([iv.cost for iv in scenario.interventions], dtype=float),
        budget=float(scenario.budget),
        baseline=baseline,
        effects=effects,
        weights=weights,
        caps=caps,
        sizes=sizes,
        exclusions=tuple((int(a), int(b)) for a, b in excl),
        requirements=tuple((int(a), int(b)) for a, b in reqs),
        base_designs=designs,
        individual_weights=ind_w,
        individual_group=ind_g,
        has_individuals=ballots is not None
        or any(g.dispersion is not None for g in scenario.groups),
        svo_angles=np.array(
            [np.nan if g.svo_angle is None else g.svo_angle for g in scenario.groups], dtype=float
        ),
        concession=tuple(
            g.concession if g.concession is not None else "linear" for g in scenario.groups
        ),
        labels=Labels(
            title=scenario.title,
            description=scenario.description,
            criteria=tuple(c.name for c in scenario.criteria),
            groups=tuple(g.name for g in scenario.groups),
            group_descriptions=tuple(g.description for g in scenario.groups),
            interventions=tuple(i.name for i in scenario.interventions),
            intervention_descriptions=tuple(i.description for i in scenario.interventions),
            base_designs={b.id: b.name for b in scenario.base_designs},
        ),
        defaults=scenario.negotiation.model_dump(),
        ballots=ballots,
    )


def _sample_individuals(
    weights: np.ndarray,
    sizes: np.ndarray,
    dispersion: list[float | None],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    blocks, owners = [], []
    for gi, (w, n, conc) in enumerate(zip(weights, sizes, dispersion, strict=True)):
        n = int(n)
        if conc is None:
            blocks.append(np.repeat(w[None, :], n, axis=0))
        else:
            support = w > 0
            draw = np.zeros((n, w.size))
            # Dirichlet needs positive concentrations: criteria a group gives no
            # weight stay at zero for each of its members.
            draw[:, support] = rng.dirichlet(conc * w[support], size=n)
            blocks.append(draw)
        owners.append(np.full(n, gi, dtype=np.int64))
    return np.vstack(blocks), np.concatenate(owners)
