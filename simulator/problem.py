"""The compiled, numeric form of a scenario, and the one utility model.

A :class:`Problem` holds arrays only: costs ``c[m]``, budget ``B``, baselines
``b[G, d]``, effects ``E[G, m, d]``, weights ``W[G, d]``, caps ``cap[d]`` and the
individuals' weights ``W_ind[n, d]``. Every solver, rule, agent and metric computes
utilities through :meth:`Problem.levels`, :meth:`Problem.group_utilities` and
:meth:`Problem.individual_utilities`, the single definition of the utility model::

    level[g, k](x) = min(cap_k, b[g, k] + sum_j E[g, j, k] * x_j)
    u_g(x)         = sum_k W[g, k] * level[g, k](x)

Examples
--------
>>> import numpy as np
>>> from plurisim.problem import Problem
>>> p = Problem.from_arrays(
...     costs=[1.0, 1.0], budget=1.0,
...     baseline=[[1.0], [1.0]],
...     effects=[[[3.0], [0.0]], [[0.0], [1.0]]],
...     weights=[[1.0], [1.0]], caps=[2.5])
>>> p.group_utilities([1, 0])      # the cap stops group 0 at 2.5
array([2.5, 1. ])
>>> p.group_utilities(np.eye(2))   # one row per package
array([[2.5, 1. ],
       [1. , 2. ]])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.errors import ParameterError

if TYPE_CHECKING:  # SciPy's sparse arrays are imported only for ballot problems
    from plurisim.ballots import Ballots

__all__ = ["BUDGET_RTOL", "Labels", "Problem"]

BUDGET_RTOL = 1e-9
"""A package fits when its cost is at most ``budget * (1 + BUDGET_RTOL)``.

Relative to the budget's scale, so budgets from 1e-12 to 1e12 behave alike.
"""

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _frozen(a: ArrayLike, dtype: Any = float) -> np.ndarray:
    arr = np.array(a, dtype=dtype)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Labels:
    """The words that travel with a problem, for tables, transcripts and prompts.

    Every tuple follows the problem's order; an empty tuple means "use the ids".

    Attributes
    ----------
    title, description : str
    criteria, groups, interventions : tuple of str
        Readable names.
    group_descriptions, intervention_descriptions : tuple of str
    base_designs : mapping of design id to its readable name
    """

    title: str = ""
    description: str = ""
    criteria: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    group_descriptions: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    intervention_descriptions: tuple[str, ...] = ()
    base_designs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Problem:
    """A scenario as arrays (see the module docstring for the utility model).

    Build one with :func:`plurisim.scenario.compile_scenario` from a scenario or with
    :meth:`from_arrays` from raw arrays. Arrays are read-only.

    Attributes
    ----------
    costs : ndarray of shape (m,)
    budget : float
    baseline : ndarray of shape (G, d)
    effects : ndarray of shape (G, m, d)
    weights : ndarray of shape (G, d), rows sum to 1
    caps : ndarray of shape (d,), ``inf`` where a criterion has no cap
    sizes : ndarray of shape (G,), individuals per group
    individual_weights : ndarray of shape (n, d)
    individual_group : ndarray of shape (n,), each individual's group index
    exclusions : tuple of (j, k)
        Interventions that cannot be funded together.
    requirements : tuple of (j, k)
        Intervention j can only be funded together with k.
    base_designs : dict of str to boolean mask
    ballots : Ballots or None
        Real voters' utilities, when the problem comes from ballots; then individual
        ``i`` is voter ``i`` and :meth:`individual_utilities` is ``utilities @ x``.
    labels : Labels
        Readable names and descriptions (no pointer back to the scenario).
    defaults : mapping
        The scenario's default negotiation settings (``rounds``, ``quorum``, ...).
    """

    name: str
    criteria: tuple[str, ...]
    groups: tuple[str, ...]
    interventions: tuple[str, ...]
    costs: FloatArray
    budget: float
    baseline: FloatArray
    effects: FloatArray
    weights: FloatArray
    caps: FloatArray
    sizes: NDArray[np.int64]
    exclusions: tuple[tuple[int, int], ...] = ()
    requirements: tuple[tuple[int, int], ...] = ()
    base_designs: Mapping[str, BoolArray] = field(default_factory=dict)
    individual_weights: FloatArray | None = None
    individual_group: NDArray[np.int64] | None = None
    has_individuals: bool = False
    svo_angles: FloatArray | None = None
    concession: tuple[str | float, ...] = ()
    labels: Labels = field(default_factory=Labels)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    ballots: Ballots | None = None

    def __post_init__(self) -> None:
        g, m, d = self.effects.shape
        checks = [
            (self.costs.shape == (m,), f"costs needs shape ({m},), got {self.costs.shape}"),
            (self.baseline.shape == (g, d), f"baseline needs shape ({g}, {d})"),
            (self.weights.shape == (g, d), f"weights needs shape ({g}, {d})"),
            (self.caps.shape == (d,), f"caps needs shape ({d},)"),
            (self.sizes.shape == (g,), f"sizes needs shape ({g},)"),
            (len(self.groups) == g, "one group id per group"),
            (len(self.interventions) == m, "one intervention id per intervention"),
            (len(self.criteria) == d, "one criterion id per criterion"),
        ]
        for ok, msg in checks:
            if not ok:
                raise ParameterError(f"Problem {self.name!r}: {msg}.")
        for name in ("costs", "baseline", "effects", "weights"):
            arr = getattr(self, name)
            if not np.all(np.isfinite(arr)):
                raise ParameterError(f"Problem {self.name!r}: {name} must be finite.")
        if np.any(self.costs < 0):
            raise ParameterError(f"Problem {self.name!r}: costs must be non-negative.")
        if not (np.isfinite(self.budget) and self.budget > 0):
            raise ParameterError(
                f"The 'budget' of problem {self.name!r} must be a positive finite number. "
                f"Got {self.budget!r} instead."
            )
        if np.any(self.weights < 0) or np.any(np.abs(self.weights.sum(1) - 1) > 1e-9):
            raise ParameterError(
                f"Problem {self.name!r}: weights must be non-negative rows summing to 1."
            )
        for name in ("exclusions", "requirements"):
            for a, b in getattr(self, name):
                if not (0 <= a < m and 0 <= b < m) or a == b:
                    raise ParameterError(f"Problem {self.name!r}: bad {name} pair ({a}, {b}).")
        if self.individual_weights is None:
            object.__setattr__(
                self, "individual_weights", _frozen(np.repeat(self.weights, self.sizes, axis=0))
            )
            object.__setattr__(
                self, "individual_group", _frozen(np.repeat(np.arange(g), self.sizes), np.int64)
            )
        for name in (
            "costs",
            "baseline",
            "effects",
            "weights",
            "caps",
            "sizes",
            "individual_weights",
            "individual_group",
        ):
            arr = getattr(self, name)
            if arr is not None and arr.flags.writeable:
                object.__setattr__(self, name, _frozen(arr, arr.dtype))
        if self.ballots is not None:
            shape = self.ballots.utilities.shape
            assert self.individual_group is not None
            if shape != (self.individual_group.size, m) or not np.array_equal(
                self.ballots.voter_group, self.individual_group
            ):
                raise ParameterError(
                    f"Problem {self.name!r}: ballots need one row per individual, in the "
                    f"individuals' groups, and {m} columns; got shape {shape}."
                )

    # -- construction -------------------------------------------------------

    @classmethod
    def from_arrays(
        cls,
        *,
        costs: ArrayLike,
        budget: float,
        baseline: ArrayLike,
        effects: ArrayLike,
        weights: ArrayLike,
        caps: ArrayLike | None = None,
        sizes: ArrayLike | None = None,
        exclusions: Iterable[tuple[int, int]] = (),
        requirements: Iterable[tuple[int, int]] = (),
        base_designs: Mapping[str, ArrayLike] | None = None,
        name: str = "arrays",
        criteria: Sequence[str] | None = None,
        groups: Sequence[str] | None = None,
        interventions: Sequence[str] | None = None,
        svo_angles: ArrayLike | None = None,
    ) -> Problem:
        """Build a problem from raw arrays; weights rows are normalized to sum 1.

        Examples
        --------
        >>> p = Problem.from_arrays(costs=[2], budget=1, baseline=[[0]], effects=[[[1]]], weights=[[1]])
        >>> p.is_feasible([1])
        False
        """
        e = np.asarray(effects, dtype=float)
        if e.ndim != 3:
            raise ParameterError(f"effects needs shape (G, m, d); got {e.shape}.")
        g, m, d = e.shape
        w = np.asarray(weights, dtype=float)
        if w.shape != (g, d) or np.any(w < 0) or np.any(w.sum(axis=1) <= 0):
            raise ParameterError(
                "weights needs shape (G, d), non-negative rows with a positive sum."
            )
        w = w / w.sum(axis=1, keepdims=True)
        designs = {k: np.asarray(v, dtype=bool) for k, v in (base_designs or {}).items()}
        return cls(
            name=name,
            criteria=tuple(criteria or (f"c{k}" for k in range(d))),
            groups=tuple(groups or (f"g{k}" for k in range(g))),
            interventions=tuple(interventions or (f"i{k:03d}" for k in range(m))),
            costs=np.asarray(costs, dtype=float),
            budget=float(budget),
            baseline=np.asarray(baseline, dtype=float),
            effects=e,
            weights=w,
            caps=np.full(d, np.inf) if caps is None else np.asarray(caps, dtype=float),
            sizes=np.ones(g, dtype=np.int64)
            if sizes is None
            else np.asarray(sizes, dtype=np.int64),
            exclusions=tuple((int(a), int(b)) for a, b in exclusions),
            requirements=tuple((int(a), int(b)) for a, b in requirements),
            base_designs=designs,
            svo_angles=None if svo_angles is None else np.asarray(svo_angles, dtype=float),
        )

    # -- sizes --------------------------------------------------------------

    @property
    def n_groups(self) -> int:
        """Number of groups ``G``."""
        return self.effects.shape[0]

    @property
    def n_interventions(self) -> int:
        """Number of interventions ``m``."""
        return self.effects.shape[1]

    @property
    def n_criteria(self) -> int:
        """Number of criteria ``d``."""
        return self.effects.shape[2]

    @property
    def n_individuals(self) -> int:
        """Number of individuals ``n`` (the sum of group sizes)."""
        assert self.individual_weights is not None
        return int(self.individual_weights.shape[0])

    @property
    def group_labels(self) -> tuple[str, ...]:
        """Readable group names."""
        return self.labels.groups or self.groups

    @property
    def intervention_labels(self) -> tuple[str, ...]:
        """Readable intervention names."""
        return self.labels.interventions or self.interventions

    @property
    def criterion_labels(self) -> tuple[str, ...]:
        """Readable criterion names."""
        return self.labels.criteria or self.criteria

    def design_label(self, design: str) -> str:
        """Readable name of a base design."""
        return self.labels.base_designs.get(design, design)

    # -- packages -------------------------------------------------------------

    def mask(self, package: Iterable[str | int] | ArrayLike) -> BoolArray:
        """A boolean mask over interventions from ids, indices or a 0/1 vector.

        Examples
        --------
        >>> p = Problem.from_arrays(costs=[1, 1], budget=2, baseline=[[0]],
        ...                         effects=[[[1], [1]]], weights=[[1]], interventions=["a", "b"])
        >>> p.mask(["b"])
        array([False,  True])
        >>> p.mask(["z"])
        Traceback (most recent call last):
        ...
        plurisim.errors.ParameterError: Unknown intervention 'z'; allowed: a, b.
        """
        m = self.n_interventions
        arr = package if isinstance(package, np.ndarray) else np.asarray(list(package))  # type: ignore[arg-type]
        if arr.size == 0:
            return np.zeros(m, dtype=bool)
        if arr.dtype.kind in "US":
            out = np.zeros(m, dtype=bool)
            for pid in arr.tolist():
                if pid not in self.interventions:
                    raise ParameterError(
                        f"Unknown intervention {pid!r}; allowed: {', '.join(self.interventions)}."
                    )
                out[self.interventions.index(pid)] = True
            return out
        if arr.dtype == bool or (arr.shape == (m,) and set(np.unique(arr)).issubset({0, 1})):
            if arr.shape != (m,):
                raise ParameterError(f"A package mask needs {m} entries; got {arr.size}.")
            return arr.astype(bool)
        out = np.zeros(m, dtype=bool)
        idx = arr.astype(np.int64)
        if np.any((idx < 0) | (idx >= m)):
            raise ParameterError(f"Intervention indices must lie in [0, {m - 1}].")
        out[idx] = True
        return out

    def package_ids(self, mask: ArrayLike) -> tuple[str, ...]:
        """The intervention ids in a package, in scenario order."""
        x = np.asarray(mask, dtype=bool)
        return tuple(self.interventions[j] for j in np.flatnonzero(x))

    def cost(self, x: ArrayLike) -> FloatArray | float:
        """Cost of a package (shape (m,)) or of each row of packages (shape (P, m))."""
        arr = np.asarray(x, dtype=float)
        out = arr @ self.costs
        return float(out) if arr.ndim == 1 else out

    def is_feasible(self, x: ArrayLike, *, rtol: float = BUDGET_RTOL) -> Any:
        """Whether packages respect the budget, exclusions and requirements.

        The budget test is relative: cost at most ``budget * (1 + rtol)``. Returns a
        bool for one package or a boolean array for rows of packages.
        """
        arr = np.atleast_2d(np.asarray(x, dtype=bool))
        ok = arr.astype(float) @ self.costs <= self.budget * (1 + rtol)
        for a, b in self.exclusions:
            ok &= ~(arr[:, a] & arr[:, b])
        for a, b in self.requirements:
            ok &= ~arr[:, a] | arr[:, b]
        return bool(ok[0]) if np.asarray(x).ndim == 1 else ok

    # -- the utility model ------------------------------------------------------

    def levels(self, x: ArrayLike, effects: ArrayLike | None = None) -> FloatArray:
        """Criterion levels ``min(cap, b + E x)`` for every group.

        Parameters
        ----------
        x : array-like of shape (m,) or (P, m)
            A package (0/1) or one package per row.
        effects : array-like of shape (G, m, d), optional
            Effects to use instead of the problem's (for believed effects).

        Returns
        -------
        ndarray of shape (G, d) or (P, G, d)
        """
        e = self.effects if effects is None else np.asarray(effects, dtype=float)
        arr = np.asarray(x, dtype=float)
        raw = np.einsum("...m,gmk->...gk", arr, e) + self.baseline
        return np.minimum(raw, self.caps)

    def group_utilities(self, x: ArrayLike) -> FloatArray:
        """Utility of each group, ``u_g(x) = sum_k W[g, k] level[g, k](x)``.

        Returns shape (G,) for one package or (P, G) for rows of packages.
        """
        return np.einsum("...gk,gk->...g", self.levels(x), self.weights)

    def individual_utilities(self, x: ArrayLike, weights: ArrayLike | None = None) -> FloatArray:
        """Utility of each individual (its own weights, its group's levels).

        On a ballot problem it is each voter's ballot utility (see
        :meth:`~plurisim.ballots.Ballots.voter_utilities`) times the individual's single
        weight, 1.

        Returns shape (n,) for one package or (P, n) for rows of packages.
        """
        w = self.individual_weights if weights is None else np.asarray(weights, dtype=float)
        assert w is not None and self.individual_group is not None
        if self.ballots is not None:
            return self.ballots.voter_utilities(x) * w[:, 0]
        lv = self.levels(x)[..., self.individual_group, :]
        return np.einsum("...nk,nk->...n", lv, w)

    def population_weights(self) -> FloatArray:
        """Sum of the individuals' weights per group, shape (G, d).

        The population-weighted total utility of a package is
        ``sum_g sum_k population_weights[g, k] * level[g, k]``.
        """
        assert self.individual_weights is not None and self.individual_group is not None
        out = np.zeros_like(self.weights)
        np.add.at(out, self.individual_group, self.individual_weights)
        return out
