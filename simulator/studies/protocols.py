"""The ``protocols`` study: three protocols, private and public information, three sets.

Every protocol under private and under public information on montreal-streets,
community-budget and 30 polarized generated scenarios: how often it agrees, how
fast, what it reaches (total, worst group, Gini), how far from the Nash point, how
often its result is Pareto-dominated, and how much it leaves on the table against
maximin (worst group) and the utilitarian rule (total). A second table shows how
the agreement rate moves with the disagreement point and the aspiration floor, the
two settings that decide it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from plurisim.api import negotiate
from plurisim.errors import ParameterError
from plurisim.mechanisms import disagreement_point, maximin, nash, utilitarian
from plurisim.negotiation.params import PROTOCOLS
from plurisim.problem import Problem
from plurisim.progress import track
from plurisim.scenario import Scenario, compile_scenario
from plurisim.scenarios import generate, load
from plurisim.studies.base import Study

__all__ = ["POLARIZED", "figure", "run"]

POLARIZED: dict[str, Any] = {
    "n_groups": 6,
    "n_interventions": 12,
    "n_criteria": 4,
    "polarization": 0.8,
}
N_POLARIZED = 30
SEEDS = 5


def scenario_sets() -> Iterator[tuple[str, list[tuple[Scenario, int]]]]:
    """The three sets: (name, [(scenario, negotiation seed), ...])."""
    yield "montreal-streets", [(load("montreal-streets"), s) for s in range(SEEDS)]
    yield "community-budget", [(load("community-budget"), s) for s in range(SEEDS)]
    yield (
        f"{N_POLARIZED} polarized",
        [(generate(**POLARIZED, budget_share=0.3, seed=k), k) for k in range(N_POLARIZED)],
    )


class _Rules:
    """The rules each outcome is measured against, computed once per scenario."""

    def __init__(self, problem: Problem, disagreement: str) -> None:
        self.problem = problem
        self.maximin = problem.group_utilities(maximin(problem).mask(problem))
        self.utilitarian = problem.group_utilities(utilitarian(problem).mask(problem))
        self.nash = problem.group_utilities(nash(problem, disagreement=disagreement).mask(problem))
        self.same_m_u = bool(np.allclose(self.maximin, self.utilitarian))


def _row(rules: _Rules, result: Any) -> dict[str, float]:
    p = rules.problem
    u = p.group_utilities(p.mask(list(result.package)))
    return {
        "agreement": float(result.agreement),
        "rounds": float(result.rounds),
        "total": float(u.sum()),
        "worst": float(u.min()),
        "gini": float(result.metrics["gini"]),
        "dist_nash": float(np.linalg.norm(u - rules.nash)),
        "dominated": float(bool(result.pareto_dominated)),
        "gap_maximin": float(rules.maximin.min() - u.min()),
        "gap_utilitarian": float(rules.utilitarian.sum() - u.sum()),
    }


def _main_table() -> tuple[pd.DataFrame, list[str]]:
    rows, notes = [], []
    for set_name, cases in scenario_sets():
        problems = [compile_scenario(s) for s, _ in cases]
        rules = [_Rules(p, "best-base-design") for p in problems]
        distinct = {p.name: (r, p) for r, p in zip(rules, problems, strict=True)}
        same = sum(r.same_m_u for r, _ in distinct.values())
        share = np.mean([_rational_share(p, "best-base-design") for _, p in distinct.values()])
        where = f"{same} of {len(distinct)}" if len(distinct) > 1 else "the"
        notes.append(
            f"On {set_name}: maximin and the utilitarian rule reach the same group "
            f"utilities in {where} scenario{'s' if len(distinct) > 1 else ''}; "
            f"{share:.1%} of the feasible packages leave no group worse off than the best "
            "base design."
        )
        for protocol in PROTOCOLS:
            for information in ("private", "public"):
                cells = track(
                    list(zip(cases, rules, strict=True)),
                    desc=f"{set_name}, {protocol}, {information}",
                )
                runs = [
                    _row(r, negotiate(s, seed=seed, protocol=protocol, information=information))
                    for (s, seed), r in cells
                ]
                mean = pd.DataFrame(runs).mean()
                rows.append(
                    {
                        "scenarios": set_name,
                        "protocol": protocol,
                        "information": information,
                        "agreement rate": mean["agreement"],
                        "rounds": mean["rounds"],
                        "total": mean["total"],
                        "worst group": mean["worst"],
                        "Gini": mean["gini"],
                        "distance to Nash": mean["dist_nash"],
                        "Pareto-dominated": mean["dominated"],
                        "gap to maximin": mean["gap_maximin"],
                        "gap to utilitarian": mean["gap_utilitarian"],
                    }
                )
    return pd.DataFrame(rows), notes


def _sensitivity_table() -> pd.DataFrame:
    cases = [(generate(**POLARIZED, budget_share=0.3, seed=k), k) for k in range(N_POLARIZED)]
    problems = [compile_scenario(s) for s, _ in cases]
    rows = []
    for disagreement in ("best-base-design", "status-quo"):
        n_rational = np.mean(
            [_rational_share(p, disagreement) for p in problems],
        )
        for floor in (0.0, 0.5):
            for protocol in PROTOCOLS:
                runs = [
                    negotiate(
                        s,
                        seed=seed,
                        protocol=protocol,
                        disagreement=disagreement,
                        aspiration_floor=floor,
                    )
                    for s, seed in track(cases, desc=f"{disagreement}, floor {floor:g}, {protocol}")
                ]
                totals = [r.metrics["total_utility"] for r in runs]
                worst = [r.metrics["worst_group_utility"] for r in runs]
                rows.append(
                    {
                        "disagreement": disagreement,
                        "packages no group loses from": n_rational,
                        "aspiration floor": floor,
                        "protocol": protocol,
                        "agreement rate": float(np.mean([r.agreement for r in runs])),
                        "rounds": float(np.mean([r.rounds for r in runs])),
                        "total": float(np.mean(totals)),
                        "worst group": float(np.mean(worst)),
                    }
                )
    return pd.DataFrame(rows)


def _rational_share(problem: Problem, disagreement: str) -> float:
    """Share of feasible packages that leave every group at least as well off as ``d``."""
    from plurisim.packages import space_of

    space = space_of(problem)
    assert space is not None
    d = disagreement_point(problem, disagreement).utilities
    return float(np.all(space.utilities >= d - 1e-9, axis=1).mean())


def figure(main: pd.DataFrame) -> Any:
    """Agreement rate and gap to maximin of each protocol, per scenario set (grouped bars).

    Parameters
    ----------
    main : DataFrame
        The study's first table: one row per scenario set, protocol and information,
        with ``agreement rate``, ``worst group`` and ``gap to maximin`` (means).

    Returns
    -------
    matplotlib.figure.Figure
        One column of panels per scenario set: the agreement rate above, the worst
        group's shortfall against maximin below (0: the worst group gets what maximin
        gives it), private and public information side by side for each protocol.

    Examples
    --------
    >>> rows = pd.DataFrame(
    ...     {"scenarios": "toy", "protocol": ["mediated", "mediated"],
    ...      "information": ["private", "public"], "agreement rate": [1.0, 0.5],
    ...      "worst group": [2.0, 1.5], "gap to maximin": [0.0, 0.5]})
    >>> [ax.get_title() for ax in figure(rows).axes]
    ['toy: agreement rate', "toy: worst group's gap to maximin\\n(maximin's worst group: 2)"]
    >>> figure(rows.drop(columns="gap to maximin"))
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The protocols figure needs the column(s) 'gap to maximin' of the study's first table; got scenarios, protocol, information, agreement rate, worst group.
    """
    from matplotlib.figure import Figure

    needed = [
        "scenarios",
        "protocol",
        "information",
        "agreement rate",
        "worst group",
        "gap to maximin",
    ]
    missing = [c for c in needed if c not in main.columns]
    if missing:
        raise ParameterError(
            "The protocols figure needs the column(s) "
            + ", ".join(repr(c) for c in missing)
            + f" of the study's first table; got {', '.join(map(str, main.columns))}."
        )
    sets = list(dict.fromkeys(main["scenarios"]))
    fig = Figure(figsize=(4.2 * len(sets) + 0.6, 6.4))
    axes = fig.subplots(2, len(sets), squeeze=False)
    width = 0.38
    for col, name in enumerate(sets):
        block = main[main["scenarios"] == name]
        protocols = list(dict.fromkeys(block["protocol"]))
        x = np.arange(len(protocols))
        maximin_worst = float((block["worst group"] + block["gap to maximin"]).mean())
        for row, (column, title) in enumerate(
            (
                ("agreement rate", "agreement rate"),
                (
                    "gap to maximin",
                    f"worst group's gap to maximin\n(maximin's worst group: {maximin_worst:.3g})",
                ),
            )
        ):
            ax = axes[row][col]
            for k, (information, colour) in enumerate(
                (("private", "tab:orange"), ("public", "tab:blue"))
            ):
                mine = block[block["information"] == information].set_index("protocol")
                heights = mine[column].reindex(protocols).to_numpy(float)
                bars = ax.bar(
                    x + (k - 0.5) * width, heights, width, color=colour, label=information
                )
                ax.bar_label(bars, fmt="{:.3g}", fontsize=7, padding=1)
            ax.set_xticks(x, [p.replace("-", "-\n") for p in protocols])
            ax.set_title(f"{name}: {title}", fontsize=9)
            ax.margins(y=0.15)
        axes[0][col].set_ylim(0, 1.5)
        axes[0][col].set_yticks(np.linspace(0, 1, 5))
        axes[0][col].set_ylabel("share of runs that agree")
        axes[1][col].set_ylabel("shortfall of the worst group (utility)")
    axes[0][0].legend(title="information", fontsize=8, loc="upper center", ncols=2)
    fig.suptitle(
        "Protocols under private and public information: means over seeds and scenarios\n"
        f"(rounds 20, disagreement best-base-design, aspiration floor 0; seeds 0-{SEEDS - 1} "
        f"on the built-in scenarios, scenario k with seed k on the {N_POLARIZED} polarized)"
    )
    fig.tight_layout()
    return fig


def run() -> Study:
    """Run the study (about a minute on two cores)."""
    main, notes = _main_table()
    sensitivity = _sensitivity_table()
    notes = [
        *notes,
        "Under public information the mediator knows every weight: the gap between the "
        "two rows of a protocol is what private information costs. The rounds run until "
        "agreement or the deadline; without agreement the disagreement point (the best "
        "base design) stands, and counts in the means.",
        "How often a protocol agrees is decided by the disagreement point and the "
        "aspiration floor as much as by the protocol (second table): from the status quo "
        "every package is acceptable to every group, from the best base design only the "
        "share shown is.",
    ]
    return Study(
        name="protocols",
        title="Protocols under private and public information",
        settings={
            "protocols": ", ".join(PROTOCOLS),
            "defaults": "mediated parameters, rounds 20, disagreement best-base-design, "
            "aspiration floor 0, weak acceptance, groups as stakeholders",
            "seeds": f"0-{SEEDS - 1} on the two built-in scenarios; scenario k with seed k "
            f"on the {N_POLARIZED} generated ones",
            "polarized": f"generate({', '.join(f'{k}={v}' for k, v in POLARIZED.items())}, "
            f"budget_share=0.3, seed=k), k = 0-{N_POLARIZED - 1}",
        },
        tables=(
            ("Means over seeds and scenarios", main),
            (
                "Agreement on the 30 polarized scenarios, by disagreement point and floor "
                "(private information)",
                sensitivity,
            ),
        ),
        notes=tuple(notes),
        figures={"protocols_outcomes": lambda: figure(main)},
    )
