"""``plurisim sweep SPEC.yaml``: scenarios x mechanisms x grid x seeds, resumable."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``sweep`` command."""
    p = sub.add_parser("sweep", help="run a parameter sweep from a YAML spec (resumable)")
    p.add_argument("spec", metavar="SPEC.yaml")
    p.add_argument(
        "--executor",
        default="process",
        metavar="NAME",
        help="process (default), inprocess, dask, or dask:ADDRESS of a running scheduler",
    )
    p.add_argument("--workers", type=int, help="worker processes (default: the number of cores)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: results/<spec name>)")
    p.add_argument("--batch-size", type=int, help="runs per task sent to a worker")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim sweep``."""
    from plurisim.experiments import sweep

    if args.batch_size is not None and args.batch_size < 1:
        from plurisim.errors import ParameterError

        raise ParameterError(
            f"The 'batch_size' parameter of sweep must be at least 1. Got {args.batch_size} instead."
        )
    result = sweep(
        args.spec,
        args.out,
        executor=args.executor,
        workers=args.workers,
        batch_size=args.batch_size,
    )
    print(result)
    return 0
