"""``plurisim svo``: an HVAE-style study of Social Value Orientation."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from plurisim.agents.llm.settings import LLMSettings
from plurisim.cli._output import add_quiet_option, progress, report_written
from plurisim.cli.params import add_llm_options

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
    p.add_argument("--out", metavar="DIR", help="write tables and figures here, and name each file")
    add_quiet_option(p)
    add_llm_options(p, "answer (HVAE's three steps)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim svo``.

    With ``--llm``, the JSON records and the files under ``--out`` carry the LLM
    statistics; when more calls failed than ``--llm-max-failure-share`` allows,
    the output is still written and then :class:`~plurisim.errors.LLMFailureError`
    propagates (exit status 1).
    """
    from plurisim import svo

    settings = LLMSettings.from_namespace(args)
    runtime = _runtime(settings)
    try:
        with progress(args, "SVO agents", unit="agent"):
            results = svo.run_experiment(
                args.targets,
                n_agents=args.agents,
                seed=args.seed,
                rationality=args.rationality,
                neutral_pull=args.neutral_pull,
                respondent=_panel(runtime),
            )
    finally:
        if runtime is not None:
            runtime.close()
    summary = svo.summarize(results)
    llm = runtime.stats.to_dict() if runtime is not None else None
    study = None
    if args.negotiation:
        import pandas as pd
        from plurisim import scenarios
        from plurisim.studies.svo import negotiation_study

        with progress(args, "negotiations", unit="run"):
            study = pd.concat(
                [
                    negotiation_study(scenarios.load(name), seeds=args.seeds, root=args.seed)
                    for name in args.negotiation
                ],
                ignore_index=True,
            )
    if args.json:
        records = [
            {k: _plain(v) for k, v in rec.items()}
            for rec in summary.reset_index().to_dict(orient="records")
        ]
        if llm is not None:
            records = [{**rec, "llm": llm} for rec in records]
        print(json.dumps(records, indent=2))
    else:
        _print_tables(summary, results, study, runtime)
    for target, warning in summary["warning"].items():
        if warning:
            print(f"plurisim: warning: {target}: {warning}", file=sys.stderr)
    if args.out:
        written = _write(args.out, results, summary, study, runtime)
        report_written(args, written, document=args.json)
    if runtime is not None:
        runtime.check()
    return 0


def _runtime(settings: LLMSettings | None) -> Any:
    if settings is None:
        return None
    from plurisim.agents.llm import LLMRuntime

    return LLMRuntime(settings)


def _panel(runtime: Any) -> Any:
    if runtime is None:
        return None
    from plurisim.agents.llm import LLMPanel

    return LLMPanel(runtime)


def _print_tables(summary: Any, results: Any, study: Any, runtime: Any) -> None:
    from plurisim import svo
    from plurisim.formatting import table

    rows = [
        [
            t,
            r["target_angle"],
            r["mean_angle"],
            r["value_rationality"],
            r["chance_value_rationality"],
            r["constant_answer_value_rationality"],
            r["position_bias"],
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
                "chance VR",
                "constant VR",
                "position bias",
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
    if runtime is not None:
        s = runtime.stats
        failures = ", ".join(f"{k} {n}" for k, n in sorted(s.failures.items())) or "none"
        print()
        print(
            f"LLM {runtime.settings.describe()} ({runtime.structured}): {s.calls} calls, "
            f"{s.retries} retries, {s.fallbacks} without a valid reply; failed attempts: "
            f"{failures}; tokens {s.tokens_in} in, {s.tokens_out} out; {s.seconds:.1f} s"
        )


def _plain(value: Any) -> Any:
    from plurisim.outcome import to_jsonable

    return to_jsonable(value.item() if hasattr(value, "item") else value)


def _write(out: str, results: Any, summary: Any, study: Any, runtime: Any) -> list[Path]:
    from plurisim import plots, svo
    from plurisim.outputs import ensure_dir, save_figure, write_text_atomic

    folder = ensure_dir(out)
    matrix = svo.confusion_matrix(results)
    written = [
        write_text_atomic(folder / "svo_results.csv", results.to_csv(index=False)),
        write_text_atomic(folder / "svo_summary.csv", summary.to_csv()),
        write_text_atomic(folder / "svo_confusion.csv", matrix.to_csv()),
        save_figure(plots.svo_circle(results), folder / "svo_circle.png"),
        save_figure(plots.confusion(matrix), folder / "svo_confusion.png"),
    ]
    if runtime is not None:
        written.append(
            write_text_atomic(
                folder / "svo_llm.json", json.dumps(_plain(runtime.report()), indent=2) + "\n"
            )
        )
    if study is not None:
        written.append(write_text_atomic(folder / "svo_negotiation.csv", study.to_csv(index=False)))
        written.append(save_figure(plots.svo_negotiations(study), folder / "svo_negotiation.png"))
    return written
