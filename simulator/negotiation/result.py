"""The result of a negotiation: the package, the verdict, the rounds and the transcript.

A result is data: it prints well, converts to JSON and back, and builds what costs
time only when asked for: the evaluator's figures (``metrics``, the reference
design's, ``pareto_dominated``; they need pandas), the DataFrame of the rounds and
the Markdown transcript.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from plurisim.formatting import fmt
from plurisim.metrics import satisfaction_note
from plurisim.negotiation.transcript import to_markdown
from plurisim.outcome import Outcome, to_jsonable

if TYPE_CHECKING:
    import pandas as pd
    from plurisim.negotiation.engine import Negotiation
    from plurisim.packages import PackageSpace
    from plurisim.problem import Problem

__all__ = ["NegotiationResult"]

HEADLINE = ("total_utility", "worst_group_utility", "p20_satisfaction", "gini")


@dataclass(frozen=True, eq=False)
class NegotiationResult:
    """What a negotiation produced, as data.

    Attributes
    ----------
    scenario : str
    seed : int or None
    params : mapping
        Every parameter, after defaults.
    outcome : Outcome
        The final package (``status`` ``"agreement"``) or, without agreement, the
        disagreement point's (``"no_agreement"``).
    agreement : bool
    rounds : int
        Bargaining rounds played.
    stop_reason : str
        ``"agreement"``, ``"deadline"`` or ``"patience"``.
    disagreement : mapping
        ``{"point", "package", "group_utilities"}``: what stands without agreement.
    metrics, reference_metrics : mapping
        The evaluator's figures for the outcome and for the best base design (the
        status quo without designs), scored beside the scenario's base designs, so
        percentile satisfaction is normalized over them and the outcome.
    reference : str
        The reference row's name.
    pareto_dominated : bool or None
        Whether another feasible package makes every group at least as well off and
        one better (true utilities); ``None`` when the packages are too many to
        enumerate.
    history : tuple of dict
        One ``{"round", "proposal", "accepting"}`` per bargaining round (a proposer
        counts as accepting its own offer).
    improvements : tuple of dict
        The improvement phase: ``{"package", "accepting", "adopted",
        "predicted_gain"}`` per proposal.
    group_utilities : mapping
    records : tuple of dict
        One row per round (the Mesa DataCollector's model variables); see
        :attr:`rounds_table`.
    transcript : tuple of dict
        Round 0 and every round, in plain data; see :meth:`to_markdown`.
    """

    scenario: str
    seed: int | None
    params: Mapping[str, Any]
    outcome: Outcome
    agreement: bool
    rounds: int
    stop_reason: str
    disagreement: Mapping[str, Any]
    history: tuple[dict[str, Any], ...]
    improvements: tuple[dict[str, Any], ...]
    group_utilities: Mapping[str, float]
    group_labels: Mapping[str, str]
    intervention_labels: Mapping[str, str]
    records: tuple[dict[str, Any], ...]
    transcript: tuple[dict[str, Any], ...]
    details: Mapping[str, Any] = field(default_factory=dict)
    evaluated: Mapping[str, Any] | None = field(default=None, repr=False)
    """The evaluator's figures when known at construction (``metrics``,
    ``reference_metrics``, ``reference``, ``pareto_dominated``); else computed on
    first use by ``evaluator``."""
    evaluator: Callable[[], Mapping[str, Any]] | None = field(
        default=None, repr=False, compare=False
    )

    def __getstate__(self) -> dict[str, Any]:
        # A pickled result carries its figures, not the problem they are computed from.
        state = dict(self.__dict__)
        state["evaluated"] = self._evaluation
        state["evaluator"] = None
        return state

    @cached_property
    def _evaluation(self) -> Mapping[str, Any]:
        if self.evaluated is not None:
            return self.evaluated
        assert self.evaluator is not None, "a result needs its figures or a way to compute them"
        return self.evaluator()

    @property
    def metrics(self) -> Mapping[str, Any]:
        """The evaluator's figures for the outcome."""
        return self._evaluation["metrics"]

    @property
    def reference_metrics(self) -> Mapping[str, Any]:
        """The evaluator's figures for the reference design."""
        return self._evaluation["reference_metrics"]

    @property
    def reference(self) -> str:
        """The reference row's name."""
        return str(self._evaluation["reference"])

    @property
    def pareto_dominated(self) -> bool | None:
        """Whether another feasible package Pareto-dominates the outcome (None: unknown)."""
        return self._evaluation["pareto_dominated"]

    @classmethod
    def from_model(cls, model: Negotiation) -> NegotiationResult:
        """Collect the result of a finished negotiation."""
        p = model.problem
        mask = model.final_package
        prm = model.params
        outcome = Outcome(
            mechanism="negotiative",
            package=p.package_ids(mask),
            cost=float(p.costs @ mask),
            budget=p.budget,
            kind="negotiated",
            label="negotiated" if model.agreement else "negotiated (no agreement)",
            params=to_jsonable(prm.to_dict()),
            status="agreement" if model.agreement else "no_agreement",
            gap=None,
            objective=float(p.group_utilities(mask).sum()),
            details={
                "rounds": model.round,
                "stop_reason": model.stop_reason,
                "protocol": prm.protocol,
                "information": prm.information,
                "disagreement": model.disagreement.point,
            },
            scenario=p.name,
        )
        u = p.group_utilities(mask)
        return cls(
            scenario=p.name,
            seed=model.seed_value,
            params=to_jsonable(prm.to_dict()),
            outcome=outcome,
            agreement=model.agreement,
            rounds=model.round,
            stop_reason=model.stop_reason,
            disagreement=to_jsonable(model.disagreement.to_dict(p.groups)),
            history=tuple(
                {
                    "round": r.round,
                    "proposal": list(p.package_ids(r.proposal)),
                    "accepting": list(r.accepting_groups),
                }
                for r in model.history
            ),
            improvements=tuple(
                {
                    "package": list(p.package_ids(imp.package)),
                    "accepting": list(imp.accepting_groups),
                    "adopted": imp.adopted,
                    "predicted_gain": imp.predicted_gain,
                }
                for imp in model.improvements
            ),
            group_utilities={gid: float(v) for gid, v in zip(p.groups, u, strict=True)},
            group_labels=dict(zip(p.groups, p.group_labels, strict=True)),
            intervention_labels=dict(zip(p.interventions, p.intervention_labels, strict=True)),
            records=tuple(to_jsonable(model.records)),
            transcript=tuple(model.transcript),
            details={
                "engine": model.search.engine,
                "stakeholders": prm.stakeholders,
                "n_stakeholders": len(model.units),
                "ideals_exact": bool(model.units.ideal_exact),
                "mediator": model.mediator_policy.name,
                "stakeholder_policy": model.stakeholder_policy.name,
                "normalized_over": _scored_names(p, outcome),
                **getattr(model.stakeholder_policy, "report", dict)(),
            },
            evaluator=_evaluator(p, outcome, u, model.search.space),
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

    @property
    def protocol(self) -> str:
        """The protocol played."""
        return str(self.params["protocol"])

    @property
    def information(self) -> str:
        """What the mediator knew: ``"private"`` or ``"public"``."""
        return str(self.params["information"])

    @cached_property
    def rounds_table(self) -> pd.DataFrame:
        """One row per round, built on first use."""
        import pandas as pd

        return pd.DataFrame(list(self.records))

    def summary(self) -> dict[str, Any]:
        """The ``plurisim run --json`` object."""
        out: dict[str, Any] = {
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
            "reference": {"design": self.reference, **dict(self.reference_metrics)},
            "protocol": self.protocol,
            "information": self.information,
            "disagreement": dict(self.disagreement),
            "pareto_dominated": self.pareto_dominated,
            "history": list(self.history),
            "improvements": list(self.improvements),
        }
        if "llm" in self.details:
            out["llm"] = self.details["llm"]
        return to_jsonable(out)

    def to_dict(self) -> dict[str, Any]:
        """Everything: the summary plus parameters, rounds, transcript and labels."""
        return to_jsonable(
            {
                **self.summary(),
                "group_utilities": dict(self.group_utilities),
                "params": dict(self.params),
                "details": dict(self.details),
                "rounds_table": list(self.records),
                "transcript": list(self.transcript),
                "labels": {
                    "groups": dict(self.group_labels),
                    "interventions": dict(self.intervention_labels),
                },
            }
        )

    def to_json(self, indent: int | None = 2, full: bool = True) -> str:
        """JSON text; ``full=False`` gives the compact summary."""
        return json.dumps(self.to_dict() if full else self.summary(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> NegotiationResult:
        """Rebuild a result from :meth:`to_json` (full) output."""
        d = json.loads(text)
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
                "protocol": d["protocol"],
                "information": d["information"],
                "disagreement": d["disagreement"]["point"],
            },
            scenario=d["scenario"],
        )
        ref = dict(d["reference"])
        reference = str(ref.pop("design"))
        return cls(
            scenario=d["scenario"],
            seed=d["seed"],
            params=d["params"],
            outcome=outcome,
            agreement=d["agreement"],
            rounds=d["rounds"],
            stop_reason=d["stop_reason"],
            disagreement=d["disagreement"],
            history=tuple(d["history"]),
            improvements=tuple(d["improvements"]),
            group_utilities=d["group_utilities"],
            group_labels=d["labels"]["groups"],
            intervention_labels=d["labels"]["interventions"],
            records=tuple(d["rounds_table"]),
            transcript=tuple(d["transcript"]),
            details=d["details"],
            evaluated={
                "metrics": d["metrics"],
                "reference_metrics": ref,
                "reference": reference,
                "pareto_dominated": d["pareto_dominated"],
            },
        )

    def to_markdown(self) -> str:
        """The transcript as Markdown, plain words and numbers per round, then the verdict."""
        title = f"Negotiation on {self.scenario}" + (
            f" (seed {self.seed})" if self.seed is not None else ""
        )
        text = to_markdown(
            self.transcript,
            dict(self.group_labels),
            dict(self.intervention_labels),
            title,
            self.improvements,
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
            f"| metric | negotiated | {self.reference} |",
            "|---|---|---|",
        ]
        for key in HEADLINE:
            lines.append(
                f"| {key.replace('_', ' ')} | {fmt(m.get(key), 4)} | {fmt(r.get(key), 4)} |"
            )
        lines += ["", self.satisfaction_note()]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        m, r = self.metrics, self.reference_metrics
        head = (
            f"{self.scenario} ({self.protocol}, {self.information} information): "
            + ("agreement" if self.agreement else "no agreement")
            + f" after {self.rounds} rounds ({self.stop_reason})\n"
            f"package: {', '.join(self.package) or 'nothing'} "
            f"(cost {fmt(self.cost)} of {fmt(self.budget)})\n"
            f"disagreement point: {self.disagreement['point']} "
            f"({', '.join(self.disagreement['package']) or 'nothing'})\n"
        )
        rows = [
            f"  {k.replace('_', ' '):22s} {fmt(m.get(k), 4):>8s}  {self.reference} {fmt(r.get(k), 4)}"
            for k in HEADLINE
        ]
        return head + "\n".join(rows) + "\n" + self.satisfaction_note()

    def satisfaction_note(self) -> str:
        """What the p20 satisfaction of :attr:`metrics` was normalized over, in one line.

        Examples
        --------
        >>> from plurisim import negotiate, scenarios
        >>> note = negotiate(scenarios.load("toy-park"), seed=0).satisfaction_note()
        >>> note.split(" over ")[1]
        'the 3 outcomes (the 2 base designs and this package), then the 20th percentile'
        """
        names = list(self.details.get("normalized_over", []))
        if not names:  # a result saved before the names were recorded
            return (
                "p20 satisfaction: each group's utility rescaled from its lowest (0) to its "
                "highest (1) over the scenario's base designs and this package."
            )
        others = [n for n in names if n != self.outcome.name]
        if others == ["status_quo"]:
            which = "(the status quo and this package)"
        else:
            k = len(others)
            which = f"(the {k} base design{'s' if k != 1 else ''} and this package)"
        return satisfaction_note(max(len(names), 1), 20, which)


def _scored_names(problem: Problem, outcome: Outcome) -> list[str]:
    """The rows the evaluator normalizes over: base designs (else the status quo), then ``outcome``."""
    names = [problem.design_label(d) for d in problem.base_designs] or ["status_quo"]
    return [*names, outcome.name]


def _evaluator(
    problem: Problem, outcome: Outcome, utilities: Any, space: PackageSpace | None
) -> Callable[[], Mapping[str, Any]]:
    """The evaluator's figures for ``outcome``, computed when first asked for."""

    def evaluate() -> Mapping[str, Any]:
        from plurisim.evaluation import is_dominated, score  # pandas: only when asked

        scores = score(problem, [outcome])
        return {
            "metrics": scores.metrics(outcome.name),
            "reference_metrics": scores.reference_metrics(),
            "reference": scores.reference,
            "pareto_dominated": None if space is None else is_dominated(problem, utilities, space),
        }

    return evaluate
