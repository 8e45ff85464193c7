"""Exceptions raised by plurisim.

Every error the library raises on purpose derives from :class:`PlurisimError`, so a
caller can catch them all in one place. Messages name the offending value and say
what is allowed, in the format

    The 'rounds' parameter of negotiate must be an int in the range [1, 1000]. Got 0 instead.

Examples
--------
>>> from plurisim.errors import PlurisimError, ParameterError
>>> issubclass(ParameterError, PlurisimError) and issubclass(ParameterError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "ExternalFailure",
    "InfeasibleError",
    "LLMUnavailableError",
    "MissingDependencyError",
    "NoAgreement",
    "ParameterError",
    "PlurisimError",
    "ScenarioError",
    "SolverError",
    "SpecError",
    "TieError",
]


class PlurisimError(Exception):
    """Base class of every error plurisim raises on purpose."""


class ParameterError(PlurisimError, ValueError):
    """A function or command received a parameter outside its allowed range."""


class ScenarioError(PlurisimError, ValueError):
    """A scenario file or object is malformed.

    Parameters
    ----------
    message : str
        The full message: file, field path, bad value and what is allowed.
    source : str, optional
        The file (or scenario name) the error was found in.
    field : str, optional
        The dotted path of the offending field, such as ``groups[0].weights``.
    """

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        super().__init__(message)
        self.source = source
        self.field = field


class SpecError(PlurisimError, ValueError):
    """A sweep specification is malformed."""


class ExternalFailure(PlurisimError):
    """Something outside plurisim failed: a Dask scheduler that does not answer, a
    worker process that died, runs of a sweep that raised.

    The command line exits with :attr:`exit_status` (1) for it, not with the status
    2 of bad input.

    Examples
    --------
    >>> ExternalFailure("no answer from tcp://10.0.0.5:8786 within 10 s").exit_status
    1
    """

    exit_status = 1


class InfeasibleError(PlurisimError):
    """An optimization problem has no feasible solution."""


class SolverError(PlurisimError):
    """The MILP solver failed for a reason other than infeasibility."""


class TieError(PlurisimError):
    """A tie occurred under a tie-breaking strategy that refuses ties."""


class NoAgreement(PlurisimError):
    """A negotiation ended without agreement where one was required."""


class MissingDependencyError(PlurisimError, ImportError):
    """An optional dependency (an extra) is not installed."""


class LLMUnavailableError(MissingDependencyError):
    """The optional LLM dependencies are missing or a model could not be created."""
