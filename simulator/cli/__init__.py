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
import contextlib
import os
import sys
from collections.abc import Callable, Sequence

from plurisim.errors import PlurisimError

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
        parser = build_parser()
        args = parser.parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
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
    except KeyboardInterrupt:
        _error("interrupted", prefix="plurisim: ")
        return EXIT_INTERRUPTED
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
