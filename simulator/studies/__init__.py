"""Studies: each recomputes one claim of the README from scratch, with stated settings.

``plurisim study --list`` names them; ``plurisim study NAME [--out DIR]`` runs one and
prints its Markdown (its tables as CSV and its figures into ``DIR`` too). Every table
of numbers in the README is a study's output pasted verbatim, and a test keeps them
equal.

Examples
--------
>>> from plurisim.studies import STUDIES, describe
>>> sorted(STUDIES)
['deliberation', 'montreal', 'pabulib', 'protocols', 'svo']
>>> run_study("polling")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: Unknown study 'polling'; available: deliberation, montreal, pabulib, protocols, svo.
"""

from __future__ import annotations

import importlib

from plurisim.errors import ParameterError
from plurisim.studies.base import Study, markdown_table

__all__ = ["STUDIES", "Study", "describe", "markdown_table", "run_study"]

STUDIES: dict[str, tuple[str, str]] = {
    "protocols": ("plurisim.studies.protocols", "three protocols, private and public information"),
    "deliberation": ("plurisim.studies.deliberation", "what deliberation narrows, over a grid"),
    "svo": ("plurisim.studies.svo", "SVO value rationality and SVO mixes in negotiation"),
    "montreal": ("plurisim.studies.montreal", "montreal-streets beside the published figures"),
    "pabulib": ("plurisim.studies.pabulib", "real participatory-budgeting elections"),
}
"""Study name -> (module with a ``run()`` function, one line about it)."""


def describe(name: str) -> str:
    """One line about a study."""
    return STUDIES[name][1]


def run_study(name: str) -> Study:
    """Run the study called ``name`` (its module is imported on demand)."""
    if name not in STUDIES:
        raise ParameterError(f"Unknown study {name!r}; available: {', '.join(sorted(STUDIES))}.")
    module = importlib.import_module(STUDIES[name][0])
    study: Study = module.run()
    return study
