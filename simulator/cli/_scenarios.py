"""``plurisim scenarios list | show NAME | validate FILE... | schema``.

``show`` and ``validate`` read Pabulib ``.pb`` files too (with ``--groups`` and
``--utility``): ``show`` lists the voters' groups, the projects with their votes and
what the city funded, and says so when the file does not tell.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from plurisim.cli._load import add_ballot_options, load_scenario_arg
from plurisim.formatting import table
from plurisim.scenario import load_scenario, scenario_json_schema, scenario_text

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
    print(scenario_text(load_scenario_arg(args.name, args)))
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
