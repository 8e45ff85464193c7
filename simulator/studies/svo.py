"""The ``svo`` study: value rationality of rule-based SVO agents, and SVO in negotiation.

First, rule-based agents given a target Social Value Orientation answer the SVO
Slider Measure; their value rationality is shown as the drift toward neutral values
(the ``neutral_pull`` HVAE observed in LLMs, here a parameter) grows. Second,
populations of different SVO mixes negotiate on a generated scenario: agreement,
rounds and what they agree on, by mix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from plurisim import svo
from plurisim.api import negotiate
from plurisim.errors import ParameterError
from plurisim.progress import track
from plurisim.scenarios import generate
from plurisim.studies.base import Study
from plurisim.svo import MIXES, mix_angles
from plurisim.validation import check_int

__all__ = ["figure", "negotiation_study", "run"]

PULLS = (0.0, 0.25, 0.5, 0.75, 1.0)
AGENTS = 30
SCENARIO: dict[str, Any] = {
    "n_groups": 6,
    "n_interventions": 12,
    "n_criteria": 4,
    "polarization": 0.6,
}
NEGOTIATION_SEEDS = 20


def negotiation_study(
    scenario: Any,
    mixes: Sequence[str] | None = None,
    *,
    seeds: int = 20,
    root: int = 0,
    **params: Any,
) -> pd.DataFrame:
    """Negotiate under different SVO mixes of the population, over seeds.

    Returns one row per (mix, seed): agreement, rounds, worst-group utility and Gini
    of the outcome, and the angles used.
    """
    names = list(mixes or MIXES)
    n = check_int(seeds, "seeds", "negotiation_study", low=1, high=100_000)
    rows = []
    # every mix draws from the same seeds: a fresh spawn of the root for each
    runs = [
        (mix, k, ss) for mix in names for k, ss in enumerate(np.random.SeedSequence(root).spawn(n))
    ]
    for mix, k, ss in track(runs, desc=f"{scenario.name}: SVO mixes"):
        mix_rng, run_seq = (np.random.default_rng(s) for s in ss.spawn(2))
        angles = mix_angles(mix, len(scenario.groups), mix_rng)
        r = negotiate(scenario, seed=run_seq, svo=angles, **params)
        rows.append(
            {
                "scenario": scenario.name,
                "mix": mix,
                "seed": k,
                "agreement": r.agreement,
                "rounds": r.rounds,
                "worst_group_utility": r.metrics["worst_group_utility"],
                "total_utility": r.metrics["total_utility"],
                "gini": r.metrics["gini"],
                "angles": " ".join(f"{a:.1f}" for a in angles),
            }
        )
    return pd.DataFrame(rows)


def _drift() -> pd.DataFrame:
    rows = []
    for pull in track(PULLS, desc="SVO: neutral pull"):
        summary = svo.summarize(
            svo.run_experiment(n_agents=AGENTS, seed=0, rationality=1.0, neutral_pull=pull)
        )
        rows.append(
            {
                "neutral pull": f"{pull:g}",
                **{
                    f"VR {target}": float(summary.loc[target, "value_rationality"])
                    for target in summary.index
                },
                "mean VR": float(summary["value_rationality"].mean()),
                "category accuracy": float(summary["category_accuracy"].mean()),
            }
        )
    return pd.DataFrame(rows)


def _negotiation() -> pd.DataFrame:
    scenario = generate(**SCENARIO, budget_share=0.3, seed=3)
    runs = negotiation_study(scenario, seeds=NEGOTIATION_SEEDS, disagreement="status-quo")
    out = (
        runs.groupby("mix", sort=False)
        .agg(
            agreement_rate=("agreement", "mean"),
            rounds=("rounds", "mean"),
            total=("total_utility", "mean"),
            worst_group=("worst_group_utility", "mean"),
            gini=("gini", "mean"),
        )
        .reset_index()
    )
    out["agreement_rate"] = out["agreement_rate"].astype(float)
    return out.rename(
        columns={
            "agreement_rate": "agreement rate",
            "worst_group": "worst group",
            "gini": "Gini",
        }
    )


def figure(drift: pd.DataFrame, negotiation: pd.DataFrame) -> Any:
    """Value rationality against neutral pull, and the negotiation by SVO mix.

    Parameters
    ----------
    drift : DataFrame
        The study's first table: ``neutral pull``, one ``VR <target>`` column per
        target, ``mean VR`` and ``category accuracy``.
    negotiation : DataFrame
        The study's second table: ``mix``, ``agreement rate``, ``rounds``, ``total``
        and ``worst group`` (means over seeds).

    Returns
    -------
    matplotlib.figure.Figure
        Four panels: value rationality by target (and their mean, and the category
        accuracy) as the neutral pull grows; then by mix, the mean rounds to the end
        (each bar labelled with the agreement rate), the mean total utility and the
        mean worst-group utility.

    Examples
    --------
    >>> drift = pd.DataFrame({"neutral pull": ["0", "1"], "VR prosocial": [0.95, 0.77],
    ...                       "mean VR": [0.95, 0.77], "category accuracy": [1.0, 0.3]})
    >>> mixes = pd.DataFrame({"mix": ["prosocial"], "agreement rate": [1.0], "rounds": [1.0],
    ...                       "total": [23.9], "worst group": [3.6]})
    >>> [ax.get_title() for ax in figure(drift, mixes).axes][:2]
    ['Value rationality as the pull toward neutral grows', 'Rounds by SVO mix']
    >>> figure(drift.drop(columns="mean VR"), mixes)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The svo figure needs the column(s) 'mean VR' of the study's first table; got neutral pull, VR prosocial, category accuracy.
    """
    from matplotlib.figure import Figure

    for k, (frame, needed) in enumerate(
        (
            (drift, ["neutral pull", "mean VR", "category accuracy"]),
            (negotiation, ["mix", "agreement rate", "rounds", "total", "worst group"]),
        )
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise ParameterError(
                "The svo figure needs the column(s) "
                + ", ".join(repr(c) for c in missing)
                + f" of the study's {('first', 'second')[k]} table; got "
                + ", ".join(map(str, frame.columns))
                + "."
            )
    fig = Figure(figsize=(11.0, 7.2))
    (vr, rounds), (total, worst) = fig.subplots(2, 2)
    pull = drift["neutral pull"].astype(float).to_numpy()
    for column in [c for c in drift.columns if str(c).startswith("VR ")]:
        vr.plot(pull, drift[column].to_numpy(float), marker="o", label=str(column)[3:])
    vr.plot(pull, drift["mean VR"].to_numpy(float), color="black", ls="--", lw=2, label="mean")
    vr.plot(
        pull,
        drift["category accuracy"].to_numpy(float),
        color="grey",
        ls=":",
        marker="s",
        label="category accuracy",
    )
    vr.set_ylim(0, 1.05)
    vr.set_xlabel("neutral pull (0: none, 1: full)")
    vr.set_ylabel("value rationality (VR)")
    vr.set_title("Value rationality as the pull toward neutral grows")
    vr.legend(title="target", fontsize=7, title_fontsize=8, loc="lower left", ncols=2)
    mixes = list(negotiation["mix"])
    x = np.arange(len(mixes))
    bars = rounds.bar(x, negotiation["rounds"].to_numpy(float), color="tab:purple")
    rounds.bar_label(
        bars,
        [f"agreed {a:.0%}" for a in negotiation["agreement rate"].to_numpy(float)],
        fontsize=7,
        padding=1,
    )
    rounds.set_ylabel("mean rounds")
    rounds.set_title("Rounds by SVO mix")
    rounds.margins(y=0.15)
    for ax, column, colour in ((total, "total", "tab:blue"), (worst, "worst group", "tab:orange")):
        bars = ax.bar(x, negotiation[column].to_numpy(float), color=colour)
        ax.bar_label(bars, fmt="{:.3f}", fontsize=7, padding=1)
        ax.set_ylabel(f"mean {column} utility")
        ax.set_title(f"{column.capitalize()} utility by SVO mix")
        ax.margins(y=0.1)
    for ax in (rounds, total, worst):
        ax.set_xticks(x, mixes, fontsize=8)
        ax.set_xlabel("SVO mix of the groups")
    fig.suptitle(
        f"SVO: {AGENTS} rule-based agents per target (rationality 1, seed 0); negotiation on "
        f"a generated scenario\n(6 groups, polarization {SCENARIO['polarization']}, seed 3; "
        f"disagreement status-quo, mediated, private information; means over "
        f"{NEGOTIATION_SEEDS} seeds per mix)"
    )
    fig.tight_layout()
    return fig


def run() -> Study:
    """Run the study (about half a minute)."""
    drift, negotiation = _drift(), _negotiation()
    rounds = negotiation["rounds"].to_numpy()
    fastest = negotiation["mix"].iloc[int(rounds.argmin())]
    slowest = negotiation["mix"].iloc[int(rounds.argmax())]
    lo, hi = float(negotiation["total"].min()), float(negotiation["total"].max())
    w_lo, w_hi = float(negotiation["worst group"].min()), float(negotiation["worst group"].max())
    notes = (
        f"Value rationality falls as the pull toward neutral values grows (mean "
        f"{drift['mean VR'].iloc[0]:.2f} without pull, {drift['mean VR'].iloc[-1]:.2f} at "
        "full pull): pronounced targets are the ones that drift.",
        f"In negotiation the {fastest} mix agrees fastest and the {slowest} one slowest. "
        f"Mean total utility ranges from {lo:.3f} to {hi:.3f} across mixes and the worst "
        f"group's from {w_lo:.3f} to {w_hi:.3f}.",
    )
    return Study(
        name="svo",
        title="SVO: value rationality and negotiation",
        settings={
            "agents": f"{AGENTS} rule-based agents per target, rationality 1, seed 0",
            "targets": "the four categories' canonical angles",
            "negotiation": f"generate({', '.join(f'{k}={v}' for k, v in SCENARIO.items())}, "
            f"budget_share=0.3, seed=3), disagreement status-quo, mediated, private "
            f"information, {NEGOTIATION_SEEDS} seeds per mix",
        },
        tables=(
            ("Value rationality (VR) by target and neutral pull", drift),
            ("Negotiation by SVO mix of the groups (means over seeds)", negotiation),
        ),
        notes=notes,
        figures={"svo_rationality_mixes": lambda: figure(drift, negotiation)},
    )
