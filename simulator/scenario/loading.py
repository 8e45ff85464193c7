"""Reading a scenario file from disk."""

from __future__ import annotations

import os
from pathlib import Path

from plurisim.errors import ScenarioError
from plurisim.scenario.schema import Scenario

__all__ = ["MAX_FILE_BYTES", "load_scenario"]

MAX_FILE_BYTES = 20_000_000


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or path-like
        A YAML (or JSON) file.

    Raises
    ------
    ScenarioError
        If the path does not exist, is not a file, cannot be read, or holds an
        invalid scenario.

    Examples
    --------
    >>> load_scenario("no/such/file.yaml")
    Traceback (most recent call last):
    ...
    plurisim.errors.ScenarioError: no/such/file.yaml: no such file
    """
    p = Path(path)
    src = str(path)
    if not p.exists():
        raise ScenarioError(f"{src}: no such file", source=src)
    if p.is_dir():
        raise ScenarioError(
            f"{src}: is a directory; give the path of a scenario file (.yaml)", source=src
        )
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"{src}: file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                "a scenario file is expected",
                source=src,
            )
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{src}: not a UTF-8 text file", source=src) from None
    except OSError as exc:
        raise ScenarioError(f"{src}: cannot read: {exc.strerror}", source=src) from None
    return Scenario.from_yaml(text, source=src)
