"""``plurisim compare SCENARIO``: base designs and mechanisms side by side."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from plurisim import registry
from plurisim.cli._load import add_ballot_options, load_scenario_arg
from plurisim.cli._output import add_quiet_option, progress, report_written
from plurisim.cli.params import describe_params, parse_assignments
from plurisim.validation import check_real

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``compare`` command."""
    p = sub.add_parser(
        "compare",
        help="every base design and mechanism with every metric",
        epilog=describe_params(registry.MECHANISMS),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "scenario", metavar="SCENARIO", help="a built-in scenario name, a file path or a .pb file"
    )
    add_ballot_options(p)
    p.add_argument(
        "--seed", type=int, default=0, help="seed for individuals and stochastic rules (0)"
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="also write comparison.{csv,json,txt} and figures here, and name each file",
    )
    p.add_argument("--mechanisms", metavar="LIST", help="comma-separated mechanism names")
    p.add_argument("--percentile", type=float, default=20.0, help="percentile of satisfaction (20)")
    p.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="seconds for every mechanism that declares a time limit (each its own default)",
    )
    p.add_argument(
        "--disagreement",
        metavar="POINT",
        help="status-quo, best-base-design (default), a base design id or a rule name, "
        "for every mechanism that measures gains from one",
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="MECHANISM.NAME=VALUE",
        help="set one registered parameter of one mechanism (repeatable; see below)",
    )
    add_quiet_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim compare``."""
    from plurisim.comparison import compare, plan_params

    check_real(args.percentile, "percentile", "compare", low=0, high=100)
    names = (
        [n.strip() for n in args.mechanisms.split(",") if n.strip()]
        if args.mechanisms is not None
        else list(registry.DEFAULT_COMPARE)
    )
    for name in names:
        registry.get(name)
    common: dict[str, Any] = {}
    if args.time_limit is not None:
        common["time_limit"] = check_real(
            args.time_limit, "time_limit", "compare", low=0, closed="right"
        )
    if args.disagreement is not None:
        common["disagreement"] = args.disagreement
    params = parse_assignments(args.param)
    plan_params(names, params, common)  # every value checked before the scenario loads
    scenario = load_scenario_arg(args.scenario, args)
    with progress(args, "mechanisms", unit="mechanism"):
        result = compare(
            scenario,
            mechanisms=names,
            seed=args.seed,
            percentile=args.percentile,
            params=params,
            common=common,
        )
    if args.format == "json":
        print(json.dumps(result.to_records(), indent=2))
    elif args.format == "csv":
        print(result.to_csv(), end="")
    else:
        print(result.to_table())
    if args.out:
        written = write_outputs(result, args.out)
        report_written(args, written, document=args.format != "table")
    return 0


def write_outputs(result: Any, out: str) -> list[Path]:
    """Write the comparison's table, JSON and figures into ``out``; the paths written."""
    from plurisim import plots
    from plurisim.outputs import ensure_dir, save_figure, write_text_atomic

    folder = ensure_dir(out)
    return [
        write_text_atomic(folder / "comparison.csv", result.to_csv()),
        write_text_atomic(folder / "comparison.json", result.to_json()),
        write_text_atomic(folder / "comparison.txt", result.to_table() + "\n"),
        save_figure(plots.group_utilities(result), folder / "group_utilities.png"),
        save_figure(plots.lorenz(result), folder / "lorenz.png"),
    ]
