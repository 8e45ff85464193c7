"""Synthetic scenarios for sweeps and scale tests.

:func:`generate` builds a scenario of any size from a seed. ``polarization`` moves
the groups' weights from identical (0) to opposed (1): groups fall into camps, each
camp caring about its own share of the criteria, and at 1 the camps share no
criterion at all.

Examples
--------
>>> from plurisim.scenarios import generate
>>> s = generate(n_groups=4, n_interventions=10, n_criteria=3, polarization=0.5, seed=1)
>>> len(s.groups), len(s.interventions), len(s.criteria)
(4, 10, 3)
>>> generate(n_groups=4, n_interventions=10, polarization=1.5)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'polarization' parameter of generate must be a real number in the range [0, 1]. Got 1.5 instead.
"""

from __future__ import annotations

import numpy as np
from plurisim.params import Param, resolve_params
from plurisim.scenario import Scenario

__all__ = ["GENERATOR_PARAMS", "generate"]

GENERATOR_PARAMS: tuple[Param, ...] = (
    Param("n_groups", 6, "stakeholder groups", kind="int", low=1, high=100_000),
    Param("n_interventions", 20, "interventions", kind="int", low=1, high=100_000),
    Param("n_criteria", 4, "criteria", kind="int", low=1, high=1000),
    Param(
        "polarization",
        0.5,
        "0: every group holds the same weights; 1: camps care about disjoint criteria",
        low=0,
        high=1,
    ),
    Param(
        "budget_share",
        0.3,
        "budget as a share of the cost of all interventions",
        low=0,
        high=1,
        closed="right",
    ),
    Param("seed", 0, "the generator's seed", kind="int", low=0, high=2**63 - 1),
    Param("n_camps", 2, "camps the groups split into", kind="int", low=1, high=1000),
    Param(
        "dispersion",
        None,
        "Dirichlet concentration of individuals around their group's weights",
        low=0,
        closed="neither",
        nullable=True,
    ),
)
"""The generator's parameters (a sweep grid may vary each of them)."""

SCALE = (1.0, 5.0)
DESIGN_SHARE = 0.7  # base designs spend this share of the budget, leaving room to negotiate


def generate(
    n_groups: int = 6,
    n_interventions: int = 20,
    n_criteria: int = 4,
    polarization: float = 0.5,
    budget_share: float = 0.3,
    seed: int = 0,
    *,
    n_camps: int = 2,
    group_size: tuple[int, int] = (5, 50),
    dispersion: float | None = None,
) -> Scenario:
    """A random scenario of the given size, deterministic per seed.

    Parameters
    ----------
    n_groups, n_interventions, n_criteria : int
        Sizes (each at least 1).
    polarization : float in [0, 1]
        0: every group holds the same weights; 1: camps care about disjoint criteria.
    budget_share : float in (0, 1]
        Budget as a share of the cost of all interventions.
    seed : int
    n_camps : int
        How many camps the groups split into (round-robin); at most one per criterion.
    group_size : (int, int)
        Range of individuals per group.
    dispersion : float, optional
        Dirichlet concentration of individuals around their group's weights.

    Returns
    -------
    Scenario
        With one base design per camp (its camp's favourites, greedily) and a
        balanced one; like first proposals, they spend about 70% of the budget.
    """
    given = {
        "n_groups": n_groups,
        "n_interventions": n_interventions,
        "n_criteria": n_criteria,
        "polarization": polarization,
        "budget_share": budget_share,
        "seed": seed,
        "n_camps": n_camps,
        "dispersion": dispersion,
    }
    v = resolve_params("generate", GENERATOR_PARAMS, given, who="generate")
    g_n, m, d = v["n_groups"], v["n_interventions"], v["n_criteria"]
    pol, share, seed = v["polarization"], v["budget_share"], v["seed"]
    camps = min(v["n_camps"], d)
    rng = np.random.default_rng(seed)

    crit = [f"c{k}" for k in range(d)]
    camp_of_group = np.arange(g_n) % camps
    camp_of_crit = np.arange(d) % camps
    common = rng.dirichlet(np.full(d, 5.0))
    weights = np.empty((g_n, d))
    for g in range(g_n):
        pole = (camp_of_crit == camp_of_group[g]).astype(float)
        pole = pole / pole.sum() if pole.sum() else np.full(d, 1.0 / d)
        target = (1 - pol) * common + pol * pole
        # Individual variety grows with polarization and stays inside the camp's criteria,
        # so that at 0 every group holds the same weights and at 1 camps share none.
        jitter = rng.dirichlet(np.full(d, 1.0)) * (target > 0)
        w = target + 0.2 * pol * jitter / max(jitter.sum(), 1e-12)
        weights[g] = w / w.sum()
    baseline = rng.uniform(1.5, 3.0, (g_n, d))

    # Each intervention raises one or two criteria; groups feel it a little differently.
    hits = np.zeros((m, d))
    for j in range(m):
        k = rng.choice(d, size=min(d, 1 + int(rng.random() < 0.5)), replace=False)
        hits[j, k] = rng.uniform(0.5, 1.5, k.size)
    cost = np.round(hits.sum(axis=1) * rng.uniform(2.0, 8.0, m), 2)
    per_criterion = max(1.0, share * m * hits.astype(bool).sum() / (m * d))
    headroom = SCALE[1] - baseline.mean()
    scale = 0.5 * headroom / per_criterion
    budget = float(max(share * cost.sum(), cost.min()))
    sizes = rng.integers(group_size[0], group_size[1] + 1, g_n)

    interventions = []
    for j in range(m):
        spread = rng.uniform(0.7, 1.3, g_n)
        effects = {crit[k]: round(float(hits[j, k] * scale), 4) for k in np.flatnonzero(hits[j])}
        group_effects = {
            f"g{g}": {c: round(v * float(spread[g]), 4) for c, v in effects.items()}
            for g in range(g_n)
        }
        interventions.append(
            {
                "id": f"i{j:03d}",
                "cost": float(cost[j]),
                "effects": effects,
                "group_effects": group_effects,
            }
        )

    groups = []
    for g in range(g_n):
        group: dict[str, object] = {
            "id": f"g{g}",
            "label": f"Group {g} (camp {camp_of_group[g]})",
            "size": int(sizes[g]),
            "weights": {c: float(weights[g, k]) for k, c in enumerate(crit)},
            "baseline": {c: round(float(baseline[g, k]), 3) for k, c in enumerate(crit)},
        }
        if dispersion is not None:
            group["dispersion"] = float(dispersion)
        groups.append(group)

    designs: list[tuple[str, list[int]]] = []
    value = np.einsum("gk,jk->j", weights, hits)
    for c in range(camps):
        focus = hits[:, camp_of_crit == c].sum(axis=1)
        designs.append((f"focus-camp{c}", _fill(focus / cost, cost, DESIGN_SHARE * budget)))
    designs.append(("balanced", _fill(value / cost, cost, DESIGN_SHARE * budget)))
    ids = [str(iv["id"]) for iv in interventions]
    base_designs = [
        {"id": name, "interventions": [ids[j] for j in chosen]} for name, chosen in designs
    ]

    return Scenario.from_dict(
        {
            "schema_version": 1,
            "name": f"generated-g{g_n}-m{m}-d{d}-p{pol:g}-s{seed}",
            "title": f"Generated: {g_n} groups, {m} interventions, polarization {pol:g}",
            "description": (
                "A synthetic scenario from plurisim.scenarios.generate: groups in "
                f"{camps} camps, polarization {pol:g}, budget {share:g} of the total cost."
            ),
            "criteria": [{"id": c, "scale": list(SCALE)} for c in crit],
            "groups": groups,
            "interventions": interventions,
            "budget": budget,
            "base_designs": base_designs,
            "provenance": {
                "sources": [],
                "derived_by": f"plurisim.scenarios.generate(seed={seed})",
            },
        },
        source="generate",
    )


def _fill(score: np.ndarray, cost: np.ndarray, budget: float) -> list[int]:
    """Indices chosen greedily by ``score`` while they fit the budget."""
    chosen, spent = [], 0.0
    for j in np.argsort(-score, kind="stable"):
        if score[j] <= 0:
            break
        if spent + cost[j] <= budget:
            chosen.append(int(j))
            spent += float(cost[j])
    return sorted(chosen)
