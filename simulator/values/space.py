"""A value space (named dimensions and their geometry) and value vectors over it.

A value vector is a NumPy array over a space's dimensions: *importance weights*
(non-negative, summing to 1, see :func:`normalize`) or a *signed valence* in [-1, 1].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.errors import ParameterError

__all__ = ["Relation", "ValueSpace", "normalize"]

Relation = Literal["same", "adjacent", "opposed", "unrelated"]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ValueSpace:
    """Named value dimensions with optional geometry.

    Parameters
    ----------
    name : str
        Identifier, such as ``"schwartz10"``.
    dimensions : tuple of str
        Dimension ids, in order; value vectors are indexed by this order.
    labels : tuple of str
        Human-readable labels, one per dimension.
    description : str
        One sentence about the space and its source.
    angles : tuple of float, optional
        Position of each dimension on a circle, in degrees (a circumplex).
    higher_order : mapping of str to tuple of str
        Named groups of dimensions (a dimension may belong to two groups).
    axes : tuple of (str, str)
        Pairs of higher-order groups that are opposed poles of one axis.
    aliases : mapping of str to str
        Other accepted spellings (such as two-letter codes) for dimension ids.

    Examples
    --------
    >>> from plurisim.values import MFT
    >>> MFT.n_dims, MFT.index("loyalty")
    (5, 2)
    """

    name: str
    dimensions: tuple[str, ...]
    labels: tuple[str, ...]
    description: str = ""
    angles: tuple[float, ...] | None = None
    higher_order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    axes: tuple[tuple[str, str], ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(set(self.dimensions)) != len(self.dimensions):
            raise ParameterError(f"Value space {self.name!r} has duplicate dimension ids.")
        if len(self.labels) != len(self.dimensions):
            raise ParameterError(f"Value space {self.name!r} needs one label per dimension.")
        if self.angles is not None and len(self.angles) != len(self.dimensions):
            raise ParameterError(f"Value space {self.name!r} needs one angle per dimension.")
        for group, members in self.higher_order.items():
            unknown = [m for m in members if m not in self.dimensions]
            if unknown:
                raise ParameterError(
                    f"Higher-order group {group!r} of {self.name!r} names unknown "
                    f"dimensions {unknown}."
                )
        for a, b in self.axes:
            if a not in self.higher_order or b not in self.higher_order:
                raise ParameterError(f"Axis ({a!r}, {b!r}) of {self.name!r} names unknown groups.")

    @property
    def n_dims(self) -> int:
        """Number of dimensions."""
        return len(self.dimensions)

    @property
    def circular(self) -> bool:
        """Whether the dimensions have positions on a circle."""
        return self.angles is not None

    def resolve(self, dim: str) -> str:
        """Return the canonical id for ``dim`` (accepting aliases, any case).

        Raises
        ------
        ParameterError
            If ``dim`` is not a dimension of this space.
        """
        if dim in self.dimensions:
            return dim
        key = str(dim).strip().lower()
        for d in self.dimensions:
            if d.lower() == key:
                return d
        for alias, d in self.aliases.items():
            if alias.lower() == key:
                return d
        allowed = ", ".join(self.dimensions)
        raise ParameterError(
            f"{dim!r} is not a dimension of the value space {self.name!r}; allowed: {allowed}."
        )

    def index(self, dim: str) -> int:
        """Position of dimension ``dim`` in value vectors."""
        return self.dimensions.index(self.resolve(dim))

    def vector(
        self,
        values: Mapping[str, float] | ArrayLike,
        *,
        kind: Literal["weights", "valence"] = "weights",
    ) -> FloatArray:
        """Build a value vector over this space.

        Parameters
        ----------
        values : mapping or array-like
            Either ``{dimension: number}`` (missing dimensions are 0) or a sequence
            with one number per dimension.
        kind : {"weights", "valence"}
            ``"weights"`` requires non-negative numbers not all zero and returns
            them normalized to sum 1; ``"valence"`` requires numbers in [-1, 1].

        Returns
        -------
        numpy.ndarray of shape (n_dims,)

        Examples
        --------
        >>> from plurisim.values import MFT
        >>> MFT.vector({"care": 3, "fairness": 1})
        array([0.75, 0.25, 0.  , 0.  , 0.  ])
        >>> MFT.vector({"care": -1})
        Traceback (most recent call last):
        ...
        plurisim.errors.ParameterError: Importance weights must be non-negative; got -1.0 for 'care'.
        """
        if isinstance(values, Mapping):
            v = np.zeros(self.n_dims)
            for key, number in values.items():
                v[self.index(key)] = float(number)
        else:
            v = np.asarray(values, dtype=float).reshape(-1)
            if v.shape != (self.n_dims,):
                raise ParameterError(
                    f"A value vector over {self.name!r} needs {self.n_dims} numbers; got {v.size}."
                )
        if not np.all(np.isfinite(v)):
            raise ParameterError("Value vectors must contain finite numbers only.")
        if kind == "valence":
            bad = np.flatnonzero((v < -1) | (v > 1))
            if bad.size:
                d = self.dimensions[bad[0]]
                raise ParameterError(f"Valence must lie in [-1, 1]; got {v[bad[0]]} for {d!r}.")
            return v
        bad = np.flatnonzero(v < 0)
        if bad.size:
            d = self.dimensions[bad[0]]
            raise ParameterError(
                f"Importance weights must be non-negative; got {v[bad[0]]} for {d!r}."
            )
        return normalize(v)

    def relation(self, a: str, b: str) -> Relation:
        """How two dimensions relate: ``same``, ``adjacent``, ``opposed`` or ``unrelated``.

        On a circumplex, dimensions one step apart (or sharing a position, as
        conformity and tradition do) are adjacent. Dimensions on opposite poles of a
        higher-order axis are opposed. Without a circle, dimensions sharing a
        higher-order group are adjacent.

        Examples
        --------
        >>> from plurisim.values import SCHWARTZ10
        >>> SCHWARTZ10.relation("SD", "CO"), SCHWARTZ10.relation("PO", "UN")
        ('opposed', 'opposed')
        """
        a, b = self.resolve(a), self.resolve(b)
        if a == b:
            return "same"
        for p, q in self.axes:
            pa, pb = self.higher_order[p], self.higher_order[q]
            if (a in pa and b in pb) or (a in pb and b in pa):
                return "opposed"
        if self.angles is not None:
            if _angular_distance(self._angle(a), self._angle(b)) <= self._step() + 1e-9:
                return "adjacent"
            return "unrelated"
        if any(a in m and b in m for m in self.higher_order.values()):
            return "adjacent"
        return "unrelated"

    def adjacent(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` are adjacent (compatible neighbours)."""
        return self.relation(a, b) == "adjacent"

    def opposed(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` sit on opposite poles of a higher-order axis."""
        return self.relation(a, b) == "opposed"

    def opposed_pairs(self) -> list[tuple[str, str]]:
        """Every unordered pair of opposed dimensions, in dimension order."""
        dims = self.dimensions
        return [
            (dims[i], dims[j])
            for i in range(len(dims))
            for j in range(i + 1, len(dims))
            if self.opposed(dims[i], dims[j])
        ]

    def kernel(self) -> FloatArray:
        """Compatibility matrix between dimensions, used by :func:`conflict`.

        On a circumplex, ``K = (I + C) / 2`` with ``C[i, j] = cos(angle_i - angle_j)``:
        1 on the diagonal, positive for neighbours, negative for opposite positions.
        Without geometry, the identity.
        """
        if self.angles is None:
            return np.eye(self.n_dims)
        theta = np.deg2rad(np.asarray(self.angles))
        c = np.cos(theta[:, None] - theta[None, :])
        return (np.eye(self.n_dims) + c) / 2.0

    def higher_order_scores(self, v: ArrayLike) -> dict[str, float]:
        """Sum of a weight vector over each higher-order group.

        Examples
        --------
        >>> from plurisim.values import SCHWARTZ10
        >>> s = SCHWARTZ10.higher_order_scores(SCHWARTZ10.vector({"UN": 1, "BE": 1}))
        >>> s["self_transcendence"]
        1.0
        """
        arr = np.asarray(v, dtype=float)
        return {
            g: float(sum(arr[self.index(m)] for m in members))
            for g, members in self.higher_order.items()
        }

    def top(self, v: ArrayLike, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` largest entries of ``v`` as ``(label, value)``, largest first."""
        arr = np.asarray(v, dtype=float)
        order = np.argsort(-arr, kind="stable")[:k]
        return [(self.labels[i], float(arr[i])) for i in order]

    def _angle(self, dim: str) -> float:
        assert self.angles is not None
        return self.angles[self.dimensions.index(dim)]

    def _step(self) -> float:
        assert self.angles is not None
        distinct = sorted(set(self.angles))
        return 360.0 / len(distinct)


def _angular_distance(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def normalize(v: ArrayLike) -> FloatArray:
    """Scale non-negative numbers to sum 1.

    Raises
    ------
    ParameterError
        If any entry is negative or not finite, or all are zero.

    Examples
    --------
    >>> normalize([1, 3])
    array([0.25, 0.75])
    >>> normalize([0, 0])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: Cannot normalize importance weights that are all zero.
    """
    arr = np.asarray(v, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError("Importance weights must be finite numbers.")
    if np.any(arr < 0):
        raise ParameterError("Importance weights must be non-negative.")
    total = arr.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise ParameterError("Cannot normalize importance weights that are all zero.")
    return np.asarray(arr / total, dtype=float)
