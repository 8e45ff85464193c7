"""Figures: every function returns a matplotlib Figure and never calls ``plt.show()``.

Notebooks display the returned figure; the command line saves it. Figures are built
without pyplot, so nothing global changes and no window opens.

Examples
--------
>>> from plurisim import scenarios
>>> from plurisim.comparison import compare
>>> from plurisim import plots
>>> c = compare(scenarios.load("toy-park"), mechanisms=["utilitarian", "maximin"])
>>> fig = plots.group_utilities(c)
>>> len(fig.axes[0].patches) > 0
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from plurisim.errors import ParameterError

__all__ = ["group_utilities", "lorenz", "new_figure", "rounds"]


def new_figure(width: float = 7.0, height: float = 4.0) -> Figure:
    """A Figure with one Axes, not attached to pyplot."""
    fig = Figure(figsize=(width, height), layout="constrained")
    fig.add_subplot()
    return fig


def _frame(data: Any) -> pd.DataFrame:
    frame = getattr(data, "frame", data)
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError("Expected a Comparison or the DataFrame of plurisim.metrics.evaluate.")
    if not [c for c in frame.columns if str(c).startswith("u:")]:
        raise ParameterError("The table has no group-utility columns ('u:<group>').")
    return frame


def group_utilities(
    data: Any, outcomes: Sequence[str] | None = None, *, title: str | None = None
) -> Figure:
    """Grouped bars: each group's utility under each outcome.

    Parameters
    ----------
    data : Comparison or DataFrame
        From :func:`plurisim.comparison.compare` or :func:`plurisim.metrics.evaluate`.
    outcomes : sequence of str, optional
        Rows to draw (all by default).
    title : str, optional
    """
    frame = _frame(data)
    if outcomes is not None:
        frame = frame.loc[list(outcomes)]
    cols = [c for c in frame.columns if str(c).startswith("u:")]
    groups = [c[2:] for c in cols]
    n_out, n_g = len(frame), len(cols)
    fig = new_figure(max(7.0, 0.5 * n_out * max(1, n_g) / 2 + 3), 4.2)
    ax = fig.axes[0]
    width = 0.8 / max(n_g, 1)
    x = np.arange(n_out)
    for k, (col, name) in enumerate(zip(cols, groups, strict=True)):
        ax.bar(x + (k - (n_g - 1) / 2) * width, frame[col].to_numpy(float), width, label=name)
    ax.set_xticks(x, [str(i) for i in frame.index], rotation=30, ha="right")
    ax.set_ylabel("utility (rating units)")
    lo = float(frame[cols].to_numpy(float).min())
    hi = float(frame[cols].to_numpy(float).max())
    ax.set_ylim(max(0.0, lo - 0.3 * (hi - lo + 1e-9)), hi + 0.1 * (hi - lo + 1e-9))
    ax.legend(title="group", fontsize="small", ncols=min(n_g, 3))
    ax.set_title(title or "Utility of each group under each outcome")
    ax.grid(axis="y", alpha=0.3)
    return fig


def lorenz(data: Any, outcomes: Sequence[str] | None = None, *, title: str | None = None) -> Figure:
    """Lorenz curves of group utilities, one per outcome, with the line of equality.

    The further a curve sags below the diagonal, the more unequal the outcome;
    the Gini coefficient is twice the area between them.
    """
    frame = _frame(data)
    if outcomes is not None:
        frame = frame.loc[list(outcomes)]
    cols = [c for c in frame.columns if str(c).startswith("u:")]
    fig = new_figure(5.5, 5.0)
    ax = fig.axes[0]
    ax.plot([0, 1], [0, 1], color="black", linewidth=1, linestyle="--", label="equality")
    for name, row in frame.iterrows():
        u = np.sort(row[cols].to_numpy(float))
        if np.any(u < 0) or u.sum() <= 0:
            continue
        share = np.concatenate([[0.0], np.cumsum(u) / u.sum()])
        pop = np.linspace(0, 1, u.size + 1)
        gini = row.get("gini", np.nan)
        label = f"{name} (Gini {gini:.3f})" if np.isfinite(gini) else str(name)
        ax.plot(pop, share, marker="o", markersize=3, label=label)
    ax.set_xlabel("share of groups (poorest first)")
    ax.set_ylabel("share of total utility")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.legend(fontsize="x-small", loc="upper left")
    ax.set_title(title or "Lorenz curves of group utilities")
    ax.grid(alpha=0.3)
    return fig


def rounds(data: Any, *, title: str | None = None) -> Figure:
    """Each group's utility per round of a negotiation, with the acceptance share.

    Parameters
    ----------
    data : NegotiationResult or DataFrame
        A result of :func:`plurisim.negotiate`, or its ``rounds_table``.
    """
    table = getattr(data, "rounds_table", data)
    if not isinstance(table, pd.DataFrame) or "round" not in table:
        raise ParameterError("Expected a NegotiationResult or its rounds_table.")
    labels = dict(getattr(data, "group_labels", {}))
    cols = [c for c in table.columns if str(c).startswith("u:")]
    fig = Figure(figsize=(8.5, 5.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    x = table["round"].to_numpy()
    for col in cols:
        gid = col[2:]
        top.plot(
            x, table[col].to_numpy(float), marker="o", markersize=3, label=labels.get(gid, gid)
        )
    top.set_ylabel("utility of the proposal")
    top.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    top.grid(alpha=0.3)
    top.set_title(title or "Each group's utility, round by round")
    bottom.step(x, table["acceptance_share"].to_numpy(float), where="mid", color="black")
    bottom.set_ylim(-0.05, 1.05)
    bottom.set_ylabel("accepting")
    bottom.set_xlabel("round")
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
    bottom.grid(alpha=0.3)
    return fig
