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

__all__ = [
    "LORENZ_COLOURED",
    "confusion",
    "group_utilities",
    "lorenz",
    "new_figure",
    "rounds",
    "svo_circle",
    "svo_negotiations",
]


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

    The legend sits outside the axes, right of them, so it never covers a bar.

    Parameters
    ----------
    data : Comparison or DataFrame
        From :func:`plurisim.comparison.compare` or :func:`plurisim.metrics.evaluate`.
    outcomes : sequence of str, optional
        Rows to draw (all by default).
    title : str, optional
    """
    frame = _rows(_frame(data), outcomes)
    cols = [c for c in frame.columns if str(c).startswith("u:")]
    groups = [c[2:] for c in cols]
    n_out, n_g = len(frame), len(cols)
    fig = new_figure(min(14.0, max(7.0, 0.22 * n_out * max(1, n_g) + 3.5)), 4.4)
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
    ax.legend(title="group", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(title or "Utility of each group under each outcome")
    ax.grid(axis="y", alpha=0.3)
    return fig


#: Above this many outcomes, :func:`lorenz` colours a few and draws the rest in grey.
LORENZ_COLOURED = 5


def lorenz(
    data: Any,
    outcomes: Sequence[str] | None = None,
    *,
    highlight: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Lorenz curves of group utilities, one per outcome, with the line of equality.

    The further a curve sags below the diagonal, the more unequal the outcome;
    the Gini coefficient is twice the area between them. With many outcomes (more
    than :data:`LORENZ_COLOURED`) a few are coloured and the others drawn thin and
    grey, so that eleven or twelve outcomes stay readable; the legend sits outside
    the axes.

    Parameters
    ----------
    data : Comparison or DataFrame
        From :func:`plurisim.comparison.compare` or :func:`plurisim.metrics.evaluate`.
    outcomes : sequence of str, optional
        Rows to draw (all by default).
    highlight : sequence of str, optional
        Rows to colour. By default every row when there are few; otherwise the
        reference (best base design), any negotiated row, and the most and the least
        equal rows (lowest and highest Gini), at most :data:`LORENZ_COLOURED`.
    title : str, optional

    Examples
    --------
    >>> from plurisim import plots, scenarios
    >>> from plurisim.comparison import compare
    >>> c = compare(scenarios.load("montreal-streets"))
    >>> fig = plots.lorenz(c)
    >>> len(c.frame), len(fig.legends[0].get_texts()) <= plots.LORENZ_COLOURED + 2
    (16, True)
    >>> plots.lorenz(c, highlight=["no such outcome"])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: lorenz: 'no such outcome' is not among the outcomes drawn (Accessibility first, Green street, ...).
    """
    frame = _rows(_frame(data), outcomes)
    cols = [c for c in frame.columns if str(c).startswith("u:")]
    names = [str(i) for i in frame.index]
    if highlight is None:
        chosen = names if len(names) <= LORENZ_COLOURED else _notable(frame, data)
    else:
        chosen = list(dict.fromkeys(str(h) for h in highlight))
        for h in chosen:
            if h not in names:
                listed = ", ".join(names[:2]) + (", ..." if len(names) > 2 else "")
                raise ParameterError(f"lorenz: {h!r} is not among the outcomes drawn ({listed}).")
    fig = new_figure(8.0, 5.0)
    ax = fig.axes[0]
    ax.plot([0, 1], [0, 1], color="black", linewidth=1, linestyle="--", label="equality")
    utilities = frame[cols].to_numpy(float)
    curves: dict[str, np.ndarray] = {}
    for name, row in zip(names, utilities, strict=True):
        u = np.sort(row)
        if np.any(u < 0) or u.sum() <= 0:
            continue  # a Lorenz curve needs non-negative utilities with a positive sum
        curves[name] = np.concatenate([[0.0], np.cumsum(u) / u.sum()])
    pop = np.linspace(0, 1, len(cols) + 1)
    grey = [n for n in curves if n not in chosen]
    for k, name in enumerate(grey):
        label = f"other outcomes ({len(grey)})" if k == 0 else None
        ax.plot(pop, curves[name], color="0.75", linewidth=0.9, zorder=1, label=label)
    ginis = frame["gini"].to_numpy(float) if "gini" in frame else np.full(len(names), np.nan)
    shown = [n for n in chosen if n in curves]
    for k, name in enumerate(shown):
        gini = float(ginis[names.index(name)])
        label = f"{name} (Gini {gini:.3f})" if np.isfinite(gini) else name
        ax.plot(
            pop,
            curves[name],
            color=f"C{k % 10}",
            marker="o",
            markersize=3,
            linewidth=1.8,
            zorder=3 + len(shown) - k,  # the first named on top where curves coincide
            label=label,
        )
    ax.set_xlabel("share of groups (poorest first)")
    ax.set_ylabel("share of total utility")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    fig.legend(fontsize="small", loc="outside right upper")
    ax.set_title(title or "Lorenz curves of group utilities")
    ax.grid(alpha=0.3)
    return fig


def _rows(frame: pd.DataFrame, outcomes: Sequence[str] | None) -> pd.DataFrame:
    if outcomes is None:
        return frame
    missing = [o for o in outcomes if o not in frame.index]
    if missing:
        raise ParameterError(
            f"No outcome named {missing[0]!r}; the outcomes are: {', '.join(map(str, frame.index))}."
        )
    return frame.loc[list(outcomes)]


def _notable(frame: pd.DataFrame, data: Any) -> list[str]:
    """The rows worth colouring among many: reference, negotiated, most and least equal."""
    names: list[str] = []
    reference = getattr(data, "reference", None) or frame.attrs.get("reference")
    if reference is not None and str(reference) in frame.index:
        names.append(str(reference))
    if "kind" in frame:
        names += [str(n) for n in frame.index[frame["kind"] == "negotiated"]]
    if "gini" in frame:
        gini = frame["gini"].astype(float)
        names += [str(gini.idxmin()), str(gini.idxmax())]
    if "worst_group_utility" in frame:
        names.append(str(frame["worst_group_utility"].astype(float).idxmax()))
    return list(dict.fromkeys(names))[:LORENZ_COLOURED]


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


def svo_circle(results: pd.DataFrame, *, title: str | None = None) -> Figure:
    """The SVO circle: category wedges, each target's angle and the angles measured.

    Parameters
    ----------
    results : DataFrame
        From :func:`plurisim.svo.run_experiment`.
    """
    from plurisim.svo import CATEGORIES

    fig = Figure(figsize=(8.5, 6.0), layout="constrained")
    ax: Any = fig.add_subplot(projection="polar")
    shades = {
        "altruistic": "#d9f0d3",
        "prosocial": "#c6dbef",
        "individualistic": "#fff3b0",
        "competitive": "#f4c7c3",
    }
    for name, (lo, hi) in CATEGORIES.items():
        ax.bar(
            np.radians((lo + hi) / 2),
            1.0,
            width=np.radians(hi - lo),
            color=shades[name],
            alpha=0.6,
            edgecolor="white",
            label=name,
        )
    targets = results.drop_duplicates("target")
    colors = {}
    for k, (_, row) in enumerate(targets.iterrows()):
        color = f"C{k % 10}"
        colors[row["target"]] = color
        ax.plot([np.radians(row["target_angle"])] * 2, [0, 1.0], color=color, linewidth=2)
    rng = np.random.default_rng(0)  # radial jitter only, to separate overlapping points
    valid = results.dropna(subset=["measured_angle"])
    radius = 0.55 + 0.35 * rng.random(len(valid))
    ax.scatter(
        np.radians(valid["measured_angle"].to_numpy(float)),
        radius,
        c=[colors[t] for t in valid["target"]],
        s=18,
        alpha=0.8,
        edgecolors="none",
    )
    for t, c in colors.items():
        ax.plot([], [], color=c, marker="o", linestyle="-", label=f"target {t}")
    ax.set_thetamin(-90)
    ax.set_thetamax(90)
    ax.set_rticks([])
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.02, 0.5))
    ax.set_title(title or "SVO circle: targets (lines) and measured angles (points)")
    return fig


def confusion(matrix: pd.DataFrame, *, title: str | None = None) -> Figure:
    """A confusion matrix of target category (rows) against measured (columns)."""
    fig = new_figure(5.5, 4.5)
    ax = fig.axes[0]
    values = matrix.to_numpy(float)
    image = ax.imshow(values, cmap="Blues")
    ax.set_xticks(range(values.shape[1]), list(matrix.columns), rotation=30, ha="right")
    ax.set_yticks(range(values.shape[0]), list(matrix.index))
    ax.set_xlabel("measured category")
    ax.set_ylabel("target category")
    top = values.max() if values.size else 1.0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            ax.text(
                j,
                i,
                f"{int(values[i, j])}",
                ha="center",
                va="center",
                color="white" if values[i, j] > top / 2 else "black",
            )
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(title or "Target against measured SVO category")
    return fig


def svo_negotiations(study: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Agreement rate, rounds, worst-group utility and Gini by SVO mix (and scenario)."""
    metrics = [
        ("agreement", "agreement rate"),
        ("rounds", "rounds"),
        ("worst_group_utility", "worst-group utility"),
        ("gini", "Gini"),
    ]
    fig = Figure(figsize=(10, 6.5), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    mixes = list(dict.fromkeys(study["mix"]))
    scen = list(dict.fromkeys(study["scenario"]))
    width = 0.8 / max(len(scen), 1)
    x = np.arange(len(mixes))
    for ax, (col, label) in zip(axes, metrics, strict=True):
        for k, name in enumerate(scen):
            sub = study[study["scenario"] == name].groupby("mix", sort=False)[col]
            mean = sub.mean().reindex(mixes).to_numpy(float)
            err = sub.sem().reindex(mixes).fillna(0).to_numpy(float)
            ax.bar(
                x + (k - (len(scen) - 1) / 2) * width, mean, width, yerr=err, capsize=3, label=name
            )
        ax.set_xticks(x, mixes, rotation=15)
        ax.set_title(label)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize="x-small")
    fig.suptitle(
        title or "Negotiation outcomes by the population's SVO mix (mean and standard error)"
    )
    return fig


def value_radar(vectors: Any, space: Any = None, *, title: str | None = None) -> Figure:
    """Value vectors on a radar: one polygon per holder, dimensions around the circle.

    Parameters
    ----------
    vectors : mapping of str to array-like
        A label and a vector over ``space``'s dimensions for each holder.
    space : ValueSpace, optional
        Gives the dimension labels and, for a circumplex, their order (default:
        Schwartz's ten values).
    """
    from plurisim.values import SCHWARTZ10

    sp = space or SCHWARTZ10
    items = dict(vectors)
    if not items:
        raise ParameterError("value_radar needs at least one vector.")
    n = sp.n_dims
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    fig = Figure(figsize=(6.5, 6.0), layout="constrained")
    ax: Any = fig.add_subplot(projection="polar")
    top = 0.0
    for k, (label, vec) in enumerate(items.items()):
        v = np.asarray(vec, dtype=float)
        if v.shape != (n,):
            raise ParameterError(
                f"The vector of {label!r} needs {n} values, one per dimension of {sp.name!r}."
            )
        closed = np.concatenate([v, v[:1]])
        ax.plot(np.concatenate([angles, angles[:1]]), closed, color=f"C{k % 10}", label=str(label))
        ax.fill(np.concatenate([angles, angles[:1]]), closed, color=f"C{k % 10}", alpha=0.15)
        top = max(top, float(v.max()))
    ax.set_xticks(angles, list(sp.labels), fontsize="small")
    ax.set_ylim(0, top * 1.1 if top > 0 else 1.0)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.05, 1.0))
    ax.set_title(title or f"Value profiles ({sp.name})")
    return fig


def deliberation(data: Any, *, title: str | None = None) -> Figure:
    """Information gap and value conflict per round, each relative to round 1."""
    table = getattr(data, "rounds_table", data)
    if not isinstance(table, pd.DataFrame) or "information_gap" not in table:
        raise ParameterError(
            "Expected a NegotiationResult (run with deliberation) or its rounds_table."
        )
    fig = new_figure(7.0, 4.0)
    ax = fig.axes[0]
    x = table["round"].to_numpy()
    for col, label in (
        ("information_gap", "information gap (beliefs)"),
        ("value_conflict", "value conflict (values)"),
    ):
        y = table[col].to_numpy(float)
        base = y[0] if y[0] != 0 else 1.0
        ax.plot(x, y / base, marker="o", markersize=3, label=label)
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    ax.set_ylim(0, 1.1)
    ax.set_xlabel("round")
    ax.set_ylabel("relative to round 1")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
    ax.grid(alpha=0.3)
    ax.set_title(title or "Deliberation narrows information gaps, not value conflicts")
    return fig


def pareto(
    problem: Any,
    outcomes: Sequence[Any] = (),
    *,
    groups: tuple[int, int] = (0, 1),
    title: str | None = None,
) -> Figure:
    """Every feasible package in the utility space of two groups, the Pareto frontier, and outcomes.

    Parameters
    ----------
    problem : Problem
        Its feasible packages must be few enough to enumerate.
    outcomes : sequence of Outcome
        Marked and labelled on the plot.
    groups : (int, int)
        The two groups on the axes.
    """
    from plurisim.metrics import pareto_front
    from plurisim.packages import space_of

    space = space_of(problem)
    if space is None:
        raise ParameterError("The problem has too many packages to draw; use a smaller one.")
    a, b = groups
    u = space.utilities[:, [a, b]]
    front = u[pareto_front(u)]
    front = front[np.argsort(front[:, 0])]
    fig = new_figure(6.5, 5.0)
    ax = fig.axes[0]
    ax.scatter(u[:, 0], u[:, 1], s=12, color="lightgray", label="feasible packages")
    ax.plot(
        front[:, 0], front[:, 1], color="black", marker="o", markersize=4, label="Pareto frontier"
    )
    for k, outcome in enumerate(outcomes):
        v = problem.group_utilities(outcome.mask(problem))
        ax.scatter(
            [v[a]], [v[b]], s=90, marker="*", color=f"C{k % 10}", zorder=3, label=outcome.name
        )
    labels = problem.group_labels
    ax.set_xlabel(f"utility of {labels[a]}")
    ax.set_ylabel(f"utility of {labels[b]}")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    ax.set_title(title or "What each rule picks from the possible packages")
    return fig
