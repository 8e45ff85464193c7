"""Fairness across real voters: the measures the evaluator adds on ballot problems.

For a problem compiled from ballots (``Problem.ballots``, a Pabulib election) and a
package ``x``:

``voters_with_funded_approval``
    The share of all voters (empty ballots included) for whom at least one funded
    project is one they approved (gave a positive utility: listed it on an approval
    ballot or a ranking, or gave it points).
``gini_voters``
    The Gini coefficient over the voters' utilities (their ballot utilities of ``x``).
``spend_share:<group>``
    For each group: the mean, over the group's voters, of the share of the money
    spent on ``x`` that went to projects the voter approved. 1 means every funded
    project was approved by every member; it is ``nan`` when nothing costly is funded.

The worst group's mean voter utility is the evaluator's ``worst_group_utility``: on a
ballot problem a group's utility is its voters' mean.

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> from plurisim.ballot_metrics import ballot_metrics
>>> from plurisim.ballots import Ballots
>>> b = Ballots(sparse.csr_array([[4.0, 0.0], [0.0, 6.0], [0.0, 0.0]]), [0, 0, 1], [1, 1],
...             "approval-cost")
>>> m = ballot_metrics(b, [4.0, 6.0], ["young", "old"], np.array([True, True]))
>>> m["voters_with_funded_approval"], m["spend_share:young"], m["spend_share:old"]
(0.6666666666666666, 0.5, 0.0)
>>> ballot_metrics(b, [4.0, 6.0], ["young"], np.array([True, True]))
Traceback (most recent call last):
...
plurisim.errors.ParameterError: ballot_metrics needs one group id per group of the ballots (2); got 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from plurisim.ballots import Ballots
from plurisim.errors import ParameterError
from plurisim.metrics import gini

__all__ = ["BALLOT_METRIC_KEYS", "ballot_metrics"]

BALLOT_METRIC_KEYS = ("voters_with_funded_approval", "gini_voters")
"""The single-number measures (the per-group ``spend_share:<group>`` columns aside)."""


def ballot_metrics(
    ballots: Ballots, costs: ArrayLike, groups: Sequence[str], x: ArrayLike
) -> dict[str, float]:
    """The voter-level measures of package ``x`` (see the module docstring).

    Parameters
    ----------
    ballots : Ballots
    costs : array of shape (m,)
    groups : sequence of str
        The group ids, in the order ``ballots.voter_group`` indexes them.
    x : array of bool, shape (m,)

    Returns
    -------
    dict
        ``voters_with_funded_approval``, ``gini_voters`` and ``spend_share:<group>``.
    """
    g_n = int(ballots.voter_group.max(initial=-1)) + 1
    if len(groups) != g_n:
        raise ParameterError(
            f"ballot_metrics needs one group id per group of the ballots ({g_n}); "
            f"got {len(groups)}."
        )
    mask = np.asarray(x, dtype=bool)
    c = np.asarray(costs, dtype=float)
    listed = ballots.approved
    spent = np.where(mask, c, 0.0)
    total = float(spent.sum())
    approved_spend = np.asarray(listed @ spent)
    n = ballots.n_voters
    out: dict[str, float] = {
        "voters_with_funded_approval": float(ballots.approvals(mask).sum() / n) if n else np.nan,
        "gini_voters": gini(ballots.voter_utilities(mask)),
    }
    counts = np.bincount(ballots.voter_group, minlength=g_n)
    if total > 0:
        sums = np.bincount(ballots.voter_group, weights=approved_spend / total, minlength=g_n)
        shares = sums / np.where(counts > 0, counts, 1)
    else:
        shares = np.full(g_n, np.nan)
    for gid, share in zip(groups, shares, strict=True):
        out[f"spend_share:{gid}"] = float(share)
    return out
