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
from plurisim.formatting import fmt, table
from plurisim.metrics import evaluate
from plurisim.outcome import Outcome, to_jsonable
from plurisim.problem import Problem
from plurisim.scenario import Scenario, compile_scenario

__all__ = ["Comparison", "compare"]


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
        """One JSON-ready object per outcome (the ``compare --format json`` form)."""
        out = []
        for name, row in self.frame.iterrows():
            rec: dict[str, Any] = {"outcome": name}
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
            row = {k: v for k, v in rec.items() if k not in ("group_utilities",)}
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
        extra_cols = [
            c
            for c in (
                "mean_utility",
                "utility_gap",
                "atkinson",
                "nash_welfare",
                "gini_individuals",
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
        lines += ["", "Packages"]
        lines += [f"  {n}: {r['package'] or '(nothing)'}" for n, r in f.iterrows()]
        return "\n".join(lines)

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


def compare(
    scenario: Scenario | Problem,
    *,
    mechanisms: Iterable[str] | None = None,
    base_designs: bool = True,
    seed: int | None = 0,
    percentile: float = 20.0,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    distances: bool = True,
) -> Comparison:
    """Run base designs and mechanisms on one scenario and evaluate them together.

    Parameters
    ----------
    scenario : Scenario or Problem
    mechanisms : iterable of str, optional
        Mechanism names; by default :data:`plurisim.mechanisms.DEFAULT_COMPARE`.
    base_designs : bool
        Include every base design of the scenario.
    seed : int or None
        Seeds compilation (individuals) and any stochastic mechanism.
    percentile : float
    params : mapping of mechanism name to its parameters
    distances : bool
        Pareto check and distances (see :func:`plurisim.metrics.evaluate`).

    Returns
    -------
    Comparison
    """
    from plurisim import mechanisms as mech

    problem = scenario if isinstance(scenario, Problem) else compile_scenario(scenario, seed=seed)
    names = list(mechanisms) if mechanisms is not None else list(mech.DEFAULT_COMPARE)
    for name in names:
        mech.get(name)  # fail early on an unknown name
    params = dict(params or {})
    outcomes: list[Outcome] = []
    if base_designs:
        outcomes += mech.base_design_outcomes(problem)
    rngs = np.random.SeedSequence(seed).spawn(len(names))
    for name, ss in zip(names, rngs, strict=True):
        outcomes.append(
            mech.run(problem, name, rng=np.random.default_rng(ss), **dict(params.get(name, {})))
        )
    frame = evaluate(problem, outcomes, percentile=percentile, distances=distances)
    return Comparison(
        scenario=problem.name,
        frame=frame,
        outcomes=tuple(outcomes),
        groups=problem.groups,
        reference=frame.attrs.get("reference"),
        percentile=float(percentile),
        meta={"seed": seed, "mechanisms": names},
    )
