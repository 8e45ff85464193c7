"""What the page shows, computed from the model: plain data and DataFrames, no Solara.

Each function reads a :class:`~plurisim.negotiation.model.NegotiationModel` (the
engine's ``history``, ``records`` and ``transcript``) and returns something a
component displays as it is, so all of it is tested without a browser.

Examples
--------
>>> from plurisim import NegotiationModel, scenarios
>>> model = NegotiationModel(scenarios.load("toy-park"), seed=0, disagreement="status-quo")
>>> rounds_frame(model).empty
True
>>> model.step()
>>> rounds_frame(model)[["round", "u:seniors"]].round(3).values.tolist()
[[1.0, 3.83]]
>>> proposal_table(model).columns.tolist()
['intervention', 'cost', 'proposed', 'disagreement point']
>>> final_comparison(model) is None  # still running
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from plurisim import registry
from plurisim.comparison import Comparison, plan_params
from plurisim.evaluation import score
from plurisim.formatting import fmt
from plurisim.mechanisms import CLASSIC
from plurisim.negotiation.model import NegotiationModel
from plurisim.negotiation.transcript import to_markdown

__all__ = [
    "COMPARISON_COLUMNS",
    "comparison_table",
    "final_comparison",
    "proposal_table",
    "responses_table",
    "rounds_frame",
    "status",
    "transcript_markdown",
]

COMPARISON_COLUMNS = (
    "kind",
    "cost",
    "total_utility",
    "worst_group_utility",
    "p20_satisfaction",
    "gini",
    "package",
)
"""The columns of the final comparison table, after the outcome's name."""


def status(model: NegotiationModel) -> dict[str, str]:
    """The state of play in words: scenario, protocol, round, disagreement point, verdict.

    Examples
    --------
    >>> from plurisim import NegotiationModel, scenarios
    >>> s = status(NegotiationModel(scenarios.load("toy-park"), seed=0))
    >>> s["round"], s["state"]
    ('0 of 20', 'ready: press Step or play')
    """
    neg = model.negotiation
    p, prm, d = neg.problem, neg.params, neg.disagreement
    labels = dict(zip(p.interventions, p.intervention_labels, strict=True))
    if neg.running:
        state = "ready: press Step or play" if neg.round == 0 else "negotiating"
    elif neg.agreement:
        state = "agreement"
    else:
        state = f"no agreement ({neg.stop_reason}): the disagreement point stands"
    return {
        "scenario": f"{p.labels.title or p.name} ({p.name})",
        "protocol": prm.protocol,
        "information": prm.information,
        "stakeholders": f"{len(neg.units)} ({prm.stakeholders})",
        "round": f"{neg.round} of {prm.rounds}",
        "disagreement point": f"{d.point}: {', '.join(labels[i] for i in d.package) or 'nothing'}",
        "budget": fmt(p.budget),
        "state": state,
    }


def rounds_frame(model: NegotiationModel) -> pd.DataFrame:
    """The rounds so far, one row each (the engine's ``records``), with every column
    :func:`plurisim.plots.rounds` draws even before the first round."""
    p = model.negotiation.problem
    columns = ["round", "acceptance_share", *(f"u:{gid}" for gid in p.groups)]
    records = list(model.negotiation.records)
    return pd.DataFrame(records) if records else pd.DataFrame(columns=columns)


def proposal_table(model: NegotiationModel) -> pd.DataFrame:
    """Every intervention: its cost, whether the current proposal and the disagreement point fund it."""
    neg = model.negotiation
    p = neg.problem
    proposal = neg.proposal
    return pd.DataFrame(
        {
            "intervention": list(p.intervention_labels),
            "cost": [fmt(float(c)) for c in p.costs],
            "proposed": [
                "" if proposal is None else ("yes" if x else "")
                for x in (proposal if proposal is not None else np.zeros(len(p.costs), bool))
            ],
            "disagreement point": ["yes" if x else "" for x in neg.disagreement.mask],
        }
    )


def responses_table(model: NegotiationModel) -> pd.DataFrame:
    """Who accepted the latest proposal, and what the others asked for.

    One row per stakeholder when there are few, else one per group (the share
    accepting and the demand asked most). Empty before the first round.

    Examples
    --------
    >>> from plurisim import NegotiationModel, scenarios
    >>> model = NegotiationModel(scenarios.load("toy-park"), seed=0)
    >>> model.step()
    >>> responses_table(model).columns.tolist()
    ['stakeholder', 'answer', 'stated satisfaction', 'aspiration']
    """
    entries = [e for e in model.negotiation.transcript if e["round"] > 0]
    if not entries:
        return pd.DataFrame(columns=["stakeholder", "answer", "stated satisfaction", "aspiration"])
    last = entries[-1]
    if "responses" in last:
        return pd.DataFrame(
            [
                {
                    "stakeholder": r["stakeholder"],
                    "answer": "accepts"
                    if r["accept"]
                    else f"rejects: {r['demand'] or 'no demand'}",
                    "stated satisfaction": fmt(r["stated"]),
                    "aspiration": fmt(r["aspiration"]),
                }
                for r in last["responses"]
            ]
        )
    p = model.negotiation.problem
    labels = dict(zip(p.groups, p.group_labels, strict=True))
    return pd.DataFrame(
        [
            {
                "group": labels[r["group"]],
                "members": r["members"],
                "accepting": f"{r['accept_share']:.0%}",
                "most asked": r["top_demand"] or "",
            }
            for r in last["groups"]
        ]
    )


def transcript_markdown(model: NegotiationModel) -> str:
    """The transcript so far, as Markdown (round 0, then every round played)."""
    p = model.negotiation.problem
    return to_markdown(
        model.negotiation.transcript,
        dict(zip(p.groups, p.group_labels, strict=True)),
        dict(zip(p.interventions, p.intervention_labels, strict=True)),
        f"Negotiation on {p.labels.title or p.name}",
    )


def final_comparison(
    model: NegotiationModel, mechanisms: tuple[str, ...] = CLASSIC
) -> Comparison | None:
    """The negotiated package beside the base designs and the classic rules, once finished.

    The rules run on the model's own problem (the same individuals) with the
    negotiation's disagreement point and a seed derived from the negotiation's; the
    negotiated outcome is the one played, not a new run. ``None`` while running.
    """
    neg = model.negotiation
    if neg.running:
        return None
    p = neg.problem
    point = neg.params.disagreement
    given = plan_params(mechanisms, {}, {"disagreement": point})
    seeds = np.random.SeedSequence(neg.seed_value).spawn(len(mechanisms))
    outcomes = [
        registry.run(p, name, rng=np.random.default_rng(ss), **given[name])
        for name, ss in zip(mechanisms, seeds, strict=True)
    ]
    outcomes.append(model.result().outcome)
    scores = score(p, outcomes, disagreement=point)
    return Comparison(
        scenario=p.name,
        frame=scores.frame,
        outcomes=tuple(outcomes),
        groups=p.groups,
        reference=scores.reference,
        meta={"seed": neg.seed_value, "normalized_over": list(scores.frame.index)},
    )


def comparison_table(comparison: Comparison) -> pd.DataFrame:
    """The headline columns of a comparison, numbers rounded for reading.

    Examples
    --------
    >>> from plurisim import scenarios
    >>> from plurisim.comparison import compare
    >>> t = comparison_table(compare(scenarios.load("toy-park"), mechanisms=["maximin"]))
    >>> t.columns.tolist()[:3], t["outcome"].tolist()
    (['outcome', 'kind', 'cost'], ['Green retreat', 'Active park', 'maximin'])
    """
    frame = comparison.frame
    out: dict[str, Any] = {"outcome": [str(i) for i in frame.index]}
    for col in COMPARISON_COLUMNS:
        name = comparison.pcol if col == "p20_satisfaction" else col
        values = frame[name].tolist()
        out[col.replace("_", " ")] = [v if isinstance(v, str) else fmt(v, 4) for v in values]
    return pd.DataFrame(out)
