"""The ``pabulib`` study: what real cities funded, beside four other ways to decide.

On the 18 Warsaw and the 18 Kraków district elections of 2023 (Pabulib), each voter
is a stakeholder whose utility comes from the ballot and the groups are age brackets.
For each district the study scores the city's outcome (the projects it funded: greedy
by votes, which ``greedy`` reproduces on every one of these files) beside the Method
of Equal Shares with the add1 completion, maximin over the age groups, the Nash
bargaining solution from the city's outcome and the mediated negotiation between the
age groups under private information (the city's outcome stands without agreement):
total utility, the worst age group's mean voter utility, the Gini over voters and the
share of voters with at least one funded project they approved. Utilities are in
shares of the budget for Warsaw (approval ballots, cost utilities: the share of the
budget spent on projects a voter approved) and in points for Kraków (ranked ballots,
the points the city counts), so the two cities are summarized apart.

The data files are not distributed with plurisim: the study reads them from
``data_dir`` (default: the ``PLURISIM_PABULIB`` environment variable, else
``../shared/data/pabulib`` beside the repository).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from plurisim.api import negotiate
from plurisim.errors import ParameterError
from plurisim.evaluation import evaluate
from plurisim.mechanisms import maximin, mes, nash
from plurisim.outcome import Outcome, package_outcome
from plurisim.progress import track
from plurisim.scenario import compile_scenario
from plurisim.scenarios import load
from plurisim.studies.base import Study

__all__ = ["CITIES", "district_rows", "figure", "run", "summary"]

CITIES = {"Warszawa": "Poland_Warszawa_2023_*.pb", "Kraków": "Poland_Krakow_2023_*.pb"}
RULES = ("city", "mes (add1)", "maximin", "nash (from city)", "negotiation")
COLUMNS = {
    "total_utility": "total",
    "worst_group_utility": "worst age group",
    "gini_voters": "Gini over voters",
    "voters_with_funded_approval": "voters with a funded approved project",
}
SEED = 0


def default_dir() -> Path:
    """Where the Pabulib files are looked for when no folder is given."""
    env = os.environ.get("PLURISIM_PABULIB")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"


def files_in(data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The study's files (Warsaw then Kraków, by name) in ``data_dir``.

    Raises
    ------
    ParameterError
        If the folder holds none of them.
    """
    folder = Path(data_dir) if data_dir is not None else default_dir()
    found = [p for pattern in CITIES.values() for p in sorted(folder.glob(pattern))]
    if not found:
        raise ParameterError(
            f"The pabulib study reads the 2023 Warsaw and Kraków files of Pabulib from "
            f"{folder}, which holds none; set PLURISIM_PABULIB to their folder."
        )
    return found


def _city_of(path: Path) -> str:
    for city, pattern in CITIES.items():
        if path.match(pattern):
            return city
    return path.name.split("_")[1] if path.name.count("_") > 1 else "other"


def district_rows(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """One row per rule for one election file (grouped by age, cost utilities)."""
    p_path = Path(path)
    scenario = load(str(p_path), groups="age", utility=None)
    problem = compile_scenario(scenario, seed=SEED)
    if "city" not in problem.base_designs:
        raise ParameterError(f"{p_path.name}: the file does not say what the city funded.")
    city = package_outcome(problem, "city", problem.base_designs["city"], status="rule")
    negotiated = negotiate(problem, seed=SEED, protocol="mediated", information="private")
    outcomes: list[Outcome] = [
        city,
        mes(problem, completion="add1"),
        maximin(problem),
        nash(problem, disagreement="city"),
        negotiated.outcome,
    ]
    frame = evaluate(problem, outcomes, distances=False, reference=None)
    worst_at = frame[[f"u:{g}" for g in problem.groups]].to_numpy().argmin(axis=1)
    rows = []
    for rule, (_, r), w in zip(RULES, frame.iterrows(), worst_at, strict=True):
        row = {
            "city": _city_of(p_path),
            "district": scenario.name.split("_2023_")[-1],
            "rule": rule,
            **{key: float(r[key]) for key in COLUMNS},
            "worst group": problem.group_labels[int(w)].removeprefix("age "),
            "budget_used": float(r["budget_used"]),
        }
        if rule == "negotiation":
            row["agreement"] = negotiated.agreement
        rows.append(row)
    return rows


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Means over each city's districts, and how often each rule beats the city's outcome."""
    out = []
    for city, block in rows.groupby("city", sort=False):
        base = block[block["rule"] == "city"].set_index("district")
        for rule in RULES:
            mine = block[block["rule"] == rule].set_index("district")
            better = (mine["worst_group_utility"] > base["worst_group_utility"] * (1 + 1e-9)).sum()
            row = {"city": city, "rule": rule, "districts": len(mine)}
            row.update({label: float(mine[key].mean()) for key, label in COLUMNS.items()})
            row["worst age group above the city's"] = (
                "-" if rule == "city" else f"{int(better)} of {len(mine)}"
            )
            out.append(row)
    return pd.DataFrame(out)


def figure(rows: pd.DataFrame) -> Any:
    """Each rule's worst age group relative to the city's outcome, one dot per district."""
    import matplotlib.pyplot as plt

    cities = list(dict.fromkeys(rows["city"]))
    fig, axes = plt.subplots(1, len(cities), figsize=(5.2 * len(cities), 3.6), squeeze=False)
    for ax, city in zip(axes[0], cities, strict=True):
        block = rows[rows["city"] == city]
        base = block[block["rule"] == "city"].set_index("district")["worst_group_utility"]
        for k, rule in enumerate(RULES[1:], start=1):
            mine = block[block["rule"] == rule].set_index("district")["worst_group_utility"]
            ratio = (mine / base.reindex(mine.index)).to_numpy()
            jitter = np.linspace(-0.15, 0.15, ratio.size) if ratio.size > 1 else np.zeros(1)
            ax.scatter(np.full(ratio.size, k) + jitter, ratio, s=14, alpha=0.75)
        ax.axhline(1.0, color="grey", lw=1, ls="--")
        ax.set_xticks(range(1, len(RULES)), [r.replace(" (", "\n(") for r in RULES[1:]])
        ax.set_title(f"{city}: {block['district'].nunique()} districts")
        ax.set_ylabel("worst age group / the city's outcome")
    fig.suptitle("The worst-off age group under each rule, relative to what the city funded")
    fig.tight_layout()
    return fig


def run(
    data_dir: str | os.PathLike[str] | None = None,
    files: Sequence[str | os.PathLike[str]] | None = None,
) -> Study:
    """Run the study (a few minutes on the 36 files; ``files`` runs it on others)."""
    paths = [Path(f) for f in files] if files is not None else files_in(data_dir)
    rows = pd.DataFrame(
        [row for path in track(paths, desc="districts") for row in district_rows(path)]
    )
    table = summary(rows)
    neg = rows[rows["rule"] == "negotiation"]
    agreed = int(neg["agreement"].sum())
    worst = rows[rows["rule"] == "city"]["worst group"].value_counts()
    notes = (
        "Means over each city's districts. Warsaw utilities are shares of the district's "
        "budget spent on projects a voter approved (pabutools' Cost_Sat divided by the "
        "budget); Kraków utilities are the points a voter gave to funded projects (3, 2 and "
        "1 for a ballot's first, second and third choice). The total is the sum over the "
        "age groups of their voters' mean utility.",
        "Age groups: 10-17, 18-29, 30-44, 45-59, 60+ and unknown (a missing or implausible "
        "age). Under the city's outcome the worst-off group is "
        + ", ".join(f"{g} in {n}" for g, n in worst.items())
        + " district(s).",
        f"The negotiation (mediated, private information, age groups as stakeholders, the "
        f"city's outcome standing without agreement, seed {SEED}) agreed in {agreed} of "
        f"{len(neg)} districts; where it did not, its row is the city's outcome.",
    )
    return Study(
        name="pabulib",
        title="Real participatory-budgeting elections: the city's outcome beside four rules",
        settings={
            "data": f"{len(paths)} Pabulib files (Warsaw and Kraków 2023 districts)",
            "groups": "age brackets",
            "utilities": "cost (Warsaw, approval ballots), points (Kraków, ranked ballots)",
            "rules": "mes completion add1; maximin over age groups; nash disagreement city; "
            "negotiation mediated, private information, disagreement city",
            "ties": "auto (more votes, then file order)",
        },
        tables=(("Means over the districts of each city", table),),
        notes=notes,
        figures={"pabulib_worst_group": lambda: figure(rows)},
    )
