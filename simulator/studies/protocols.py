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
from plurisim.mechanisms import disagreement_point, maximin, nash, utilitarian
from plurisim.negotiation.params import PROTOCOLS
from plurisim.problem import Problem
from plurisim.progress import track
from plurisim.scenario import Scenario, compile_scenario
from plurisim.scenarios import generate, load
from plurisim.studies.base import Study

__all__ = ["POLARIZED", "run"]

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
    )
