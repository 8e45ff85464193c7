"""Scenario arguments of the commands: a name, a YAML file or a Pabulib ``.pb`` file.

``--groups`` and ``--utility`` choose how a ``.pb`` file becomes a scenario; for any
other scenario they are an error. A notice (``--utility`` on a file whose ballots
carry points) goes to standard error in one line, and the command goes on.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from plurisim.errors import ParameterError
from plurisim.scenario import Scenario

__all__ = ["add_ballot_options", "load_scenario_arg"]

UTILITIES = ("cost", "cardinality")


def add_ballot_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--groups`` and ``--utility`` (for Pabulib ``.pb`` files)."""
    parser.add_argument(
        "--groups",
        metavar="ATTRIBUTE",
        help=".pb files: the voter attribute that forms the groups: age (default: 10-17, "
        "18-29, 30-44, 45-59, 60+ and unknown), sex, voting_method, any other voter column, or none",
    )
    parser.add_argument(
        "--utility",
        metavar="KIND",
        help=".pb files with approval ballots: cost (an approved funded project is worth its "
        "cost, in shares of the budget; default) or cardinality (worth 1)",
    )


def load_scenario_arg(name: str, args: Any) -> Scenario:
    """Load ``name`` with the ``--groups``/``--utility`` options of ``args``.

    Raises
    ------
    ParameterError
        When ``--groups`` or ``--utility`` is given for a scenario that is not a ``.pb``
        file, or ``--utility`` is not cost or cardinality.
    """
    from plurisim import scenarios

    groups = getattr(args, "groups", None)
    utility = getattr(args, "utility", None)
    if not name.lower().endswith(".pb"):
        given = [f"--{n}" for n, v in (("groups", groups), ("utility", utility)) if v is not None]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise ParameterError(
                f"{' and '.join(given)} {verb} to Pabulib .pb files; {name!r} is not one."
            )
    if utility is not None and utility not in UTILITIES:
        raise ParameterError(f"--utility must be cost or cardinality; got {utility!r}.")
    scenario = scenarios.load(name, groups=groups, utility=utility)
    origin = scenario.origin or {}
    if origin.get("notice"):
        print(f"plurisim: note: {origin['notice']}", file=sys.stderr)
    return scenario
