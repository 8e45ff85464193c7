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

from plurisim.agents.llm.settings import LLM_SETTINGS
from plurisim.errors import PlurisimError

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


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
    """The ``--llm`` options shared by ``run`` and ``svo``, one per LLM setting.

    Every option defaults to ``None`` (the setting's own default applies); read
    them back with :meth:`plurisim.agents.llm.LLMSettings.from_namespace`.
    """
    for spec in LLM_SETTINGS:
        if spec.flag is None:
            continue
        help_text = spec.help
        if spec.name == "model":
            help_text = f"{what} through a chat model: {spec.help}, e.g. openai:gpt-4o-mini"
        kind = {"int": int, "real": float}.get(spec.kind, str)
        parser.add_argument(
            spec.flag,
            type=kind,
            default=None,
            metavar=spec.metavar,
            choices=spec.choices or None,
            help=help_text,
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
        return handler(args)
    except PlurisimError as exc:
        print(f"plurisim: error: {exc}", file=sys.stderr)
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
