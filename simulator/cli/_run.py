"""``plurisim run SCENARIO``: one negotiation (or one mechanism), its verdict and its files."""

from __future__ import annotations

import argparse
import json
from typing import Any

from plurisim.cli import add_llm_options

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``run`` command."""
    p = sub.add_parser("run", help="run the negotiation (or another mechanism) on a scenario")
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in scenario name or a file path")
    p.add_argument("--mechanism", default="negotiative", help="mechanism name (negotiative)")
    p.add_argument("--seed", type=int, default=0, help="seed for everything random (0)")
    p.add_argument("--rounds", type=int, help="rounds before the reference design stands")
    p.add_argument("--quorum", type=float, help="share of the population that makes an agreement")
    p.add_argument(
        "--stakeholders",
        choices=("groups", "individuals"),
        help="one agent per group or per individual",
    )
    p.add_argument(
        "--deliberation", action="store_true", help="individuals deliberate on a social graph"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--out", metavar="DIR", help="write result.json, rounds.csv, transcript.md and figures"
    )
    add_llm_options(p, "LLM-backed agents")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim run``."""
    from plurisim import mechanisms, scenarios

    scenario = scenarios.load(args.scenario)
    if args.mechanism != "negotiative":
        mechanisms.get(args.mechanism)
        unused = [
            f"--{n}"
            for n in ("rounds", "quorum", "stakeholders", "llm")
            if getattr(args, n) is not None
        ]
        if args.deliberation:
            unused.append("--deliberation")
        if unused:
            from plurisim.errors import ParameterError

            raise ParameterError(f"{', '.join(unused)} only apply to --mechanism negotiative.")
        return _run_rule(scenario, args)
    params: dict[str, Any] = {}
    for name in ("rounds", "quorum", "stakeholders"):
        value = getattr(args, name)
        if value is not None:
            params[name] = value
    if args.deliberation:
        params["deliberation"] = True
        params.setdefault("stakeholders", "individuals")
    if args.llm:
        from plurisim.agents.llm import negotiate_llm

        result = negotiate_llm(
            scenario, seed=args.seed, llm=args.llm, timeout=args.llm_timeout, **params
        )
    else:
        from plurisim.negotiation import negotiate

        result = negotiate(scenario, seed=args.seed, **params)
    if args.json:
        print(result.to_json(full=False))
    else:
        print(result)
    if args.out:
        write_outputs(scenario, result, args.out)
    return 0


def _run_rule(scenario: Any, args: argparse.Namespace) -> int:
    from plurisim.experiments.tasks import run_one
    from plurisim.negotiation.result import METRIC_KEYS

    out = run_one(scenario, args.mechanism, args.seed, {}).row
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
    from plurisim.mechanisms import base_design_outcomes, status_quo
    from plurisim.metrics import evaluate
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
    frame = evaluate(
        problem,
        [*(base_design_outcomes(problem) or [status_quo(problem)]), result.outcome],
        distances=False,
    )
    save_figure(
        plots.group_utilities(frame, title="The negotiated package beside the base designs"),
        folder / "comparison.png",
    )
