"""The result of a negotiation: the package, the verdict, the rounds and the transcript."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from plurisim.evaluation import METRIC_KEYS, score
from plurisim.formatting import fmt
from plurisim.negotiation.transcript import to_markdown
from plurisim.outcome import Outcome, to_jsonable

if TYPE_CHECKING:
    from plurisim.negotiation.model import NegotiationModel

__all__ = ["METRIC_KEYS", "NegotiationResult"]


@dataclass(frozen=True, eq=False)
class NegotiationResult:
    """What a negotiation produced, as data.

    Attributes
    ----------
    scenario : str
    seed : int or None
    outcome : Outcome
        The negotiated package (``status`` ``"agreement"``) or, without agreement,
        the reference design (``"no_agreement"``).
    reference : Outcome
        The best base design (or the status quo).
    agreement : bool
    rounds : int
        Rounds played.
    stop_reason : str
        ``"agreement"``, ``"round limit"`` or ``"patience"``.
    metrics, reference_metrics : dict
        The evaluator's figures for the outcome and the reference, computed among the
        scenario's base designs and the outcome (so percentile satisfaction is
        normalized within the scenario).
    group_utilities : dict
    rounds_table : pandas.DataFrame
        One row per round (the Mesa DataCollector's model variables).
    transcript : tuple of dict
        Round 0 (the rubric) and every round, in plain data.
    """

    scenario: str
    seed: int | None
    params: Mapping[str, Any]
    outcome: Outcome
    reference: Outcome
    agreement: bool
    rounds: int
    stop_reason: str
    metrics: Mapping[str, Any]
    reference_metrics: Mapping[str, Any]
    group_utilities: Mapping[str, float]
    group_labels: Mapping[str, str]
    intervention_labels: Mapping[str, str]
    rounds_table: pd.DataFrame
    transcript: tuple[dict[str, Any], ...]
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_model(cls, model: NegotiationModel, seed: int | None = None) -> NegotiationResult:
        """Collect the result of a finished :class:`NegotiationModel`."""
        p = model.problem
        mask = model.final_package
        status = "agreement" if model.agreement else "no_agreement"
        outcome = Outcome(
            mechanism="negotiative",
            package=p.package_ids(mask),
            cost=float(p.costs @ mask),
            budget=p.budget,
            kind="negotiated",
            label="negotiated" if model.agreement else "negotiated (no agreement)",
            params=model.params.to_dict(),
            status=status,
            gap=None,
            objective=float(p.group_utilities(mask).sum()),
            details={
                "rounds": model.round,
                "stop_reason": model.stop_reason,
                "reference": model.reference.details.get("design", "status_quo"),
            },
            scenario=p.name,
        )
        scores = score(p, [outcome])
        ref_name = scores.reference
        u = p.group_utilities(mask)
        table = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        return cls(
            scenario=p.name,
            seed=seed,
            params=model.params.to_dict(),
            outcome=outcome,
            reference=model.reference,
            agreement=model.agreement,
            rounds=model.round,
            stop_reason=model.stop_reason,
            metrics=scores.metrics(outcome.name),
            reference_metrics=scores.reference_metrics(),
            group_utilities={gid: float(v) for gid, v in zip(p.groups, u, strict=True)},
            group_labels=dict(zip(p.groups, p.group_labels, strict=True)),
            intervention_labels=dict(zip(p.interventions, p.intervention_labels, strict=True)),
            rounds_table=table,
            transcript=tuple(model.transcript),
            details={
                "engine": model.search.engine,
                "stakeholders": model.params.stakeholders,
                "n_stakeholders": len(model.units),
                "ideals_exact": bool(model.units.ideal_exact),
                "reference": ref_name,
            },
        )

    # -- convenience ----------------------------------------------------------------------

    @property
    def package(self) -> tuple[str, ...]:
        """The chosen intervention ids."""
        return self.outcome.package

    @property
    def cost(self) -> float:
        """Cost of the chosen package."""
        return self.outcome.cost

    @property
    def budget(self) -> float:
        """The budget."""
        return self.outcome.budget

    def to_dict(self) -> dict[str, Any]:
        """The ``plurisim run --json`` object, plus group utilities, rounds and transcript."""
        return to_jsonable(
            {
                "scenario": self.scenario,
                "mechanism": "negotiative",
                "seed": self.seed,
                "package": list(self.package),
                "cost": self.cost,
                "budget": self.budget,
                "agreement": self.agreement,
                "rounds": self.rounds,
                "stop_reason": self.stop_reason,
                "metrics": dict(self.metrics),
                "reference": {
                    "design": self.details.get("reference"),
                    "package": list(self.reference.package),
                    **dict(self.reference_metrics),
                },
                "group_utilities": dict(self.group_utilities),
                "params": dict(self.params),
                "details": dict(self.details),
                "rounds_table": self.rounds_table.to_dict(orient="records"),
                "transcript": list(self.transcript),
                "labels": {
                    "groups": dict(self.group_labels),
                    "interventions": dict(self.intervention_labels),
                },
            }
        )

    def summary(self) -> dict[str, Any]:
        """The compact object of DESIGN's ``run --json``: no rounds table, no transcript."""
        d = self.to_dict()
        for key in ("rounds_table", "transcript", "labels", "params", "details"):
            d.pop(key)
        return d

    def to_json(self, indent: int | None = 2, full: bool = True) -> str:
        """JSON text; ``full=False`` gives the compact summary."""
        return json.dumps(
            self.to_dict() if full else self.summary(), indent=indent, sort_keys=False
        )

    @classmethod
    def from_json(cls, text: str) -> NegotiationResult:
        """Rebuild a result from :meth:`to_json` (full) output."""
        d = json.loads(text)
        ref = {k: v for k, v in d["reference"].items() if k not in ("design", "package")}
        outcome = Outcome(
            mechanism="negotiative",
            package=tuple(d["package"]),
            cost=d["cost"],
            budget=d["budget"],
            kind="negotiated",
            label="negotiated" if d["agreement"] else "negotiated (no agreement)",
            params=d["params"],
            status="agreement" if d["agreement"] else "no_agreement",
            gap=None,
            objective=d["metrics"]["total_utility"],
            details={
                "rounds": d["rounds"],
                "stop_reason": d["stop_reason"],
                "reference": d["reference"]["design"],
            },
            scenario=d["scenario"],
        )
        reference = Outcome(
            mechanism="best_base_design",
            package=tuple(d["reference"]["package"]),
            cost=0.0,
            budget=d["budget"],
            kind="base_design",
            status="rule",
            gap=None,
            scenario=d["scenario"],
            details={"design": d["reference"]["design"]},
        )
        return cls(
            scenario=d["scenario"],
            seed=d["seed"],
            params=d["params"],
            outcome=outcome,
            reference=reference,
            agreement=d["agreement"],
            rounds=d["rounds"],
            stop_reason=d["stop_reason"],
            metrics=d["metrics"],
            reference_metrics=ref,
            group_utilities=d["group_utilities"],
            group_labels=d["labels"]["groups"],
            intervention_labels=d["labels"]["interventions"],
            rounds_table=pd.DataFrame(d["rounds_table"]),
            transcript=tuple(d["transcript"]),
            details=d["details"],
        )

    def to_markdown(self) -> str:
        """The transcript as Markdown, plain words and numbers per round."""
        title = f"Negotiation on {self.scenario}" + (
            f" (seed {self.seed})" if self.seed is not None else ""
        )
        text = to_markdown(
            self.transcript, dict(self.group_labels), dict(self.intervention_labels), title
        )
        return text + "\n" + self._verdict_md()

    def _verdict_md(self) -> str:
        m, r = self.metrics, self.reference_metrics
        lines = [
            "## Result",
            "",
            ("Agreement" if self.agreement else "No agreement")
            + f" after {self.rounds} rounds: "
            + (", ".join(self.intervention_labels.get(i, i) for i in self.package) or "nothing")
            + f" (cost {fmt(self.cost)} of {fmt(self.budget)}).",
            "",
            f"| metric | negotiated | reference ({self.details.get('reference')}) |",
            "|---|---|---|",
        ]
        for key in ("total_utility", "worst_group_utility", "p20_satisfaction", "gini"):
            lines.append(
                f"| {key.replace('_', ' ')} | {fmt(m.get(key), 4)} | {fmt(r.get(key), 4)} |"
            )
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        m, r = self.metrics, self.reference_metrics
        head = (
            f"{self.scenario}: "
            + ("agreement" if self.agreement else "no agreement")
            + f" after {self.rounds} rounds ({self.stop_reason})\n"
            f"package: {', '.join(self.package) or 'nothing'} (cost {fmt(self.cost)} of {fmt(self.budget)})\n"
        )
        rows = [
            f"  {k.replace('_', ' '):22s} {fmt(m.get(k), 4):>8s}  reference {fmt(r.get(k), 4):>8s}"
            for k in ("total_utility", "worst_group_utility", "p20_satisfaction", "gini")
        ]
        return head + "\n".join(rows)
