"""Deliberation between rounds: individuals talk with their neighbours on a social graph.

Beliefs about how well each intervention works (1 = as the scenario says) are
averaged with the neighbours' (DeGroot). Values move too, but anchored to each
person's initial values by their stubbornness (Friedkin-Johnsen). The model reports
the *information gap* (mean distance of beliefs from the truth) and the *value
conflict* (mean distance between groups' average weights) every round. How much
discussion narrows each depends on stubbornness and homophily: the ``deliberation``
study maps both over a grid of the two rather than quoting one default. Each
stakeholder's ideal is recomputed under its current beliefs, so its satisfaction
never exceeds 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.negotiation.params import Deliberation
from plurisim.negotiation.search import PackageSearch
from plurisim.negotiation.units import Units
from plurisim.problem import Problem

__all__ = [
    "DeliberationState",
    "default_graph",
    "information_gap",
    "perceived_ideals",
    "value_conflict",
]

FloatArray = NDArray[np.float64]
MAX_WORK = 50_000_000  # packages x stakeholders x interventions for exact perceived ideals


def default_graph(group_sizes: list[int], settings: Deliberation, rng: np.random.Generator) -> Any:
    """A stochastic block model with homophily: blocks are the groups.

    Expected ``degree_in`` neighbours inside one's group and ``degree_out`` outside.
    Drawn with the model's generator, so the same seed gives the same graph.
    """
    n = sum(group_sizes)
    k = len(group_sizes)
    probs = np.zeros((k, k))
    for a in range(k):
        for b in range(k):
            if a == b:
                probs[a, b] = min(1.0, settings.degree_in / max(group_sizes[a] - 1, 1))
            else:  # symmetric: the mean of what each side's expected degree asks for
                outside = 0.5 * (1 / max(n - group_sizes[a], 1) + 1 / max(n - group_sizes[b], 1))
                probs[a, b] = min(1.0, settings.degree_out * outside)
    import networkx as nx  # only with deliberation: it takes a tenth of a second to import

    return nx.stochastic_block_model(group_sizes, probs.tolist(), seed=rng, sparse=True)


def information_gap(beliefs: FloatArray | None) -> float:
    """Mean absolute distance of believed effectiveness from the truth (1)."""
    return 0.0 if beliefs is None else float(np.abs(beliefs - 1.0).mean())


def value_conflict(weights: FloatArray, group: NDArray[np.intp], n_groups: int) -> float:
    """Mean Euclidean distance between the groups' average weight vectors."""
    means = np.array(
        [weights[group == g].mean(axis=0) for g in range(n_groups) if np.any(group == g)]
    )
    if means.shape[0] < 2:
        return 0.0
    d = np.sqrt(((means[:, None, :] - means[None, :, :]) ** 2).sum(axis=2))
    iu = np.triu_indices(means.shape[0], 1)
    return float(d[iu].mean())


class DeliberationState:
    """The social graph and the averaging operator of one negotiation."""

    def __init__(
        self,
        settings: Deliberation,
        units: Units,
        n_groups: int,
        n_interventions: int,
        rng: np.random.Generator,
    ) -> None:
        self.settings = settings
        sizes = [int((units.group == g).sum()) for g in range(n_groups)]
        graph = (
            settings.graph if settings.graph is not None else default_graph(sizes, settings, rng)
        )
        n = len(units)
        import networkx as nx
        from scipy import sparse  # deferred, like NetworkX: only runs that deliberate

        adj = nx.to_scipy_sparse_array(graph, nodelist=range(n), format="csr", dtype=float)
        adj = adj + sparse.identity(n, format="csr")
        degree = np.asarray(adj.sum(axis=1)).ravel()
        self.operator = sparse.diags(1.0 / degree) @ adj  # row-stochastic, self included
        sigma = settings.belief_noise
        units.beliefs = np.exp(sigma * rng.standard_normal((n, n_interventions)) - sigma**2 / 2)

    def step(self, units: Units) -> None:
        """One exchange: DeGroot on beliefs, Friedkin-Johnsen on values."""
        assert units.beliefs is not None
        units.beliefs = self.operator @ units.beliefs
        s = self.settings.stubbornness
        units.weights = s * units.anchor + (1 - s) * (self.operator @ units.weights)


def perceived_ideals(
    problem: Problem, search: PackageSearch, units: Units
) -> tuple[FloatArray, bool]:
    """Each stakeholder's best budget-feasible utility under its own beliefs and weights.

    Exact over the enumerated packages when they are few enough; otherwise each keeps
    its current ideal (a lower bound, raised whenever it sees a better package).
    """
    if units.beliefs is None:
        return search.ideal_for(units.weights, units.group)
    space = search.space
    if space is None or len(space) * len(units) * problem.n_interventions > MAX_WORK:
        return units.ideal.copy(), False
    x = space.masks().astype(float)  # (P, m)
    out = np.empty(len(units))
    for g in range(problem.n_groups):
        rows = units.members(g)
        for i in rows:
            eff = problem.effects[g] * units.beliefs[i][:, None]  # (m, d)
            lv = np.minimum(problem.baseline[g] + x @ eff, problem.caps)
            out[i] = float((lv @ units.weights[i]).max())
    return out, True
