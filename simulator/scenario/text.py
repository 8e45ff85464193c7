"""A scenario as readable text: what ``plurisim scenarios show`` prints.

Examples
--------
>>> from plurisim import scenarios
>>> from plurisim.scenario import scenario_text
>>> print(scenario_text(scenarios.load("toy-park")).splitlines()[0])
Redesigning a small neighbourhood park  [toy-park]
"""

from __future__ import annotations

import textwrap

from plurisim.errors import ScenarioError
from plurisim.formatting import fmt, table
from plurisim.scenario.schema import Scenario

__all__ = ["scenario_text"]


def scenario_text(s: Scenario) -> str:
    """A scenario as readable text: what ``plurisim scenarios show`` prints.

    The criteria, the groups (weights, baselines, SVO), the interventions with their
    common effects and constraints, the effect of each intervention on each group
    where the file gives a group its own, the base designs and the sources. A
    scenario built from ballots (a Pabulib file) shows its voters' groups, the
    projects with their votes and what each group's voters get from each project.

    Parameters
    ----------
    s : Scenario

    Returns
    -------
    str

    Examples
    --------
    >>> from plurisim import scenarios
    >>> from plurisim.scenario import scenario_text
    >>> text = scenario_text(scenarios.load("community-budget"))
    >>> "Effect on each group where it differs" in text
    True
    >>> scenario_text("toy-park")
    Traceback (most recent call last):
    ...
    plurisim.errors.ScenarioError: scenario_text needs a Scenario (plurisim.scenarios.load gives one); got str.
    """
    if not isinstance(s, Scenario):
        raise ScenarioError(
            "scenario_text needs a Scenario (plurisim.scenarios.load gives one); "
            f"got {type(s).__name__}."
        )
    if s.ballots is not None:
        return _ballots_text(s)
    crit = s.criterion_ids
    weights = s.group_weights()
    out = [f"{s.title}  [{s.name}]", ""]
    if s.description:
        out += [textwrap.fill(" ".join(s.description.split()), 88), ""]
    out.append(f"Budget: {fmt(s.budget)}")
    out.append("")
    out.append("Criteria")
    out.append(
        table(
            [
                [c.id, c.name, "-" if c.scale is None else f"{fmt(c.scale[0])}..{fmt(c.scale[1])}"]
                for c in s.criteria
            ],
            ["id", "label", "scale"],
        )
    )
    out += ["", "Groups (weights over criteria, then baseline ratings)"]
    rows = []
    for g, w in zip(s.groups, weights, strict=True):
        rows.append(
            [g.id, g.size]
            + [float(x) for x in w]
            + [" ".join(fmt(g.baseline[c], 2) for c in crit)]
            + ["-" if g.svo_angle is None else g.svo_angle]
        )
    out.append(table(rows, ["group", "size", *[f"w:{c}" for c in crit], "baseline", "svo"], 2))
    out += ["", "Interventions (effect on each criterion; * = differs by group)"]
    rows = []
    for iv in s.interventions:
        eff = " ".join(f"{k}{v:+g}" for k, v in iv.effects.items())
        if iv.group_effects:
            eff += " *"
        extra = []
        if iv.excludes:
            extra.append("excludes " + ",".join(iv.excludes))
        if iv.requires:
            extra.append("requires " + ",".join(iv.requires))
        rows.append([iv.id, iv.cost, eff, "; ".join(extra)])
    out.append(table(rows, ["id", "cost", "effects", "constraints"]))
    out += _group_effects(s)
    if s.base_designs:
        out += ["", "Base designs"]
        rows = [
            [b.id, b.name, s.base_design_cost(b), ", ".join(b.interventions)]
            for b in s.base_designs
        ]
        out.append(table(rows, ["design", "label", "cost", "interventions"]))
    prov = s.provenance
    if prov.sources or prov.license or prov.derived_by or prov.notes:
        out += ["", "Sources"]
        for src in prov.sources:
            if isinstance(src, str):
                out.append(f"- {src}")
            else:
                bits = [src.title] + [b for b in (src.url, src.license) if b]
                out.append("- " + "; ".join(bits))
        if prov.license:
            out.append(f"License: {prov.license}")
        if prov.derived_by:
            out.append(f"Derived by: {prov.derived_by}")
        if prov.notes:
            out.append(textwrap.fill(" ".join(prov.notes.split()), 88))
    return "\n".join(out)


def _ballots_text(s: Scenario) -> str:
    """A scenario built from ballots as text: voters' groups, projects, the city's outcome."""
    b = s.ballots
    assert b is not None
    crit = s.criterion_ids[0]
    gids = s.group_ids
    out = [f"{s.title}  [{s.name}]", ""]
    if s.description:
        out += [textwrap.fill(" ".join(s.description.split()), 88), ""]
    out.append(f"Budget: {fmt(s.budget)}")
    out.append(f"Utility: {s.criteria[0].description} [{b.kind}]")
    out += ["", "Groups of voters"]
    out.append(table([[g.id, g.name, g.size] for g in s.groups], ["group", "label", "voters"]))
    funded = {i for d in s.base_designs for i in d.interventions}
    out += ["", "Projects (votes: approvals or points; * = in a base design)"]
    rows = [
        [iv.id, iv.name[:48], iv.cost, float(v), "*" if iv.id in funded else ""]
        for iv, v in zip(s.interventions, b.votes, strict=True)
    ]
    out.append(table(rows, ["id", "label", "cost", "votes", "funded"]))
    means = [
        [iv.id, *(iv.group_effects.get(g, {}).get(crit, 0.0) for g in gids)]
        for iv in s.interventions
    ]
    out += ["", "Effect of each project on each group: its voters' mean utility when it is funded"]
    out.append(table(means, ["project", *gids]))
    if s.base_designs:
        out += ["", "Base designs"]
        rows = [[d.id, d.name, s.base_design_cost(d), len(d.interventions)] for d in s.base_designs]
        out.append(table(rows, ["design", "label", "cost", "projects"]))
    notes = s.notes()
    if notes:
        out += ["", "Notes"] + [f"- {n}" for n in notes]
    for src in s.provenance.sources:
        out += ["", "Source: " + (src if isinstance(src, str) else src.title)]
    return "\n".join(out)


def _group_effects(s: Scenario) -> list[str]:
    """The effect of each intervention on each group that the file gives its own."""
    crit = s.criterion_ids
    rows = []
    for iv in s.interventions:
        for g in s.group_ids:
            own = iv.group_effects.get(g)
            if own:
                rows.append([iv.id, g, *(own.get(c, iv.effects.get(c, 0.0)) for c in crit)])
    if not rows:
        return []
    return [
        "",
        "Effect on each group where it differs (every other group gets the common effect)",
        table(rows, ["intervention", "group", *crit]),
    ]
