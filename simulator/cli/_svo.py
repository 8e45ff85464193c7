"""``plurisim svo``: an HVAE-style study of Social Value Orientation."""

from __future__ import annotations

import argparse
import json
from typing import Any

from plurisim.cli import add_llm_options

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``svo`` command."""
    p = sub.add_parser("svo", help="SVO slider study: targets, revealed angles, value rationality")
    p.add_argument(
        "--targets",
        nargs="+",
        metavar="T",
        help="categories (altruistic prosocial individualistic competitive) or angles in degrees",
    )
    p.add_argument("--agents", type=int, default=20, help="agents per target (20)")
    p.add_argument(
        "--rationality", type=float, default=1.0, help="softmax inverse temperature (1.0)"
    )
    p.add_argument("--neutral-pull", type=float, default=0.0, help="drift toward neutral, 0..1 (0)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--negotiation",
        nargs="+",
        metavar="SCENARIO",
        help="also negotiate these scenarios under each SVO mix of the population",
    )
    p.add_argument(
        "--seeds", type=int, default=20, help="seeds per SVO mix with --negotiation (20)"
    )
    p.add_argument("--json", action="store_true", help="print one object per target")
    p.add_argument("--out", metavar="DIR", help="write tables and figures here")
    add_llm_options(p, "answer (HVAE's three steps)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim svo``."""
    from plurisim import svo

    results = svo.run_experiment(
        args.targets,
        n_agents=args.agents,
        seed=args.seed,
        rationality=args.rationality,
        neutral_pull=args.neutral_pull,
        respondent=_respondent(args),
    )
    summary = svo.summarize(results)
    study = None
    if args.negotiation:
        import pandas as pd
        from plurisim import scenarios

        study = pd.concat(
            [
                svo.negotiation_study(scenarios.load(name), seeds=args.seeds, root=args.seed)
                for name in args.negotiation
            ],
            ignore_index=True,
        )
    if args.json:
        records = [
            {k: _plain(v) for k, v in rec.items()}
            for rec in summary.reset_index().to_dict(orient="records")
        ]
        print(json.dumps(records, indent=2))
    else:
        from plurisim.formatting import table

        rows = [
            [
                t,
                r["target_angle"],
                r["mean_angle"],
                r["value_rationality"],
                r["category_accuracy"],
                r["unparseable_answers"],
            ]
            for t, r in summary.iterrows()
        ]
        print(
            table(
                rows,
                [
                    "target",
                    "target angle",
                    "mean angle",
                    "value rationality",
                    "category accuracy",
                    "unparseable",
                ],
            )
        )
        print()
        print(svo.confusion_matrix(results).to_string())
        if study is not None:
            print()
            means = study.groupby(["scenario", "mix"], sort=False)[
                ["agreement", "rounds", "worst_group_utility", "gini"]
            ].mean()
            print(means.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.out:
        _write(args.out, results, summary, study)
    return 0


def _respondent(args: argparse.Namespace) -> Any:
    if not args.llm:
        return None
    from plurisim.agents.llm import LLMRespondent, LLMRuntime, resolve_model

    runtime = LLMRuntime(resolve_model(args.llm), timeout=args.llm_timeout)
    return lambda angle: LLMRespondent(angle, runtime)


def _plain(value: Any) -> Any:
    from plurisim.outcome import to_jsonable

    return to_jsonable(value.item() if hasattr(value, "item") else value)


def _write(out: str, results: Any, summary: Any, study: Any) -> None:
    from plurisim import plots, svo
    from plurisim.outputs import ensure_dir, save_figure, write_text_atomic

    folder = ensure_dir(out)
    write_text_atomic(folder / "svo_results.csv", results.to_csv(index=False))
    write_text_atomic(folder / "svo_summary.csv", summary.to_csv())
    matrix = svo.confusion_matrix(results)
    write_text_atomic(folder / "svo_confusion.csv", matrix.to_csv())
    save_figure(plots.svo_circle(results), folder / "svo_circle.png")
    save_figure(plots.confusion(matrix), folder / "svo_confusion.png")
    if study is not None:
        write_text_atomic(folder / "svo_negotiation.csv", study.to_csv(index=False))
        save_figure(plots.svo_negotiations(study), folder / "svo_negotiation.png")
