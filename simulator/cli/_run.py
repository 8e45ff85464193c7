"""``plurisim run SCENARIO``: one negotiation (or one mechanism), its verdict and its files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from plurisim.cli._load import add_ballot_options, load_scenario_arg
from plurisim.cli._output import add_quiet_option, progress, report_written
from plurisim.cli.params import add_llm_options, add_param_options, parse_assignments
from plurisim.negotiation.params import NEGOTIATION_PARAMS

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``run`` command: one option per negotiation parameter of the registry."""
    p = sub.add_parser("run", help="run the negotiation (or another mechanism) on a scenario")
    p.add_argument(
        "scenario", metavar="SCENARIO", help="a built-in scenario name, a file path or a .pb file"
    )
    add_ballot_options(p)
    p.add_argument(
        "--mechanism",
        default="negotiative",
        help="mechanism name (negotiative); other rules take --param NAME=VALUE",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for everything random (0)")
    add_param_options(p, NEGOTIATION_PARAMS)
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of --mechanism (repeatable; see plurisim compare --help)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--transcript",
        action="store_true",
        help="print the transcript (Markdown, ending with the verdict) instead of the verdict; "
        'with --json it goes into the JSON object as "transcript_markdown"',
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write result.json, rounds.csv, transcript.md and figures, and name each file",
    )
    add_quiet_option(p)
    add_llm_options(p, "LLM-backed agents")
    p.set_defaults(handler=run)


def negotiation_params(args: argparse.Namespace) -> dict[str, Any]:
    """The negotiation parameters given as options, typed and validated."""
    out: dict[str, Any] = {}
    for spec in NEGOTIATION_PARAMS:
        text = getattr(args, spec.name, None)
        if text is not None:
            out[spec.name] = spec.parse(text, "negotiate")
    if out.get("deliberation") is not None and "stakeholders" not in out:
        out["stakeholders"] = "individuals"
    return out


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim run``."""
    from plurisim import registry
    from plurisim.errors import ParameterError

    params = negotiation_params(args)
    if args.mechanism != "negotiative":
        info = registry.get(args.mechanism)
        if params or getattr(args, "llm", None) or args.transcript:
            given = [*params, *(["llm"] if getattr(args, "llm", None) else [])]
            given += ["transcript"] if args.transcript else []
            names = ", ".join("--" + n.replace("_", "-") for n in given)
            verb = "applies" if len(given) == 1 else "apply"
            why = " (the other rules have no rounds, so no transcript)" if args.transcript else ""
            raise ParameterError(f"{names} only {verb} to --mechanism negotiative{why}.")
        rule_params = parse_assignments(args.param, default_mechanism=args.mechanism).get(
            args.mechanism, {}
        )
        info.resolve(rule_params)
        return _run_rule(load_scenario_arg(args.scenario, args), args, rule_params)
    if args.param:
        params.update(parse_assignments(args.param, default_mechanism="negotiative")["negotiative"])
    registry.check_params("negotiative", params)
    scenario = load_scenario_arg(args.scenario, args)
    from plurisim.agents.llm.settings import LLMSettings
    from plurisim.api import negotiate

    policies: dict[str, Any] = {}
    settings = LLMSettings.from_namespace(args)
    if settings is not None:
        from plurisim.agents.llm import llm_policies

        stakeholders, mediator = llm_policies(settings)
        policies = {"stakeholder_policy": stakeholders, "mediator_policy": mediator}
    with progress(args, "rounds", unit="round"):
        result = negotiate(scenario, seed=args.seed, **policies, **params)
    if args.json:
        doc = result.summary()
        if args.transcript:
            doc["transcript_markdown"] = result.to_markdown()
        print(json.dumps(doc, indent=2))
    elif args.transcript:
        print(result.to_markdown(), end="")
    else:
        print(result)
    if args.out:
        written = write_outputs(scenario, result, args.out)
        report_written(args, written, document=args.json or args.transcript)
    if settings is not None:
        # the output is written first, so that the failures can be read there
        policies["stakeholder_policy"].runtime.check(settings.describe())
    return 0


def _run_rule(scenario: Any, args: argparse.Namespace, params: dict[str, Any]) -> int:
    from plurisim.evaluation import METRIC_KEYS
    from plurisim.experiments.tasks import run_one

    with progress(args, args.mechanism):
        out = run_one(scenario, args.mechanism, args.seed, params).row
    metrics = {k: out[k] for k in METRIC_KEYS if k in out}
    reference = {k: out[f"reference_{k}"] for k in METRIC_KEYS if f"reference_{k}" in out}
    doc = {
        "scenario": scenario.name,
        "mechanism": args.mechanism,
        "seed": args.seed,
        "package": [p for p in out["package"].split("; ") if p],
        "cost": out["cost"],
        "budget": scenario.budget,
        "agreement": None,
        "rounds": None,
        "status": out["status"],
        "params": json.loads(out["params"]) if "params" in out else params,
        "metrics": metrics,
        "reference": reference,
    }
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print(
            f"{args.mechanism}: {', '.join(doc['package']) or 'nothing'} "
            f"(cost {doc['cost']:g} of {doc['budget']:g}; {doc['status']})"
        )
        for key in ("total_utility", "worst_group_utility", "p20_satisfaction", "gini"):
            print(
                f"  {key.replace('_', ' '):22s} {metrics[key]:.4f}  reference {reference[key]:.4f}"
            )
        print(_rule_note(scenario, args.mechanism))
    if args.out:
        from plurisim.outputs import ensure_dir, write_text_atomic

        folder = ensure_dir(args.out)
        path = write_text_atomic(folder / "result.json", json.dumps(doc, indent=2))
        report_written(args, [path], document=args.json)
    return 0


def _rule_note(scenario: Any, mechanism: str) -> str:
    """What a rule's p20 satisfaction was normalized over: its outcome and the designs."""
    from plurisim.metrics import satisfaction_note

    k = len(scenario.base_designs)
    if k:
        which = f"(the {k} base design{'s' if k != 1 else ''} and this package)"
        return satisfaction_note(k + 1, 20, which)
    if mechanism == "status_quo":
        return satisfaction_note(1, 20, "(the status quo alone)")
    return satisfaction_note(2, 20, "(the status quo and this package)")


def write_outputs(scenario: Any, result: Any, out: str) -> list[Path]:
    """Write a negotiation's result, rounds, transcript and figures into ``out``; the paths."""
    from plurisim import plots
    from plurisim.evaluation import score
    from plurisim.outputs import ensure_dir, save_figure, write_text_atomic
    from plurisim.scenario import compile_scenario

    folder = ensure_dir(out)
    written = [
        write_text_atomic(folder / "result.json", result.to_json()),
        write_text_atomic(
            folder / "rounds.csv", result.rounds_table.to_csv(index=False, float_format="%.10g")
        ),
        write_text_atomic(folder / "transcript.md", result.to_markdown()),
        save_figure(plots.rounds(result), folder / "rounds.png"),
    ]
    problem = compile_scenario(scenario, seed=result.seed)
    frame = score(problem, [result.outcome]).frame
    written.append(
        save_figure(
            plots.group_utilities(frame, title="The negotiated package beside the base designs"),
            folder / "comparison.png",
        )
    )
    return written
