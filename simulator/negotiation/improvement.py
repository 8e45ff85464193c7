"""The improvement phase: after agreement, Pareto improvements proposed and voted on.

The mediator looks for a package its estimates predict every group to like at least
as much as the agreement and the groups together to like more: it maximizes the
believed total ``sum_g u_hat_g(y)`` subject to ``u_hat_g(y) >= u_hat_g(x*)`` for every
group. Every stakeholder judges it by its true utility (it accepts if it is at
least as well off); it is adopted only if every stakeholder accepts. A rejection
teaches the estimator and the mediator tries its next best candidate, up to
``improvements`` proposals. With public information the first candidate is the
exact optimum of that program, so the result is never Pareto-dominated.

The phase is reported apart from the bargaining rounds (``improvements`` in the
result).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import InfeasibleError
from plurisim.negotiation.messages import Improvement

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation

__all__ = ["improve"]

BoolArray = NDArray[np.bool_]
GAIN_TOL = 1e-9


def improve(model: Negotiation, agreed: BoolArray) -> tuple[BoolArray, list[Improvement]]:
    """Run the improvement phase from ``agreed``; return the final package and the proposals."""
    view, search, p = model.view, model.search, model.problem
    x = agreed.copy()
    tried: list[BoolArray] = []
    out: list[Improvement] = []
    for _ in range(model.params.improvements):
        weights = view.group_weights()
        floors = view.utilities(x, weights)
        try:
            y = search.best(weights, floors=floors, floor_weights=weights, exclude=[x, *tried])
        except InfeasibleError:
            break
        gain = float(view.utilities(y, weights).sum() - floors.sum())
        if gain <= GAIN_TOL * max(1.0, abs(float(floors.sum()))):
            break
        accept = model.stakeholder_policy.judge(model, x, y)
        rejecting = np.zeros(p.n_groups, dtype=bool)
        rejecting[view.unit_group[~accept]] = True
        accepting = tuple(gid for g, gid in enumerate(p.groups) if not rejecting[g])
        adopted = bool(accept.all())
        out.append(Improvement(y.copy(), accepting, adopted, gain))
        lv_x, lv_y = p.levels(x), p.levels(y)
        for g in range(p.n_groups):
            members = view.unit_group == g
            if not members.any():
                continue
            yes = float(accept[members].sum())
            no = float(members.sum() - yes)
            if yes:
                view.estimator.add(g, lv_y[g] - lv_x[g], yes)
            if no:
                view.estimator.add(g, lv_x[g] - lv_y[g], no)
        if adopted:
            x, tried = y, []
        else:
            tried.append(y)
    return x, out
