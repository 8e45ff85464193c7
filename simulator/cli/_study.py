"""``plurisim study --list | NAME [--out DIR]``: recompute a claim of the README."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from plurisim.cli._output import add_quiet_option, progress, report_written

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the ``study`` command."""
    p = sub.add_parser(
        "study",
        help="recompute one of the README's studies and print its tables",
        description="Recompute one study with the settings it states and print its "
        "Markdown (the README pastes it verbatim).",
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="the study (see --list)")
    p.add_argument("--list", action="store_true", help="name every study")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="also write study.md, one CSV per table and figures, and name each file (on stderr)",
    )
    add_quiet_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``plurisim study``."""
    from plurisim.errors import ParameterError
    from plurisim.studies import STUDIES, describe, run_study

    if args.list or not args.name:
        if not args.list:
            raise ParameterError("give a study's name, or --list to see them")
        for name in STUDIES:
            print(f"{name:14s} {describe(name)}")
        return 0
    with progress(args, args.name):
        study = run_study(args.name)
    text = study.markdown()
    print(text, end="")
    if args.out:
        report_written(args, _write(study, text, args.out), document=True)
    return 0


def _write(study: Any, text: str, out: str) -> list[Path]:
    from plurisim.outputs import ensure_dir, save_figure, write_text_atomic

    folder = ensure_dir(out)
    written = [write_text_atomic(folder / "study.md", text)]
    for k, (_, frame) in enumerate(study.tables, start=1):
        written.append(write_text_atomic(folder / f"table{k}.csv", frame.to_csv(index=False)))
    for stem, make in study.figures.items():
        written.append(save_figure(make(), folder / f"{stem}.png"))
    return written
