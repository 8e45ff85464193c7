"""``plurisim run SCENARIO``: one negotiation (or one mechanism), its verdict and its files."""

from __future__ import annotations

import argparse
import json
from typing import Any

from plurisim.cli._load import add_ballot_options, load_scenario_arg
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
        "--out", metavar="DIR", help="write result.json, rounds.csv, transcript.md and figures"
    )
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
        if params or getattr(args, "llm", None):
            names = ", ".join("--" + n.replace("_", "-") for n in params) or "--llm"
            raise ParameterError(f"{names} only apply to --mechanism negotiative.")
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
    result = negotiate(scenario, seed=args.seed, **policies, **params)
    if args.json:
        print(result.to_json(full=False))
    else:
        print(result)
    if args.out:
        write_outputs(scenario, result, args.out)
    if settings is not None:
        # the output is written first, so that the failures can be read there
        policies["stakeholder_policy"].runtime.check(settings.describe())
    return 0


def _run_rule(scenario: Any, args: argparse.Namespace, params: dict[str, Any]) -> int:
    from plurisim.evaluation import METRIC_KEYS
    from plurisim.experiments.tasks import run_one

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
    if args.out:
        from plurisim.outputs import ensure_dir, write_text_atomic

        folder = ensure_dir(args.out)
        write_text_atomic(folder / "result.json", json.dumps(doc, indent=2))
    return 0


def write_outputs(scenario: Any, result: Any, out: str) -> None:
    """Write a negotiation's result, rounds, transcript and figures into ``out``."""
    from plurisim import plots
    from plurisim.evaluation import score
    from plurisim.outputs import ensure_dir, save_figure, write_text_atomic
    from plurisim.scenario import compile_scenario

    folder = ensure_dir(out)
    write_text_atomic(folder / "result.json", result.to_json())
    write_text_atomic(
        folder / "rounds.csv", result.rounds_table.to_csv(index=False, float_format="%.10g")
    )
    write_text_atomic(folder / "transcript.md", result.to_markdown())
    save_figure(plots.rounds(result), folder / "rounds.png")
    problem = compile_scenario(scenario, seed=result.seed)
    frame = score(problem, [result.outcome]).frame
    save_figure(
        plots.group_utilities(frame, title="The negotiated package beside the base designs"),
        folder / "comparison.png",
    )
