"""Run base designs and mechanisms on one scenario and compare them side by side.

Examples
--------
>>> from plurisim import scenarios
>>> from plurisim.comparison import compare
>>> c = compare(scenarios.load("toy-park"), mechanisms=["utilitarian", "maximin"])
>>> c.frame.index.tolist()
['Green retreat', 'Active park', 'utilitarian', 'maximin']
>>> c.reference
'Green retreat'
>>> type(c).from_json(c.to_json()).to_records() == c.to_records()
True
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from plurisim import registry
from plurisim.errors import ParameterError
from plurisim.evaluation import score
from plurisim.formatting import fmt, table
from plurisim.metrics import satisfaction_note
from plurisim.outcome import Outcome, to_jsonable
from plurisim.problem import Problem
from plurisim.progress import track
from plurisim.scenario import Scenario, compile_scenario
from plurisim.validation import check_seed

__all__ = ["Comparison", "compare", "plan_params"]


@dataclass(frozen=True, eq=False)
class Comparison:
    """Outcomes of one scenario and their metrics, one row per outcome.

    Attributes
    ----------
    scenario : str
    frame : pandas.DataFrame
        The evaluator's table (see :func:`plurisim.metrics.evaluate`).
    outcomes : tuple of Outcome
    groups : tuple of str
        Group ids, in scenario order.
    reference : str or None
        The row deltas are measured against (the best base design).
    percentile : float
    """

    scenario: str
    frame: pd.DataFrame
    outcomes: tuple[Outcome, ...] = ()
    groups: tuple[str, ...] = ()
    reference: str | None = None
    percentile: float = 20.0
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def pcol(self) -> str:
        """Name of the percentile-satisfaction column."""
        return f"p{self.percentile:g}_satisfaction"

    def to_frame(self) -> pd.DataFrame:
        """A copy of the metrics table."""
        return self.frame.copy()

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready object per outcome (the ``compare --format json`` form).

        Each carries ``"params"``, the parameters the outcome was computed with (after
        defaults), and, for the rules that use one, ``"disagreement"`` (its name).
        """
        by_name = {o.name: o for o in self.outcomes}
        out = []
        for name, row in self.frame.iterrows():
            rec: dict[str, Any] = {"outcome": name}
            outcome = by_name.get(str(name))
            rec["params"] = dict(outcome.params) if outcome is not None else {}
            if "disagreement" in rec["params"]:
                rec["disagreement"] = rec["params"]["disagreement"]
            groups = {}
            for col, value in row.items():
                if str(col).startswith("u:"):
                    groups[str(col)[2:]] = value
                elif col == "package":
                    rec["package"] = [p for p in str(value).split("; ") if p]
                else:
                    rec[str(col)] = value
            rec["group_utilities"] = groups
            out.append(to_jsonable(rec))
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """The comparison as JSON: scenario, reference and the records."""
        doc = {
            "scenario": self.scenario,
            "reference": self.reference,
            "percentile": self.percentile,
            "groups": list(self.groups),
            "columns": [str(c) for c in self.frame.columns],
            "outcomes": self.to_records(),
            "details": [o.to_dict() for o in self.outcomes],
            "meta": to_jsonable(dict(self.meta)),
        }
        return json.dumps(doc, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Comparison:
        """Rebuild a comparison from :meth:`to_json` output."""
        doc = json.loads(text)
        rows = []
        for rec in doc["outcomes"]:
            row = {
                k: v
                for k, v in rec.items()
                if k not in ("group_utilities", "params", "disagreement")
            }
            row["package"] = "; ".join(rec.get("package", []))
            for gid, val in rec.get("group_utilities", {}).items():
                row[f"u:{gid}"] = val
            rows.append(row)
        frame = (
            pd.DataFrame(rows)
            .set_index("outcome")
            .astype(dict.fromkeys(_float_columns(rows), float))
        )
        if "columns" in doc:
            frame = frame[doc["columns"]]
        return cls(
            scenario=doc["scenario"],
            frame=frame,
            outcomes=tuple(Outcome.from_dict(d) for d in doc.get("details", [])),
            groups=tuple(doc.get("groups", [])),
            reference=doc.get("reference"),
            percentile=float(doc.get("percentile", 20.0)),
            meta=doc.get("meta", {}),
        )

    def to_csv(self, path: str | None = None) -> str:
        """The table as CSV (written to ``path`` when given); returns the text."""
        buf = io.StringIO()
        self.frame.to_csv(buf, float_format="%.10g")
        text = buf.getvalue()
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    def to_table(self) -> str:
        """Every metric as readable text: headline, further measures, group utilities."""
        f = self.frame
        pc = self.pcol
        lines = [f"Scenario: {self.scenario}"]
        if self.reference is not None:
            lines.append(f"Reference (best base design): {self.reference}")
        lines.append("")
        head = [
            "outcome",
            "kind",
            "cost",
            "total",
            "worst",
            pc.replace("_satisfaction", " sat"),
            "gini",
        ]
        has_delta = "delta_total_utility" in f
        if has_delta:
            head += ["Δtotal", "Δworst", "Δ" + pc.split("_")[0], "Δgini"]
        rows = []
        for name, r in f.iterrows():
            row = [
                name,
                _kind(r["kind"]),
                r["cost"],
                r["total_utility"],
                r["worst_group_utility"],
                r[pc],
                r["gini"],
            ]
            if has_delta:
                row += [
                    _signed(r["delta_total_utility"]),
                    _signed(r["delta_worst_group_utility"]),
                    _signed(r[f"delta_{pc}"]),
                    _signed(r["delta_gini"], 4),
                ]
            rows.append(row)
        lines.append(table(rows, head))
        lines.append(self.satisfaction_note())
        extra_cols = [
            c
            for c in (
                "mean_utility",
                "utility_gap",
                "atkinson",
                "nash_welfare",
                "gini_individuals",
                "voters_with_funded_approval",
                "gini_voters",
                "budget_used",
                "pareto_dominated",
                "dist_pareto",
                "dist_nash",
                "dist_kalai",
            )
            if c in f
        ]
        lines += [
            "",
            table(
                [[n, *(r[c] for c in extra_cols)] for n, r in f.iterrows()],
                ["outcome", *[c.replace("_", " ") for c in extra_cols]],
            ),
        ]
        gcols = [c for c in f.columns if str(c).startswith("u:")]
        lines += [
            "",
            "Utility of each group",
            table(
                [[n, *(r[c] for c in gcols)] for n, r in f.iterrows()],
                ["outcome", *[c[2:] for c in gcols]],
            ),
        ]
        scols = [c for c in f.columns if str(c).startswith("spend_share:")]
        if scols:
            lines += [
                "",
                "Share of the spending each group's voters approved (mean over its voters)",
                table(
                    [[n, *(r[c] for c in scols)] for n, r in f.iterrows()],
                    ["outcome", *[c.split(":", 1)[1] for c in scols]],
                ),
            ]
        lines += ["", "Packages"]
        lines += [f"  {n}: {r['package'] or '(nothing)'}" for n, r in f.iterrows()]
        return "\n".join(lines)

    def satisfaction_note(self) -> str:
        """What the percentile satisfaction column was normalized over, in one line.

        Examples
        --------
        >>> from plurisim import scenarios
        >>> c = compare(scenarios.load("toy-park"), mechanisms=["maximin"])
        >>> c.satisfaction_note().split(" over ")[1]
        'the 3 outcomes in this table, then the 20th percentile'
        """
        return satisfaction_note(len(self.frame), self.percentile)

    def __str__(self) -> str:
        return self.to_table()

    def _repr_html_(self) -> str:
        return str(self.frame.to_html(float_format=lambda v: fmt(v)))


def _kind(kind: str) -> str:
    return {"base_design": "design", "mechanism": "rule", "negotiated": "negotiated"}.get(
        kind, kind
    )


def _signed(value: float, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if abs(value) < 0.5 * 10 ** (-digits):
        return "0"
    return f"{value:+.{digits}f}"


def _float_columns(rows: list[dict[str, Any]]) -> list[str]:
    keys = {k for r in rows for k in r}
    skip = {"kind", "mechanism", "package", "status", "pareto_dominated", "n_interventions"}
    return sorted(k for k in keys if k not in skip and k != "outcome")


def _mechanism_names(mechanisms: Iterable[str] | None) -> list[str]:
    """The mechanisms to compare: registered names, at least one, each once."""
    if mechanisms is None:
        return list(registry.DEFAULT_COMPARE)
    if isinstance(mechanisms, str):
        mechanisms = [mechanisms]
    names = list(mechanisms)
    if not names:
        raise ParameterError(
            "The 'mechanisms' parameter of compare must name at least one mechanism. "
            "Got none instead."
        )
    seen: set[str] = set()
    for name in names:
        registry.get(name)
        if name in seen:
            raise ParameterError(
                f"The 'mechanisms' parameter of compare names {name!r} twice; "
                "name each mechanism once."
            )
        seen.add(name)
    return names


def compare(
    scenario: Scenario | Problem,
    *,
    mechanisms: Iterable[str] | None = None,
    base_designs: bool = True,
    seed: int | None = 0,
    percentile: float = 20.0,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    common: Mapping[str, Any] | None = None,
    distances: bool = True,
) -> Comparison:
    """Run base designs and mechanisms on one scenario and evaluate them together.

    Parameters
    ----------
    scenario : Scenario or Problem
    mechanisms : iterable of str, optional
        Mechanism names; by default :data:`plurisim.registry.DEFAULT_COMPARE`.
    base_designs : bool
        Include every base design of the scenario.
    seed : int or None
        Seeds compilation (individuals) and any stochastic mechanism.
    percentile : float
    params : mapping of mechanism name to its parameters
    common : mapping, optional
        Parameters given to every mechanism that declares them (such as
        ``time_limit`` or ``disagreement``); ``params`` wins where both set one.
    distances : bool
        Pareto check and distances (see :func:`plurisim.evaluation.evaluate`).

    Returns
    -------
    Comparison

    Raises
    ------
    ParameterError
        Before anything runs, for an unknown mechanism or a bad parameter.
    """
    check_seed(seed, "compare")
    names = _mechanism_names(mechanisms)
    given = plan_params(names, params or {}, common or {})
    problem = scenario if isinstance(scenario, Problem) else compile_scenario(scenario, seed=seed)
    disagreement = str(dict(common or {}).get("disagreement", "best-base-design"))
    if isinstance(seed, np.random.Generator):
        rngs = seed.spawn(len(names))
    else:
        rngs = [np.random.default_rng(ss) for ss in np.random.SeedSequence(seed).spawn(len(names))]
    outcomes = [
        registry.run(problem, name, rng=rng, **given[name])
        for name, rng in track(list(zip(names, rngs, strict=True)), desc="mechanisms")
    ]
    scores = score(
        problem,
        outcomes,
        percentile=percentile,
        distances=distances,
        disagreement=disagreement,
        with_designs=base_designs,
    )
    return Comparison(
        scenario=problem.name,
        frame=scores.frame,
        outcomes=tuple(outcomes),
        groups=problem.groups,
        reference=scores.frame.attrs.get("reference"),
        percentile=float(percentile),
        meta={
            "seed": seed if isinstance(seed, int) else None,
            "mechanisms": names,
            "normalized_over": list(scores.frame.index),
        },
    )


def plan_params(
    names: Iterable[str],
    params: Mapping[str, Mapping[str, Any]],
    common: Mapping[str, Any],
) -> dict[str, dict[str, Any]]:
    """Each mechanism's parameters: the common ones it declares, then its own; all validated.

    Examples
    --------
    >>> plan_params(["maximin", "greedy"], {}, {"time_limit": 5.0})
    {'maximin': {'time_limit': 5.0}, 'greedy': {}}
    >>> plan_params(["greedy"], {"greedy": {"rounds": 3}}, {})
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The mechanism 'greedy' has no parameter 'rounds'; its parameters: weighting, score, tie_break.
    """
    names = list(names)
    for name in params:
        if name not in names:
            raise ParameterError(
                f"Parameters were given for {name!r}, which is not among the mechanisms "
                f"compared ({', '.join(names)})."
            )
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        info = registry.get(name)
        mine = {k: v for k, v in common.items() if info.param(k) is not None}
        mine.update(params.get(name, {}))
        info.resolve(mine)  # refuse bad values before anything runs
        out[name] = mine
    return out
