"""``plurisim app [SCENARIO] [--host H] [--port P]``: serve the interactive page."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``app`` command."""
    p = sub.add_parser(
        "app",
        help="serve the interactive page (needs the 'app' extra)",
        description="Serve the interactive page on this machine and print its URL: pick "
        "a scenario and the negotiation's settings, step or play the rounds, and compare "
        "the result with the base designs and the classic rules. Works offline.",
    )
    p.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="the scenario the page opens with: a built-in name or a file (montreal-streets)",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=int, default=8765, help="port (8765; 0 picks a free one)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim app``."""
    from plurisim.app import serve

    serve(args.scenario, host=args.host, port=args.port)
    return 0
