"""The ``plurisim`` command line.

::

    plurisim scenarios list | show NAME | validate FILE... | schema
    plurisim compare SCENARIO [--seed N] [--format table|csv|json] [--out DIR]
    plurisim run SCENARIO [--mechanism NAME] [--seed N] [--rounds R] [--llm PROVIDER:MODEL] [--json] [--out DIR]
    plurisim svo [--targets ...] [--agents N] [--llm PROVIDER:MODEL [--llm-base-url URL ...]] [--json] [--out DIR]
    plurisim sweep SPEC.yaml [--executor process|dask[:ADDRESS]] [--workers N] [--out DIR]

Bad input exits with status 2 and one message naming the file, field, value and
what is allowed; it never prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from plurisim.errors import PlurisimError

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the command, with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.removeprefix("plurisim").strip()
        where = f"{command}: " if command else ""
        hint = f"plurisim {command} --help" if command else "plurisim --help"
        line = " ".join(f"{where}{message}".split())  # one line, whatever argparse wrote
        self.exit(EXIT_USAGE, f"plurisim: error: {line} (see '{hint}')\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``plurisim`` command."""
    from plurisim.cli import _app, _compare, _run, _scenarios, _study, _svo, _sweep

    parser = _Parser(
        prog="plurisim",
        description="Simulate negotiation among stakeholders who hold different values.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in (_scenarios, _compare, _run, _svo, _sweep, _study, _app):
        module.register(sub)
    return parser


def _one_line(message: str) -> str:
    """A message on one line: its lines joined with '; '."""
    return "; ".join(part.strip() for part in message.splitlines() if part.strip())


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
        return handler(args)
    except PlurisimError as exc:
        print(f"plurisim: error: {_one_line(str(exc))}", file=sys.stderr)
        return int(getattr(exc, "exit_status", EXIT_USAGE))
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"plurisim: error:{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("plurisim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
