"""The ``plurisim`` command line.

::

    plurisim scenarios list | show NAME | validate FILE... | schema
    plurisim compare SCENARIO [--seed N] [--format table|csv|json] [--out DIR]
    plurisim run SCENARIO [--mechanism NAME] [--seed N] [--rounds R] [--llm MODEL] [--json] [--out DIR]
    plurisim svo [--targets ...] [--agents N] [--llm MODEL] [--json] [--out DIR]
    plurisim sweep SPEC.yaml [--executor process|dask[:ADDRESS]] [--workers N] [--out DIR]

Bad input exits with status 2 and one message naming the file, field, value and
what is allowed; it never prints a traceback. A failure outside plurisim (a Dask
scheduler that does not answer, runs that raised) exits with status 1; Ctrl-C
exits with 130 and SIGTERM with 143, after cleaning up, with one line
``plurisim: interrupted``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from plurisim.errors import PlurisimError
from plurisim.interrupts import sigterm_raises

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors carry the program name and exit with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``plurisim`` command."""
    from plurisim.cli import _compare, _run, _scenarios, _svo, _sweep

    parser = _Parser(
        prog="plurisim",
        description="Simulate negotiation among stakeholders who hold different values.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in (_scenarios, _compare, _run, _svo, _sweep):
        module.register(sub)
    return parser


def add_llm_options(parser: argparse.ArgumentParser, what: str) -> None:
    """The ``--llm`` and ``--llm-timeout`` options shared by ``run`` and ``svo``."""
    parser.add_argument(
        "--llm",
        metavar="MODEL",
        help=f"{what} through a chat model: 'scripted' (offline) or a LangChain model id "
        "such as openai:gpt-4o-mini",
    )
    parser.add_argument(
        "--llm-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="seconds per LLM call before it counts as a timeout (60)",
    )


def _version() -> str:
    from plurisim import __version__

    return f"plurisim {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["scenarios", "show", "no-such-scenario"])
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        with sigterm_raises():  # SIGTERM cleans up as Ctrl-C does
            return handler(args)
    except PlurisimError as exc:
        print(f"plurisim: error: {exc}", file=sys.stderr)
        return int(getattr(exc, "exit_status", EXIT_USAGE))
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"plurisim: error:{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        print("plurisim: interrupted", file=sys.stderr)
        return int(getattr(exc, "exit_status", EXIT_INTERRUPTED))
