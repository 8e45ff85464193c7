"""The transcript of a negotiation: what happened each round, in plain words and numbers.

Every entry is plain data (JSON-ready); :func:`to_markdown` renders the whole
transcript for a person to read. The numbers (utilities, totals, Gini) are computed
by the same utility model and metrics as the evaluator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from plurisim.formatting import fmt
from plurisim.metrics import gini

if TYPE_CHECKING:
    from plurisim.negotiation.model import NegotiationModel

__all__ = ["opening", "round_entry", "to_markdown"]

MAX_LISTED = 12  # individual stakeholders listed per round before summarizing by group


def opening(model: NegotiationModel) -> dict[str, Any]:
    """Round 0: the rubric, the reference design, ideals and reservations."""
    p = model.problem
    ref_u = p.group_utilities(model.reference_mask)
    return {
        "round": 0,
        "rubric": "total utility (sum over groups)",
        "budget": p.budget,
        "reference": model.reference.label
        or model.reference.details.get("design_label")
        or (
            "status quo" if model.reference.mechanism == "status_quo" else model.reference.mechanism
        ),
        "reference_package": list(model.reference.package),
        "reference_total": float(ref_u.sum()),
        "reference_worst": float(ref_u.min()),
        "stakeholders": model.params.stakeholders,
        "n_stakeholders": len(model.units),
        "ideal": {gid: float(v) for gid, v in zip(p.groups, model.group_ideal, strict=True)},
        "reservation": {
            gid: float(v) for gid, v in zip(p.groups, model.group_reserve, strict=True)
        },
        "ideal_exact": bool(model.units.ideal_exact),
    }


def round_entry(model: NegotiationModel, u: np.ndarray, s: np.ndarray) -> dict[str, Any]:
    """The record of the round just played."""
    p = model.problem
    labels = p.intervention_labels
    assert model.proposal is not None and model.responses is not None
    r = model.responses
    entry: dict[str, Any] = {
        "round": model.round,
        "proposal": list(p.package_ids(model.proposal)),
        "cost": float(p.costs @ model.proposal),
        "fallback": bool(model.mediator.fallback_used),
        "rationale": model.mediator.rationale,
        "mediator": model.mediator.source,
        "group_utilities": {gid: float(v) for gid, v in zip(p.groups, u, strict=True)},
        "group_satisfaction": {gid: float(v) for gid, v in zip(p.groups, s, strict=True)},
        "total_utility": float(u.sum()),
        "worst_group_utility": float(u.min()),
        "gini": gini(u),
        "acceptance_share": model.acceptance_share,
    }
    if len(model.units) <= MAX_LISTED:
        entry["responses"] = [
            {
                "stakeholder": agent.label,
                "group": p.groups[agent.group],
                "accept": bool(r.accept[i]),
                "satisfaction": float(r.satisfaction[i]),
                "value": float(r.value[i]),
                "aspiration": float(r.aspiration[i]),
                "shortfall": float(r.shortfall[i]),
                "demand": None if r.demand(i) is None else r.demand(i).describe(labels),  # type: ignore[union-attr]
                "argument": r.arguments.get(i, ""),
                "source": r.sources.get(i, "rule"),
            }
            for i, agent in enumerate(model.stakeholders)
        ]
    else:
        rows = []
        for g, gid in enumerate(p.groups):
            members = model.units.members(g)
            if members.size == 0:
                continue
            asking = members[r.demand_add[members] >= 0]
            top = None
            if asking.size:
                codes = r.demand_add[asking] * (p.n_interventions + 1) + r.demand_drop[asking] + 1
                uniq, counts = np.unique(codes, return_counts=True)
                first = asking[np.flatnonzero(codes == uniq[int(np.argmax(counts))])[0]]
                demand = r.demand(int(first))
                top = None if demand is None else demand.describe(labels)
            rows.append(
                {
                    "group": gid,
                    "members": int(members.size),
                    "accept_share": float(r.accept[members].mean()),
                    "mean_value": float(r.value[members].mean()),
                    "mean_aspiration": float(r.aspiration[members].mean()),
                    "top_demand": top,
                }
            )
        entry["groups"] = rows
    entry["demands"] = [_pricing(model, pr) for pr in model.pricings]
    entry["commitments"] = list(p.package_ids(model.commitments))
    entry["weights"] = {
        gid: float(v) for gid, v in zip(p.groups, model.group_weights(), strict=True)
    }
    if model.units.beliefs is not None:
        from plurisim.negotiation.deliberation import information_gap, value_conflict

        entry["information_gap"] = information_gap(model.units.beliefs)
        entry["value_conflict"] = value_conflict(model.units.weights, model.units.group, p.n_groups)
    entry["outcome"] = model.stop_reason or "continue"
    return entry


def _pricing(model: NegotiationModel, pr: Any) -> dict[str, Any]:
    p = model.problem
    labels = p.intervention_labels
    who = pr.supporters
    if len(model.units) <= MAX_LISTED:
        supporters: Any = [model.stakeholders[i].label for i in who]
    else:
        supporters = len(who)
    return {
        "demand": pr.demand.describe(labels),
        "supporters": supporters,
        "priority": float(pr.priority),
        "funded_by": [p.interventions[j] for j in pr.dropped],
        "effects": None
        if pr.delta is None
        else {gid: float(v) for gid, v in zip(p.groups, pr.delta, strict=True)},
        "total_before": float(pr.total_before),
        "total_after": float(pr.total_after),
        "admitted": bool(pr.admitted),
        "reason": pr.reason,
    }


def to_markdown(
    entries: Sequence[dict[str, Any]],
    group_labels: dict[str, str],
    labels: dict[str, str],
    title: str,
) -> str:
    """Render a transcript (opening plus rounds) as Markdown."""
    out = [f"# {title}", ""]
    for e in entries:
        if e["round"] == 0:
            out += _opening_md(e, group_labels, labels)
        else:
            out += _round_md(e, group_labels, labels)
    return "\n".join(out).rstrip() + "\n"


def _names(ids: Sequence[str], labels: dict[str, str]) -> str:
    return ", ".join(labels.get(i, i) for i in ids) if ids else "nothing"


def _opening_md(e: dict[str, Any], gl: dict[str, str], labels: dict[str, str]) -> list[str]:
    out = [
        "## Round 0: the rubric",
        "",
        f"The mediator scores packages by {e['rubric']} within a budget of {fmt(e['budget'])}. "
        f"The reference design is **{e['reference']}** ({_names(e['reference_package'], labels)}): "
        f"total utility {fmt(e['reference_total'])}, worst group {fmt(e['reference_worst'])}. "
        "No group will be offered less than it gets there.",
        "",
        f"Stakeholders: {e['n_stakeholders']} ({e['stakeholders']}).",
        "",
        "| group | ideal utility | reservation utility |",
        "|---|---|---|",
    ]
    for gid, ideal in e["ideal"].items():
        out.append(f"| {gl.get(gid, gid)} | {fmt(ideal)} | {fmt(e['reservation'][gid])} |")
    if not e.get("ideal_exact", True):
        out += [
            "",
            "Individuals' ideals are bounded from below by the ideal packages of sampled members.",
        ]
    return [*out, ""]


def _round_md(e: dict[str, Any], gl: dict[str, str], labels: dict[str, str]) -> list[str]:
    out = [f"## Round {e['round']}", ""]
    text = f"The mediator proposes {_names(e['proposal'], labels)} (cost {fmt(e['cost'])})."
    if e.get("fallback"):
        text += (
            " No package keeps every group at its reservation, so it maximizes the smallest slack."
        )
    out.append(text)
    if e.get("rationale"):
        out += ["", f"> {e['rationale']}"]
    out += [
        "",
        f"Total utility {fmt(e['total_utility'])}, worst group {fmt(e['worst_group_utility'])}, "
        f"Gini {fmt(e['gini'], 4)}; {e['acceptance_share']:.0%} of the population accepts.",
        "",
    ]
    if "responses" in e:
        out += [
            "| stakeholder | utility | satisfaction | value | aspiration | answer |",
            "|---|---|---|---|---|---|",
        ]
        for r in e["responses"]:
            answer = "accepts" if r["accept"] else f"rejects: {r['demand'] or 'no demand'}"
            if r.get("source") not in (None, "rule"):
                answer += f" ({r['source']})"
            out.append(
                f"| {r['stakeholder']} | {fmt(e['group_utilities'][r['group']])} | {fmt(r['satisfaction'])} | "
                f"{fmt(r['value'])} | {fmt(r['aspiration'])} | {answer} |"
            )
        args = [r for r in e["responses"] if r.get("argument")]
        if args:
            out.append("")
            out += [f"- {r['stakeholder']}: \u201c{r['argument']}\u201d" for r in args]
    else:
        out += [
            "| group | members | accepting | mean value | mean aspiration | most asked |",
            "|---|---|---|---|---|---|",
        ]
        for r in e["groups"]:
            out.append(
                f"| {gl.get(r['group'], r['group'])} | {r['members']} | {r['accept_share']:.0%} | "
                f"{fmt(r['mean_value'])} | {fmt(r['mean_aspiration'])} | {r['top_demand'] or '-'} |"
            )
    if e["demands"]:
        out += ["", "Demands, in the order they reached the mediator:"]
        for d in e["demands"]:
            who = (
                d["supporters"] if isinstance(d["supporters"], int) else ", ".join(d["supporters"])
            )
            line = f"- {d['demand']} (asked by {who})"
            if d["effects"] is None:
                line += f": refused, {d['reason']}."
            else:
                funded = (
                    f", funded by dropping {_names(d['funded_by'], labels)}"
                    if d["funded_by"]
                    else ""
                )
                gains = (
                    "; ".join(
                        f"{gl.get(g, g)} {v:+.3f}" for g, v in d["effects"].items() if abs(v) > 5e-4
                    )
                    or "no group changes"
                )
                verdict = "admitted" if d["admitted"] else "refused"
                line += (
                    f"{funded}: total {fmt(d['total_before'])} -> {fmt(d['total_after'])} ({gains}); "
                    f"{verdict}, {d['reason']}."
                )
            out.append(line)
    if e.get("commitments"):
        out += ["", f"Committed so far: {_names(e['commitments'], labels)}."]
    if "information_gap" in e:
        out += [
            "",
            f"After deliberation: information gap {fmt(e['information_gap'], 4)}, value conflict {fmt(e['value_conflict'], 4)}.",
        ]
    outcome = e.get("outcome", "continue")
    if outcome == "agreement":
        out += ["", "**Agreement.**"]
    elif outcome == "round limit":
        out += ["", "**No agreement by the last round: the reference design stands.**"]
    elif outcome == "patience":
        out += [
            "",
            "**Nothing changed for too many rounds: the negotiation ends without agreement and the reference design stands.**",
        ]
    else:
        weights = ", ".join(f"{gl.get(g, g)} {v:.3f}" for g, v in e["weights"].items())
        out += ["", f"Mediator weights now: {weights}."]
    return [*out, ""]
