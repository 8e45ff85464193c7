"""``plurisim compare SCENARIO``: base designs and mechanisms side by side."""

from __future__ import annotations

import argparse
import inspect
import json
from typing import Any

from plurisim.validation import check_real

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``compare`` command."""
    p = sub.add_parser("compare", help="every base design and mechanism with every metric")
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in scenario name or a file path")
    p.add_argument(
        "--seed", type=int, default=0, help="seed for individuals and stochastic rules (0)"
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--out", metavar="DIR", help="also write comparison.{csv,json} and figures here")
    p.add_argument("--mechanisms", metavar="LIST", help="comma-separated mechanism names")
    p.add_argument("--percentile", type=float, default=20.0, help="percentile of satisfaction (20)")
    p.add_argument("--time-limit", type=float, default=30.0, help="seconds per exact rule (30)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim compare``."""
    from plurisim import mechanisms, scenarios
    from plurisim.comparison import compare

    check_real(args.time_limit, "time_limit", "compare", low=0, closed="right")
    check_real(args.percentile, "percentile", "compare", low=0, high=100)
    scenario = scenarios.load(args.scenario)
    names = (
        [n.strip() for n in args.mechanisms.split(",") if n.strip()]
        if args.mechanisms
        else list(mechanisms.DEFAULT_COMPARE)
    )
    params: dict[str, dict[str, Any]] = {}
    for name in names:
        rule = mechanisms.get(name)
        if "time_limit" in inspect.signature(rule).parameters:
            params[name] = {"time_limit": args.time_limit}
    result = compare(
        scenario, mechanisms=names, seed=args.seed, percentile=args.percentile, params=params
    )
    if args.format == "json":
        print(json.dumps(result.to_records(), indent=2))
    elif args.format == "csv":
        print(result.to_csv(), end="")
    else:
        print(result.to_table())
    if args.out:
        write_outputs(result, args.out)
    return 0


def write_outputs(result: Any, out: str) -> None:
    """Write the comparison's table, JSON and figures into ``out``."""
    from plurisim import plots
    from plurisim.outputs import ensure_dir, save_figure, write_text_atomic

    folder = ensure_dir(out)
    write_text_atomic(folder / "comparison.csv", result.to_csv())
    write_text_atomic(folder / "comparison.json", result.to_json())
    write_text_atomic(folder / "comparison.txt", result.to_table() + "\n")
    save_figure(plots.group_utilities(result), folder / "group_utilities.png")
    save_figure(plots.lorenz(result), folder / "lorenz.png")
