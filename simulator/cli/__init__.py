"""The ``plurisim`` command line.

::

    plurisim scenarios list | show NAME | validate FILE... | schema
    plurisim compare SCENARIO [--seed N] [--format table|csv|json] [--out DIR]
    plurisim run SCENARIO [--mechanism NAME] [--seed N] [--rounds R] [--llm PROVIDER:MODEL] [--json] [--out DIR]
    plurisim svo [--targets ...] [--agents N] [--llm PROVIDER:MODEL [--llm-base-url URL ...]] [--json] [--out DIR]
    plurisim sweep SPEC.yaml [--executor process|dask[:ADDRESS]] [--workers N] [--out DIR]

Bad input exits with status 2 and one message naming the file, field, value and
what is allowed; it never prints a traceback. A failure outside plurisim (a Dask
scheduler that does not answer, runs that raised) exits with status 1; Ctrl-C
exits with 130 and SIGTERM with 143, after cleaning up, with one line
``plurisim: interrupted``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from plurisim.errors import PlurisimError
from plurisim.interrupts import sigterm_raises

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the command, with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.removeprefix("plurisim").strip()
        where = f"{command}: " if command else ""
        hint = f"plurisim {command} --help" if command else "plurisim --help"
        line = " ".join(f"{where}{message}".split())  # one line, whatever argparse wrote
        self.exit(EXIT_USAGE, f"plurisim: error: {line} (see '{hint}')\n")


# Each command's module and one-line summary. Only the module of the command being run
# is imported, so `plurisim --help` and quick commands do not pay for the others.
COMMANDS: dict[str, tuple[str, str]] = {
    "scenarios": ("_scenarios", "list, show, validate and explain scenario files"),
    "compare": ("_compare", "every base design and mechanism with every metric"),
    "run": ("_run", "run the negotiation (or another mechanism) on a scenario"),
    "svo": ("_svo", "SVO slider study: targets, revealed angles, value rationality"),
    "sweep": ("_sweep", "run a parameter sweep from a YAML spec (resumable)"),
    "study": ("_study", "recompute one of the README's studies and print its tables"),
    "app": ("_app", "serve the interactive page (needs the 'app' extra)"),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``plurisim`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments about to be parsed: only the command they name gets its full
        set of options (the others are listed by name). Without it, every command is
        built in full.

    Examples
    --------
    >>> build_parser(["scenarios", "list"]).parse_args(["scenarios", "list"]).command
    'scenarios'
    """
    import importlib

    chosen = None if argv is None else next((a for a in argv if not a.startswith("-")), "")
    parser = _Parser(
        prog="plurisim",
        description="Simulate negotiation among stakeholders who hold different values.",
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, (module, summary) in COMMANDS.items():
        if chosen is None or chosen == name:
            importlib.import_module(f"plurisim.cli.{module}").register(sub)
        else:
            sub.add_parser(name, help=summary)
    return parser


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked for.

    argparse's own version action needs the text when the parser is built, and
    reading the installed metadata costs every command a few milliseconds.
    """

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        sys.stdout.write(_version() + "\n")
        parser.exit()


def _one_line(message: str) -> str:
    """A message on one line: its lines joined with '; '."""
    return "; ".join(part.strip() for part in message.splitlines() if part.strip())


def _version() -> str:
    from importlib import metadata

    try:
        return f"plurisim {metadata.version('plurisim')}"
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        return "plurisim 0+unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Every failure ends in one line on standard error, ``plurisim: error: ...``: exit
    status 2 for bad input, 1 for a failure outside the user's control or a bug (the
    details go to a file the message names), 130 for Ctrl-C. A closed pipe (``| head``)
    ends the command quietly with status 0.

    Examples
    --------
    >>> main(["scenarios", "show", "no-such-scenario"])
    2
    """
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(argv).parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        with sigterm_raises():  # SIGTERM cleans up as Ctrl-C does
            status = handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except PlurisimError as exc:
        _error(str(exc))
        return int(getattr(exc, "exit_status", EXIT_USAGE))
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        _error("interrupted", prefix="plurisim: ")
        return int(getattr(exc, "exit_status", EXIT_INTERRUPTED))
    except Exception as exc:  # a bug: one line here, the details in a file
        if os.environ.get("PLURISIM_DEBUG"):
            raise
        details = _write_details(exc)
        _error(
            f"internal error ({type(exc).__name__}: {exc}); this is a bug in plurisim, "
            f"please report it with the details written to {details}"
        )
        return EXIT_FAILURE


def _error(message: str, prefix: str = "plurisim: error: ") -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr closed too: nothing to tell
        print(f"{prefix}{_one_line(message)}", file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """Point standard output at /dev/null so that Python's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass


def _write_details(exc: BaseException) -> str:
    """Write the traceback of an internal error to a file; return its path."""
    import tempfile
    import traceback

    from plurisim import __version__

    text = "".join(traceback.format_exception(exc))
    header = f"plurisim {__version__}, python {sys.version.split()[0]}\nargv: {sys.argv}\n\n"
    try:
        fd, path = tempfile.mkstemp(prefix="plurisim-error-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(header + text)
    except OSError:
        return "(nowhere: the temporary folder is not writable)"
    return path
