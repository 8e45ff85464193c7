"""Built-in scenarios: list them, load them (or any scenario file), generate new ones.

Examples
--------
>>> from plurisim import scenarios
>>> "toy-park" in scenarios.list()
True
>>> scenarios.load("toy-park").title
'Redesigning a small neighbourhood park'
>>> scenarios.load("no-such-scenario")
Traceback (most recent call last):
...
plurisim.errors.ScenarioError: Unknown scenario 'no-such-scenario'. ...
>>> scenarios.load("montreal-street")
Traceback (most recent call last):
...
plurisim.errors.ScenarioError: Unknown scenario 'montreal-street'; did you mean montreal-streets? 'plurisim scenarios list' shows every built-in scenario; a path to a .yaml or .pb file works too.
"""

from __future__ import annotations

import builtins
import difflib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from plurisim.errors import ParameterError, ScenarioError
from plurisim.scenario import Scenario, load_scenario
from plurisim.scenarios.generate import generate

__all__ = ["builtin_path", "describe", "generate", "list", "load"]

_SUFFIXES = (".yaml", ".yml", ".json")


def _builtin_dir() -> Path:
    return Path(str(resources.files("plurisim.scenarios") / "builtin"))


def list() -> builtins.list[str]:
    """Names of the built-in scenarios, sorted.

    Examples
    --------
    >>> from plurisim import scenarios
    >>> scenarios.list()[:1]
    ['...']
    """
    return sorted(p.stem for p in _builtin_dir().glob("*.yaml"))


def builtin_path(name: str) -> Path:
    """The file of a built-in scenario.

    Raises
    ------
    ScenarioError
        If ``name`` is not a built-in scenario.
    """
    path = _builtin_dir() / f"{name}.yaml"
    if not path.is_file():
        close = difflib.get_close_matches(str(name), list(), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else "."
        raise ScenarioError(
            f"Unknown scenario {name!r}{hint} 'plurisim scenarios list' shows every built-in "
            "scenario; a path to a .yaml or .pb file works too.",
            source=name,
        )
    return path


@lru_cache(maxsize=64)
def _load_builtin(name: str) -> Scenario:
    return load_scenario(builtin_path(name))


def load(
    name_or_path: str | os.PathLike[str],
    *,
    groups: str | None = None,
    utility: str | None = None,
) -> Scenario:
    """Load a built-in scenario by name, or any scenario file by path.

    Parameters
    ----------
    name_or_path : str or path-like
        A name from :func:`list`, the path of a YAML file, or the path of a Pabulib
        ``.pb`` file (a real participatory-budgeting election: each voter a
        stakeholder, each project an intervention, the city's outcome the base
        design ``city``; see :func:`plurisim.scenarios.pabulib.election_scenario`).
    groups : str, optional
        ``.pb`` files only: the voter attribute that forms the groups (``"age"``, the
        default, in brackets; ``"sex"``, ``"voting_method"``, any other voter column;
        or ``"none"``).
    utility : {"cost", "cardinality"}, optional
        ``.pb`` files with approval ballots: an approved project is worth its cost
        (the default) or 1. Ordinal and cumulative ballots use their points.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the name is unknown or the file is missing or invalid.
    ParameterError
        If ``groups`` or ``utility`` is given for a scenario that is not a ``.pb`` file.

    Examples
    --------
    >>> from plurisim import scenarios
    >>> scenarios.load("toy-park", groups="age")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: groups and utility apply to Pabulib .pb files; 'toy-park' is a scenario.
    """
    text = os.fspath(name_or_path)
    if text.lower().endswith(".pb"):
        from plurisim.scenarios.pabulib import load_pb  # deferred: only .pb files need it

        return load_pb(text, groups=groups, utility=utility)
    if groups is not None or utility is not None:
        raise ParameterError(
            f"groups and utility apply to Pabulib .pb files; {text!r} is a scenario."
        )
    if isinstance(name_or_path, str) and name_or_path in list():
        return _load_builtin(name_or_path)
    looks_like_path = (
        not isinstance(name_or_path, str)
        or text.endswith(_SUFFIXES)
        or os.sep in text
        or "/" in text
        or Path(text).exists()
    )
    if looks_like_path:
        return load_scenario(text)
    return _load_builtin(text)  # raises the "unknown scenario" message


def describe(name: str) -> str:
    """One line about a built-in scenario: its title."""
    return load(name).title
