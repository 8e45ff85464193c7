"""Reading a scenario file from disk."""

from __future__ import annotations

import os

from plurisim.errors import InputError, ScenarioError
from plurisim.files import read_text
from plurisim.scenario.schema import Scenario

__all__ = ["load_scenario"]


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or path-like
        A YAML (or JSON) file.

    Raises
    ------
    ScenarioError
        If the path does not exist, is not a regular file, is too large, cannot be
        read or decoded, or holds an invalid scenario (see :mod:`plurisim.files`).

    Examples
    --------
    >>> load_scenario("no/such/file.yaml")
    Traceback (most recent call last):
    ...
    plurisim.errors.ScenarioError: no/such/file.yaml: no such file; expected a scenario file
    """
    src = str(path)
    try:
        text = read_text(path, what="scenario file")
    except InputError as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError.wrap(exc) from None
    return Scenario.from_yaml(text, source=src)
