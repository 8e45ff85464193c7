"""Real voters' ballots as utilities: the voter-level side of a ballot problem.

A problem compiled from real ballots (a participatory-budgeting election) carries
its voters' additive utilities in a :class:`Ballots` object; see
:class:`plurisim.problem.Problem`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.errors import ParameterError

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["Ballots"]

FloatArray = NDArray[np.float64]


def _frozen(a: ArrayLike, dtype: type) -> np.ndarray:
    arr: np.ndarray = np.array(a, dtype=dtype)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Ballots:
    """Real voters' additive utilities, for problems compiled from ballots.

    Voter ``i``'s utility for a package ``x`` is ``scale * utilities[i] @ x``. On a
    ballot problem each group's utility is its voters' mean (``effects[g, j, 0]`` is
    the mean of ``scale * utilities[i, j]`` over the group's voters), so every rule
    reads the groups through the one utility model and only the voter-level measures
    and the rules that read ballots (Equal Shares, greedy by votes) read this.
    ``scale`` sets the unit utilities are reported in (``1 / budget`` turns cost
    utilities into shares of the budget); Equal Shares does not depend on it and runs
    on the unscaled ``utilities``, exactly as written in the data.

    Parameters
    ----------
    utilities : SciPy sparse matrix of shape (n, m)
        Finite; kept as a read-only CSR array with sorted indices. Negative entries
        (scores below zero) are dislikes: they count as utility but not as approval.
    voter_group : array of int, shape (n,)
        Each voter's group index.
    votes : array of shape (m,)
        Approvals per project, or the sum of its points.
    kind : str
        How ballots became utilities, such as ``"approval-cost"``.
    scale : float, default 1
        Positive factor from ``utilities`` to the utilities the problem reports.
    names : tuple of str, optional
        The projects' ids as the data file writes them (``tie_break="name"`` orders
        projects by these, as pabutools does, even where the scenario's ids had to be
        rewritten).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> b = Ballots(sparse.csr_array([[2.0, 0.0], [2.0, 3.0]]), [0, 1], [2, 1], "approval-cost")
    >>> b.group_means(2).tolist()
    [[2.0, 0.0], [2.0, 3.0]]
    >>> b.approvals(np.array([False, True])).tolist()
    [False, True]
    >>> Ballots(sparse.csr_array([[np.nan]]), [0], [1], "approval-cost")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: Ballots: utilities must be finite.
    """

    utilities: sparse.csr_array
    voter_group: NDArray[np.int64]
    votes: FloatArray
    kind: str
    scale: float = 1.0
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from scipy import sparse  # deferred: SciPy only when there are ballots

        u = sparse.csr_array(self.utilities, dtype=float, copy=True)
        u.sum_duplicates()
        u.sort_indices()
        if not np.all(np.isfinite(u.data)):
            raise ParameterError("Ballots: utilities must be finite.")
        u.eliminate_zeros()
        for arr in (u.data, u.indices, u.indptr):
            arr.setflags(write=False)
        n, m = u.shape
        group = _frozen(self.voter_group, np.int64)
        votes = _frozen(self.votes, float)
        if group.shape != (n,) or votes.shape != (m,) or (n and group.min() < 0):
            raise ParameterError(
                f"Ballots: voter_group needs shape ({n},) of group indices and votes shape ({m},)."
            )
        if self.names and len(self.names) != m:
            raise ParameterError(f"Ballots: names needs {m} project ids; got {len(self.names)}.")
        object.__setattr__(self, "names", tuple(str(x) for x in self.names))
        if not (np.isfinite(self.scale) and self.scale > 0):
            raise ParameterError(f"Ballots: scale must be positive and finite; got {self.scale!r}.")
        object.__setattr__(self, "scale", float(self.scale))
        object.__setattr__(self, "utilities", u)
        object.__setattr__(self, "voter_group", group)
        object.__setattr__(self, "votes", votes)

    @property
    def n_voters(self) -> int:
        """Number of voters (rows)."""
        return int(self.utilities.shape[0])

    def voter_utilities(self, x: ArrayLike) -> FloatArray:
        """Each voter's (scaled) utility for package ``x`` (shape (n,)) or rows of packages
        (shape (P, n))."""
        arr = np.asarray(x, dtype=float)
        return np.asarray(self.utilities @ arr.T).T * self.scale

    def group_means(self, n_groups: int) -> FloatArray:
        """Mean (scaled) utility of each group's voters for each project, shape (G, m)."""
        from scipy import sparse

        counts = np.bincount(self.voter_group, minlength=n_groups).astype(float)
        member = sparse.csr_array(
            (np.ones(self.n_voters), (self.voter_group, np.arange(self.n_voters))),
            shape=(n_groups, self.n_voters),
        )
        sums = np.asarray((member @ self.utilities).todense()) * self.scale
        return sums / np.where(counts > 0, counts, 1.0)[:, None]

    @cached_property
    def approved(self) -> sparse.csr_array:
        """1 where a voter approved a project (a positive utility: listed, or given points)."""
        from scipy import sparse

        u = self.utilities
        data = (u.data > 0).astype(float)
        out = sparse.csr_array((data, u.indices.copy(), u.indptr.copy()), shape=u.shape)
        out.eliminate_zeros()
        return out

    def approvals(self, x: ArrayLike) -> NDArray[np.bool_]:
        """Whether each voter approved at least one project of package ``x``."""
        return np.asarray(self.approved @ np.asarray(x, dtype=float)) > 0

    @cached_property
    def unique(self) -> tuple[sparse.csr_array, NDArray[np.int64]]:
        """Distinct ballots (unscaled rows, in order of first appearance) and how many voters
        cast each."""
        from scipy import sparse

        u = self.utilities
        first: dict[bytes, int] = {}
        rows: list[int] = []
        counts: list[int] = []
        for i in range(self.n_voters):
            lo, hi = u.indptr[i], u.indptr[i + 1]
            key = u.indices[lo:hi].tobytes() + b"|" + u.data[lo:hi].tobytes()
            k = first.setdefault(key, len(rows))
            if k == len(rows):
                rows.append(i)
                counts.append(0)
            counts[k] += 1
        return sparse.csr_array(u[np.asarray(rows, dtype=np.int64)]), np.asarray(counts, np.int64)

    def digest(self) -> str:
        """A SHA-256 of the utilities, groups, votes and kind (identifies the ballots)."""
        h = hashlib.sha256(f"{self.kind}|{self.scale!r}|{self.names!r}".encode())
        for arr in (
            self.utilities.indptr.astype(np.int64),
            self.utilities.indices.astype(np.int64),
            self.utilities.data,
            self.voter_group,
            self.votes,
        ):
            h.update(np.ascontiguousarray(arr).tobytes())
        return h.hexdigest()
