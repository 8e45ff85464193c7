"""The transcript of a negotiation: what happened each round, in plain words and numbers.

Every entry is plain data (JSON-ready); :func:`to_markdown` renders the whole
transcript for a person to read. It is the researcher's record: beside what was
said in public it shows the true utilities and satisfaction (marked as such), which
the mediator never saw under private information. Words that came from a model or
a scenario file are escaped, so they cannot forge headings or rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from plurisim.formatting import escape_markdown, fmt
from plurisim.metrics import gini

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation
    from plurisim.negotiation.messages import Pricing, RoundRecord

__all__ = ["opening", "round_entry", "to_markdown"]

MAX_LISTED = 12  # stakeholders listed one by one per round before summarizing by group


def opening(model: Negotiation) -> dict[str, Any]:
    """Round 0: the protocol, what is public, the disagreement point."""
    p, d = model.problem, model.disagreement
    return {
        "round": 0,
        "protocol": model.params.protocol,
        "information": model.params.information,
        "budget": p.budget,
        "disagreement": d.point,
        "disagreement_label": p.design_label(d.design) if d.design else d.point,
        "disagreement_package": list(d.package),
        "stakeholders": model.params.stakeholders,
        "n_stakeholders": len(model.units),
        "ideal": {gid: float(v) for gid, v in zip(p.groups, model.group_ideal, strict=True)},
        "reservation": {
            gid: float(v) for gid, v in zip(p.groups, model.group_reserve, strict=True)
        },
        "ideal_exact": bool(model.units.ideal_exact),
    }


def round_entry(model: Negotiation, record: RoundRecord) -> dict[str, Any]:
    """The record of the round just played, as plain data."""
    p = model.problem
    labels = p.intervention_labels
    x, r = record.proposal, record.responses
    u = p.group_utilities(x)
    entry: dict[str, Any] = {
        "round": record.round,
        "proposer": record.proposer,
        "proposal": list(p.package_ids(x)),
        "cost": float(p.costs @ x),
        "group_utilities": {gid: float(v) for gid, v in zip(p.groups, u, strict=True)},
        "total_utility": float(u.sum()),
        "worst_group_utility": float(u.min()),
        "gini": gini(u),
        "acceptance_share": record.acceptance_share,
        "accepting": list(record.accepting_groups),
    }
    for key in ("rationale", "mediator", "mutations", "accepted_mutations", "released"):
        if key in record.details:
            entry[key] = record.details[key]
    if len(model.units) <= MAX_LISTED:
        entry["responses"] = [
            {
                "stakeholder": model.stakeholder_label(i),
                "group": p.groups[int(model.units.group[i])],
                "accept": bool(r.accept[i]),
                "stated": float(r.stated[i]),
                "value": float(r.value[i]),
                "aspiration": float(r.aspiration[i]),
                "demand": None if r.demand(i) is None else r.demand(i).describe(labels),  # type: ignore[union-attr]
                "argument": r.arguments.get(i, ""),
                "source": r.sources.get(i, "rule"),
            }
            for i in range(len(model.units))
        ]
    else:
        entry["groups"] = _group_summary(model, record)
    entry["demands"] = [_pricing(model, pr) for pr in record.details.get("pricings", [])]
    entry["commitments"] = sorted(p.interventions[j] for j in model.view.commitments)
    entry["lambda"] = {
        gid: float(v) for gid, v in zip(p.groups, model.view.group_lambda(), strict=True)
    }
    entry["estimation_error"] = model.stats.get("estimation_error")
    if model.units.beliefs is not None:
        from plurisim.negotiation.deliberation import information_gap, value_conflict

        entry["information_gap"] = information_gap(model.units.beliefs)
        entry["value_conflict"] = value_conflict(model.units.weights, model.units.group, p.n_groups)
    entry["outcome"] = model.stop_reason or "continue"
    return entry


def _group_summary(model: Negotiation, record: RoundRecord) -> list[dict[str, Any]]:
    p, r = model.problem, record.responses
    labels = p.intervention_labels
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
    return rows


def _pricing(model: Negotiation, pr: Pricing) -> dict[str, Any]:
    p = model.problem
    return {
        "demand": pr.demand.describe(p.intervention_labels),
        "supporters": [p.groups[g] for g in pr.supporters],
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
    improvements: Sequence[dict[str, Any]] = (),
) -> str:
    """Render a transcript (opening, rounds, improvement phase) as Markdown."""
    gl = {k: escape_markdown(v) for k, v in group_labels.items()}
    il = {k: escape_markdown(v) for k, v in labels.items()}
    out = [f"# {escape_markdown(title)}", ""]
    for e in entries:
        out += _opening_md(e, gl, il) if e["round"] == 0 else _round_md(e, gl, il)
    if improvements:
        out += ["## After agreement: Pareto improvements", ""]
        for k, imp in enumerate(improvements, start=1):
            verdict = "adopted" if imp["adopted"] else "not adopted"
            out.append(
                f"{k}. {_names(imp['package'], il)} (predicted gain {fmt(imp['predicted_gain'])}): "
                f"accepted by {', '.join(gl.get(g, g) for g in imp['accepting']) or 'nobody'}; "
                f"{verdict}."
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _names(ids: Sequence[str], labels: dict[str, str]) -> str:
    return ", ".join(labels.get(i, i) for i in ids) if ids else "nothing"


def _opening_md(e: dict[str, Any], gl: dict[str, str], labels: dict[str, str]) -> list[str]:
    out = [
        "## Round 0",
        "",
        f"Protocol: {e['protocol']}; information: {e['information']}; budget "
        f"{fmt(e['budget'])}. The disagreement point, announced to all, is "
        f"**{escape_markdown(str(e['disagreement_label']))}** "
        f"({_names(e['disagreement_package'], labels)}): it stands without agreement.",
        "",
        f"Stakeholders: {e['n_stakeholders']} ({e['stakeholders']}).",
        "",
        "| group | ideal utility (private) | utility without agreement (private) |",
        "|---|---|---|",
    ]
    for gid, ideal in e["ideal"].items():
        out.append(f"| {gl.get(gid, gid)} | {fmt(ideal)} | {fmt(e['reservation'][gid])} |")
    return [*out, ""]


def _round_md(e: dict[str, Any], gl: dict[str, str], labels: dict[str, str]) -> list[str]:
    out = [f"## Round {e['round']}", ""]
    who = {"mediator": "The mediator proposes", "text": "The single text now reads"}.get(
        e["proposer"], f"{gl.get(e['proposer'], e['proposer'])} offers"
    )
    text = f"{who} {_names(e['proposal'], labels)} (cost {fmt(e['cost'])})."
    if "mutations" in e:
        text += f" {e['accepted_mutations']} of {e['mutations']} mutations were accepted."
    out.append(text)
    if e.get("rationale"):
        out += ["", f"> {escape_markdown(e['rationale'])}"]
    out += [
        "",
        f"True total utility {fmt(e['total_utility'])}, worst group "
        f"{fmt(e['worst_group_utility'])}, Gini {fmt(e['gini'], 4)}; "
        f"{e['acceptance_share']:.0%} of the population accepts.",
        "",
    ]
    if "responses" in e:
        out += [
            "| stakeholder | stated satisfaction | value | aspiration | answer |",
            "|---|---|---|---|---|",
        ]
        for r in e["responses"]:
            answer = "accepts" if r["accept"] else f"rejects: {r['demand'] or 'no demand'}"
            if r.get("source") not in (None, "rule"):
                answer += f" ({escape_markdown(r['source'])})"
            out.append(
                f"| {escape_markdown(r['stakeholder'])} | {fmt(r['stated'])} | {fmt(r['value'])} "
                f"| {fmt(r['aspiration'])} | {answer} |"
            )
        args = [r for r in e["responses"] if r.get("argument")]
        if args:
            out.append("")
            out += [
                f"- {escape_markdown(r['stakeholder'])}: \u201c{escape_markdown(r['argument'])}\u201d"
                for r in args
            ]
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
    out += _demands_md(e, gl, labels)
    if e.get("released"):
        out += ["", f"Released commitments: {_names(e['released'], labels)}."]
    if e.get("commitments"):
        out += ["", f"Committed so far: {_names(e['commitments'], labels)}."]
    if "information_gap" in e:
        out += [
            "",
            f"After deliberation: information gap {fmt(e['information_gap'], 4)}, value "
            f"conflict {fmt(e['value_conflict'], 4)}.",
        ]
    ending = {
        "agreement": "**Agreement.**",
        "deadline": "**No agreement by the last round: the disagreement point stands.**",
        "patience": "**Nothing changed for too many rounds: no agreement; the disagreement "
        "point stands.**",
    }
    outcome = e.get("outcome", "continue")
    if outcome in ending:
        out += ["", ending[outcome]]
    return [*out, ""]


def _demands_md(e: dict[str, Any], gl: dict[str, str], labels: dict[str, str]) -> list[str]:
    if not e["demands"]:
        return []
    out = ["", "Demands, in the order they reached the mediator (effects as it predicts them):"]
    for d in e["demands"]:
        line = f"- {d['demand']} (asked by {', '.join(gl.get(g, g) for g in d['supporters'])})"
        if d["effects"] is None:
            line += f": refused, {d['reason']}."
        else:
            funded = (
                f", funded by dropping {_names(d['funded_by'], labels)}" if d["funded_by"] else ""
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
    return out
