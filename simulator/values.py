"""Value spaces and value vectors.

A :class:`ValueSpace` names the dimensions a stakeholder's values are expressed in,
with optional geometry: positions on a circle (Schwartz's circumplex), higher-order
groupings, and axes whose poles are opposed. A value vector is a NumPy array over a
space's dimensions, either *importance weights* (non-negative, summing to 1) or a
*signed valence* in [-1, 1] (FULCRA-style labels: +1 aligned, -1 opposed, 0 no
connection).

Built-in spaces: Schwartz's 10 basic values (``schwartz10``), ValueLex
(``valuelex``: Competence, Character, Integrity, two sub-dimensions each) and Moral
Foundations (``mft``). A scenario's criteria form a space of their own
(:func:`criteria_space`).

Examples
--------
>>> from plurisim.values import SCHWARTZ10, conflict
>>> SCHWARTZ10.relation("stimulation", "security")
'opposed'
>>> SCHWARTZ10.relation("benevolence", "universalism")
'adjacent'
>>> a = SCHWARTZ10.vector({"power": 1.0})
>>> b = SCHWARTZ10.vector({"universalism": 1.0})
>>> round(conflict(a, b, SCHWARTZ10), 3) > round(conflict(a, SCHWARTZ10.vector({"achievement": 1.0}), SCHWARTZ10), 3)
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.errors import ParameterError

__all__ = [
    "MFT",
    "SCHWARTZ10",
    "SPACES",
    "VALUELEX",
    "ValueSpace",
    "conflict",
    "cosine_similarity",
    "criteria_space",
    "get_space",
    "normalize",
    "signed_alignment",
    "value_to_criteria",
]

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


def cosine_similarity(u: ArrayLike, v: ArrayLike) -> float:
    """Cosine of the angle between two value vectors, in [-1, 1].

    Examples
    --------
    >>> cosine_similarity([1, 0], [1, 1]).__round__(4)
    0.7071
    """
    a, b = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        raise ParameterError("Cosine similarity is undefined for an all-zero vector.")
    return float(np.clip(a @ b / (na * nb), -1.0, 1.0))


def conflict(u: ArrayLike, v: ArrayLike, space: ValueSpace | None = None) -> float:
    """Value conflict between two weight vectors, in [0, 1].

    ``(1 - s) / 2`` where ``s`` is the cosine similarity under the space's
    compatibility :meth:`~ValueSpace.kernel`. On Schwartz's circle, two groups that
    put all weight on the same value have conflict 0; on neighbouring values about
    0.31; on values at opposite positions 0.75. Without geometry, it is
    ``(1 - cosine) / 2``.

    Examples
    --------
    >>> from plurisim.values import SCHWARTZ10
    >>> round(conflict(SCHWARTZ10.vector({"HE": 1}), SCHWARTZ10.vector({"HE": 1}), SCHWARTZ10), 6)
    0.0
    """
    a, b = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    if a.shape != b.shape:
        raise ParameterError(f"Vectors of different lengths: {a.size} and {b.size}.")
    k = np.eye(a.size) if space is None else space.kernel()
    if k.shape[0] != a.size:
        raise ParameterError(
            f"The value space {space.name if space else ''!r} has {k.shape[0]} dimensions; "
            f"the vectors have {a.size}."
        )
    denom = math.sqrt(float(a @ k @ a) * float(b @ k @ b))
    if denom == 0.0:
        raise ParameterError("Value conflict is undefined for an all-zero vector.")
    sim = float(np.clip(a @ k @ b / denom, -1.0, 1.0))
    return (1.0 - sim) / 2.0


def signed_alignment(valence: ArrayLike, target: ArrayLike) -> float:
    """FULCRA-style alignment of a signed valence vector with a target, in [-1, 1].

    ``sum(target * valence) / sum(|target|)``: +1 when the behaviour supports every
    value the target holds, -1 when it opposes every one, 0 when it touches none.

    Parameters
    ----------
    valence : array-like
        Labels in [-1, 1] (+1 aligned, -1 opposed, 0 no connection).
    target : array-like
        Importance weights (or a signed target) over the same dimensions.

    Examples
    --------
    >>> signed_alignment([1, -1, 0], [0.5, 0.5, 0.0])
    0.0
    >>> signed_alignment([1, 1, -1], [0.6, 0.4, 0.0])
    1.0
    >>> signed_alignment([2, 0, 0], [1, 0, 0])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: Valence labels must lie in [-1, 1]; got 2.0.
    """
    val = np.asarray(valence, dtype=float)
    tgt = np.asarray(target, dtype=float)
    if val.shape != tgt.shape:
        raise ParameterError(f"Vectors of different lengths: {val.size} and {tgt.size}.")
    bad = val[(val < -1) | (val > 1) | ~np.isfinite(val)]
    if bad.size:
        raise ParameterError(f"Valence labels must lie in [-1, 1]; got {bad[0]}.")
    scale = float(np.abs(tgt).sum())
    if scale == 0.0:
        raise ParameterError("The target of an alignment score cannot be all zero.")
    return float(tgt @ val / scale)


def value_to_criteria(vector: ArrayLike, mapping: ArrayLike) -> FloatArray:
    """Turn a value vector into criteria weights through a mapping matrix.

    Each row of ``mapping`` says which criteria serve one value; rows are scaled to
    sum 1 so that a value passes on exactly its own importance, shared among its
    criteria. The result is normalized to sum 1.

    Parameters
    ----------
    vector : array-like of shape (n_values,)
        Importance weights over a value space.
    mapping : array-like of shape (n_values, n_criteria)
        Non-negative: how much each criterion serves each value. All-zero rows
        (values no criterion serves) pass nothing on.

    Returns
    -------
    numpy.ndarray of shape (n_criteria,)

    Examples
    --------
    >>> value_to_criteria([0.25, 0.75], [[1, 0, 0], [0, 1, 1]])
    array([0.25 , 0.375, 0.375])
    """
    v = np.asarray(vector, dtype=float)
    m = np.asarray(mapping, dtype=float)
    if m.ndim != 2 or m.shape[0] != v.size:
        raise ParameterError(
            f"The mapping needs one row per value ({v.size}); got shape {m.shape}."
        )
    if np.any(m < 0) or not np.all(np.isfinite(m)):
        raise ParameterError("A value-to-criteria mapping must be finite and non-negative.")
    rows = m.sum(axis=1, keepdims=True)
    shares = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    out = v @ shares
    if out.sum() <= 0:
        raise ParameterError(
            "This value vector maps to all-zero criteria weights: no value it holds "
            "is connected to any criterion."
        )
    return normalize(out)


def criteria_space(criteria: Sequence[str], labels: Iterable[str] | None = None) -> ValueSpace:
    """A plain value space over a scenario's own criteria.

    Examples
    --------
    >>> criteria_space(["comfort", "safety"]).dimensions
    ('comfort', 'safety')
    """
    crit = tuple(criteria)
    labs = tuple(labels) if labels is not None else tuple(c.replace("_", " ").title() for c in crit)
    return ValueSpace(
        name="criteria", dimensions=crit, labels=labs, description="Scenario criteria."
    )


_SCHWARTZ_CODES = {
    "SD": "self_direction",
    "ST": "stimulation",
    "HE": "hedonism",
    "AC": "achievement",
    "PO": "power",
    "SE": "security",
    "CO": "conformity",
    "TR": "tradition",
    "BE": "benevolence",
    "UN": "universalism",
}

SCHWARTZ10 = ValueSpace(
    name="schwartz10",
    dimensions=tuple(_SCHWARTZ_CODES.values()),
    labels=(
        "Self-direction",
        "Stimulation",
        "Hedonism",
        "Achievement",
        "Power",
        "Security",
        "Conformity",
        "Tradition",
        "Benevolence",
        "Universalism",
    ),
    description=(
        "Schwartz's ten basic human values in their circular order; conformity and "
        "tradition share one wedge (Schwartz 1992, 2012)."
    ),
    # Nine wedges of 40 degrees; conformity and tradition share the seventh.
    angles=(0.0, 40.0, 80.0, 120.0, 160.0, 200.0, 240.0, 240.0, 280.0, 320.0),
    higher_order={
        "openness_to_change": ("self_direction", "stimulation", "hedonism"),
        "self_enhancement": ("hedonism", "achievement", "power"),
        "conservation": ("security", "conformity", "tradition"),
        "self_transcendence": ("benevolence", "universalism"),
    },
    axes=(("openness_to_change", "conservation"), ("self_enhancement", "self_transcendence")),
    aliases=_SCHWARTZ_CODES,
)

VALUELEX = ValueSpace(
    name="valuelex",
    dimensions=(
        "self_competent",
        "user_oriented",
        "social",
        "idealistic",
        "professional",
        "ethical",
    ),
    labels=(
        "Self-competent",
        "User-oriented",
        "Social",
        "Idealistic",
        "Professional",
        "Ethical",
    ),
    description=(
        "ValueLex: three value dimensions, each with two sub-dimensions "
        "(Competence: self-competent, user-oriented; Character: social, idealistic; "
        "Integrity: professional, ethical)."
    ),
    higher_order={
        "competence": ("self_competent", "user_oriented"),
        "character": ("social", "idealistic"),
        "integrity": ("professional", "ethical"),
    },
)

MFT = ValueSpace(
    name="mft",
    dimensions=("care", "fairness", "loyalty", "authority", "purity"),
    labels=("Care", "Fairness", "Loyalty", "Authority", "Purity"),
    description="Moral Foundations Theory (Graham, Haidt et al.): five foundations.",
    higher_order={
        "individualizing": ("care", "fairness"),
        "binding": ("loyalty", "authority", "purity"),
    },
    aliases={"harm": "care", "sanctity": "purity", "ingroup": "loyalty"},
)

SPACES: dict[str, ValueSpace] = {s.name: s for s in (SCHWARTZ10, VALUELEX, MFT)}
_SPACE_ALIASES = {"schwartz": "schwartz10", "moral_foundations": "mft", "moral-foundations": "mft"}


def get_space(name: str) -> ValueSpace:
    """Look up a built-in value space by name.

    Examples
    --------
    >>> get_space("mft").labels[0]
    'Care'
    >>> get_space("hofstede")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: Unknown value space 'hofstede'; built in: schwartz10, valuelex, mft.
    """
    key = _SPACE_ALIASES.get(name, name)
    if key not in SPACES:
        raise ParameterError(f"Unknown value space {name!r}; built in: {', '.join(SPACES)}.")
    return SPACES[key]
