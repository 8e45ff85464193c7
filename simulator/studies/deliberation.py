"""The ``deliberation`` study: what discussion narrows, mapped over stubbornness and homophily.

Individuals of montreal-streets deliberate between rounds on a stochastic block
model: beliefs about the interventions' effects are averaged with neighbours'
(DeGroot), values move too, anchored by stubbornness (Friedkin-Johnsen). The study
reports how much the information gap and the value conflict fall over the rounds,
for every cell of a grid of stubbornness and homophily (the expected number of
neighbours outside one's group; 8 inside), instead of one default point: whether
"discussion narrows information gaps, not value conflicts" holds depends on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from plurisim.api import negotiate
from plurisim.errors import ParameterError
from plurisim.progress import track
from plurisim.scenarios import load
from plurisim.studies.base import Study

__all__ = ["figure", "run"]

STUBBORNNESS = (0.0, 0.3, 0.6, 0.9)
DEGREE_OUT = (0.5, 2.0, 8.0)  # with 8 neighbours inside: strong homophily to none
SEEDS = 5
ROUNDS = 12
DEFAULT = (0.6, 0.5)  # the model's stubbornness and neighbours outside one's group


def _cell(stubbornness: float, degree_out: float) -> tuple[float, float]:
    """Mean relative change (%) of the information gap and of the value conflict."""
    scenario = load("montreal-streets")
    gaps, conflicts = [], []
    for seed in range(SEEDS):
        r = negotiate(
            scenario,
            seed=seed,
            stakeholders="individuals",
            deliberation={"stubbornness": stubbornness, "degree_in": 8.0, "degree_out": degree_out},
            rounds=ROUNDS,
            aspiration_floor=0.99,  # no agreement: every round deliberates
        )
        t = r.rounds_table
        gap, conflict = t["information_gap"].to_numpy(), t["value_conflict"].to_numpy()
        gaps.append(100 * (gap[-1] - gap[0]) / gap[0])
        conflicts.append(100 * (conflict[-1] - conflict[0]) / conflict[0])
    return float(np.mean(gaps)), float(np.mean(conflicts))


def figure(cells: Mapping[tuple[float, float], tuple[float, float]]) -> Any:
    """Heat maps of the two changes over the stubbornness x homophily grid.

    Parameters
    ----------
    cells : mapping
        ``(stubbornness, neighbours outside) -> (information gap change %, value
        conflict change %)``, one entry for every cell of a rectangular grid.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels with the cells annotated as the study's tables print them, on one
        diverging colour scale centred on 0 (blue: the quantity narrows); the model's
        default cell (stubbornness 0.6, 0.5 outside) is outlined when on the grid.

    Examples
    --------
    >>> fig = figure({(0.0, 0.5): (-76.0, -39.0), (0.0, 8.0): (-86.0, -100.0)})
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['Information gap', 'Value conflict']
    >>> figure({(0.0, 0.5): (-76.0, -39.0), (0.3, 8.0): (-86.0, -55.0)})
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The deliberation grid misses the cell(s) (0, 8), (0.3, 0.5): every stubbornness needs every number of neighbours outside.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    stub = sorted({s for s, _ in cells})
    outside = sorted({o for _, o in cells})
    missing = [(s, o) for s in stub for o in outside if (s, o) not in cells]
    if missing:
        raise ParameterError(
            "The deliberation grid misses the cell(s) "
            + ", ".join(f"({s:g}, {o:g})" for s, o in missing)
            + ": every stubbornness needs every number of neighbours outside."
        )
    values = np.array([[[cells[(s, o)][k] for o in outside] for s in stub] for k in (0, 1)])
    limit = max(100.0, float(np.abs(values).max()))
    fig = Figure(figsize=(10.0, 4.6))
    *axes, bar = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 0.06]})
    for ax, grid, name in zip(axes, values, ("Information gap", "Value conflict"), strict=True):
        ax.imshow(grid, cmap="RdBu_r", vmin=-limit, vmax=limit, origin="lower", aspect="auto")
        for i in range(len(stub)):
            for j in range(len(outside)):
                strong = abs(grid[i, j]) > 0.6 * limit
                ax.text(
                    j,
                    i,
                    f"{grid[i, j]:+.0f}%",
                    ha="center",
                    va="center",
                    color="white" if strong else "black",
                    fontsize=10,
                )
        if DEFAULT in cells:
            i, j = stub.index(DEFAULT[0]), outside.index(DEFAULT[1])
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", lw=2.5))
        ax.set_xticks(range(len(outside)), [f"{o:g}" for o in outside])
        ax.set_yticks(range(len(stub)), [f"{s:g}" for s in stub])
        ax.set_xlabel("neighbours outside one's group (8 inside)")
        ax.set_ylabel("stubbornness")
        ax.set_title(name)
    fig.colorbar(axes[0].images[0], cax=bar, label="change over the rounds (%; blue: narrows)")
    fig.suptitle(
        f"What deliberation narrows on montreal-streets: change over {ROUNDS} rounds, "
        f"means over seeds 0-{SEEDS - 1}\n(60 individuals; outlined: the model's defaults, "
        f"stubbornness {DEFAULT[0]:g}, {DEFAULT[1]:g} outside)"
    )
    fig.tight_layout()
    return fig


def run() -> Study:
    """Run the study (about half a minute)."""
    grid_cells = [(s, o) for s in STUBBORNNESS for o in DEGREE_OUT]
    cells = {(s, o): _cell(s, o) for s, o in track(grid_cells, desc="deliberation grid")}
    columns = [f"{o:g} outside" for o in DEGREE_OUT]

    def grid(k: int) -> pd.DataFrame:
        rows = [
            {
                "stubbornness": f"{s:g}",
                **{
                    c: f"{cells[(s, o)][k]:+.0f}%" for c, o in zip(columns, DEGREE_OUT, strict=True)
                },
            }
            for s in STUBBORNNESS
        ]
        return pd.DataFrame(rows)

    gap, conflict = grid(0), grid(1)
    default = cells[DEFAULT]
    notes = (
        f"At the model's defaults (stubbornness 0.6, 0.5 neighbours outside one's group) "
        f"the information gap changes by {default[0]:+.0f}% and the value conflict by "
        f"{default[1]:+.0f}%; with no stubbornness and no homophily the value conflict "
        f"changes by {cells[(0.0, 8.0)][1]:+.0f}%. Stubbornness does not touch beliefs, "
        "so the first table's rows are equal. Beliefs converge everywhere on the grid; values converge "
        "only as far as stubbornness and homophily let them: the claim is a property of "
        "these two parameters, not a finding about discussion as such.",
    )
    return Study(
        name="deliberation",
        title="What deliberation narrows",
        settings={
            "scenario": "montreal-streets, 60 individuals as stakeholders",
            "graph": "stochastic block model, 8 expected neighbours inside one's group",
            "rounds": f"{ROUNDS} (aspiration floor 0.99, so every round deliberates)",
            "belief noise": "0.5",
            "seeds": f"0-{SEEDS - 1}, means shown",
        },
        tables=(
            (
                "Change of the information gap over the rounds (%), by stubbornness and "
                "neighbours outside one's group",
                gap,
            ),
            ("Change of the value conflict over the rounds (%)", conflict),
        ),
        notes=notes,
        figures={"deliberation_map": lambda: figure(cells)},
    )
