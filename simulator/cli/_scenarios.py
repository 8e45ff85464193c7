"""``plurisim scenarios list | show NAME | validate FILE... | schema``.

``show`` and ``validate`` read Pabulib ``.pb`` files too (with ``--groups`` and
``--utility``): ``show`` lists the voters' groups, the projects with their votes and
what the city funded, and says so when the file does not tell.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from plurisim.cli._load import add_ballot_options, load_scenario_arg
from plurisim.errors import ScenarioError
from plurisim.formatting import fmt, table
from plurisim.scenario import Scenario, load_scenario, scenario_json_schema

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``scenarios`` command and its sub-commands."""
    p = sub.add_parser("scenarios", help="list, show, validate and explain scenario files")
    inner = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    inner.required = True

    p_list = inner.add_parser("list", help="the built-in scenarios, one line each")
    p_list.set_defaults(handler=_list)

    p_show = inner.add_parser("show", help="groups, interventions, costs, designs and sources")
    p_show.add_argument(
        "name", metavar="NAME", help="a built-in scenario name, a file path or a .pb file"
    )
    add_ballot_options(p_show)
    p_show.set_defaults(handler=_show)

    p_val = inner.add_parser("validate", help="check scenario files; exit 2 on the first bad one")
    p_val.add_argument("files", metavar="FILE", nargs="+")
    add_ballot_options(p_val)
    p_val.set_defaults(handler=_validate)

    p_schema = inner.add_parser("schema", help="print the JSON Schema of scenario files")
    p_schema.set_defaults(handler=_schema)


def _list(args: argparse.Namespace) -> int:
    from plurisim import scenarios

    rows = []
    for name in scenarios.list():
        s = scenarios.load(name)
        rows.append([name, len(s.groups), len(s.interventions), s.title])
    print(table(rows, ["name", "groups", "interventions", "description"]))
    return 0


def _show(args: argparse.Namespace) -> int:
    print(render(load_scenario_arg(args.name, args)))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from plurisim.scenario import compile_scenario

    for path in args.files:
        pb = path.lower().endswith(".pb")
        s = load_scenario_arg(path, args) if pb or args.groups or args.utility else None
        s = s if s is not None else load_scenario(path)
        compile_scenario(s, seed=0)
        for note in s.notes():
            print(f"plurisim: note: {path}: {note}", file=sys.stderr)
        voters = f", {s.ballots.n_voters:,} voters" if s.ballots is not None else ""
        print(
            f"OK: {path}: {s.name} ({len(s.groups)} groups, {len(s.criteria)} criteria, "
            f"{len(s.interventions)} interventions, {len(s.base_designs)} base designs{voters})"
        )
    return 0


def _schema(args: argparse.Namespace) -> int:
    json.dump(scenario_json_schema(), sys.stdout, indent=2)
    print()
    return 0


def render(s: Scenario) -> str:
    """A scenario as text: what ``plurisim scenarios show`` prints."""
    if not isinstance(s, Scenario):  # pragma: no cover - defensive
        raise ScenarioError("not a scenario")
    if s.ballots is not None:
        return render_ballots(s)
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


def render_ballots(s: Scenario) -> str:
    """A scenario built from ballots as text: voters' groups, projects, the city's outcome."""
    b = s.ballots
    assert b is not None
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
