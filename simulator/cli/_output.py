"""What the commands share about their output: ``--quiet``, progress bars, files written.

Every command that writes files with ``--out`` names each file it wrote, one line per
file (``wrote PATH``): on standard output after a human-readable report, on standard
error when standard output carries a document meant to be parsed or saved (JSON, CSV,
a Markdown transcript or study), so that stays clean. ``--quiet`` turns off the
progress bars and those lines; errors and warnings still go to standard error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["add_quiet_option", "progress", "report_written"]


def add_quiet_option(p: Any) -> None:
    """Add ``-q/--quiet``: no progress bar, no list of the files written."""
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar and no list of the files written "
        "(bars also stay off when stderr is not a terminal or TQDM_DISABLE=1)",
    )


@contextmanager
def progress(args: argparse.Namespace, desc: str, unit: str = "step") -> Iterator[None]:
    """A progress bar on stderr for the block, unless ``--quiet`` or stderr is no terminal."""
    from plurisim.progress import progress_bar, progress_enabled

    with progress_bar(desc, enabled=progress_enabled(getattr(args, "quiet", False)), unit=unit):
        yield


def report_written(
    args: argparse.Namespace, paths: Iterable[str | Path], *, document: bool
) -> None:
    """Name each file written, one line each: stderr when stdout holds a ``document``."""
    if getattr(args, "quiet", False):
        return
    stream = sys.stderr if document else sys.stdout
    for path in paths:
        print(f"wrote {path}", file=stream)
