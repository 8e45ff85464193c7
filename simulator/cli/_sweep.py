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
    p.add_argument(
        "--connect-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="seconds to wait for a remote Dask scheduler to answer (10)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim sweep``: print what it did; runs that raised make it exit 1."""
    from plurisim.errors import ExternalFailure
    from plurisim.experiments import sweep

    result = sweep(
        args.spec,
        args.out,
        executor=args.executor,
        workers=args.workers,
        batch_size=args.batch_size,
        connect_timeout=args.connect_timeout,
    )
    print(result.summary())
    print()
    print(result, flush=True)
    if result.failed:
        where = result.folder / "failures.jsonl"
        raise ExternalFailure(
            f"{result.failed} of {result.ran} runs failed; their errors are in {where} "
            "(run the same command again to retry them)"
        )
    return 0
