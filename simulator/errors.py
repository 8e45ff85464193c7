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

Errors about input files (:class:`InputError` and its subclasses :class:`ScenarioError`
and :class:`SpecError`) also carry where the problem is, when known:

>>> err = InputError("park.yaml:3:5: duplicate key 'budget'", source="park.yaml", line=3)
>>> err.source, err.line, err.field
('park.yaml', 3, None)
>>> isinstance(ScenarioError.wrap(err), InputError)
True
"""

from __future__ import annotations

from typing import Self

__all__ = [
    "ExternalFailure",
    "InfeasibleError",
    "InputError",
    "LLMFailureError",
    "LLMUnavailableError",
    "MissingDependencyError",
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


class InputError(PlurisimError, ValueError):
    """An input file or text cannot be read or is malformed.

    Raised by :mod:`plurisim.files` (reading files safely, YAML and JSON) and by the
    readers built on it (Pabulib ``.pb`` files). The message is one line that starts
    with the location (``file:line:column`` when known), names the field and says what
    is allowed; it quotes at most a short excerpt of the input.

    Parameters
    ----------
    message : str
        The full message.
    source : str, optional
        The file (or other source name) the error was found in.
    line : int, optional
        The 1-based line number, when known.
    field : str, optional
        The offending field: a dotted path such as ``groups[0].weights``, a META key or
        a column name.
    column : int, optional
        The 1-based column, when known.
    problems : list of str, optional
        Every problem found, one line each, when there were several (the message
        names the first in full and the others by field). Defaults to ``[message]``.

    Examples
    --------
    >>> err = InputError("x.pb:4: cost: must be a number; got 'abc'", source="x.pb", line=4, field="cost")
    >>> str(err), err.line, err.field
    ("x.pb:4: cost: must be a number; got 'abc'", 4, 'cost')
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        column: int | None = None,
        problems: list[str] | None = None,
    ):
        super().__init__(message)
        self.source = source
        self.line = line
        self.field = field
        self.column = column
        self.problems = list(problems) if problems is not None else [message]

    @property
    def message(self) -> str:
        """The message, as given."""
        return str(self.args[0]) if self.args else ""

    @classmethod
    def wrap(cls, error: InputError) -> Self:
        """The same error as an instance of ``cls``, keeping message and location.

        Lets a caller re-raise a reading error under its own type, such as
        ``raise ScenarioError.wrap(exc) from None``.

        Examples
        --------
        >>> err = InputError("s.yaml: no such file", source="s.yaml")
        >>> wrapped = SpecError.wrap(err)
        >>> type(wrapped).__name__, str(wrapped), wrapped.source
        ('SpecError', 's.yaml: no such file', 's.yaml')
        """
        return cls(
            error.message,
            source=error.source,
            line=error.line,
            field=error.field,
            column=error.column,
            problems=error.problems,
        )


class ScenarioError(InputError):
    """A scenario file or object is malformed.

    Parameters
    ----------
    message : str
        The full message: file, field path, bad value and what is allowed.
    source : str, optional
        The file (or scenario name) the error was found in.
    field : str, optional
        The dotted path of the offending field, such as ``groups[0].weights``.
    line, column : int, optional
        Where in the file, when known.
    """


class SpecError(InputError):
    """A sweep specification is malformed (same attributes as :class:`InputError`)."""


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
    """The MILP solver failed for a reason other than infeasibility.

    Parameters
    ----------
    message : str
    kind : {"time_limit", "solve_error"}
        ``"time_limit"``: no package was found in time; ``"solve_error"``: HiGHS
        failed even after a retry without presolve.
    """

    def __init__(self, message: str, *, kind: str = "solve_error"):
        super().__init__(message)
        self.kind = kind


class TieError(PlurisimError):
    """A tie occurred under a tie-breaking strategy that refuses ties."""


class MissingDependencyError(PlurisimError, ImportError):
    """An optional dependency (an extra) is not installed."""


class LLMUnavailableError(MissingDependencyError):
    """The optional LLM dependencies are missing or a model could not be created."""


class LLMFailureError(PlurisimError):
    """Too many LLM calls failed: the results would mostly reflect the fallbacks.

    Raised after the output is written, so that the failures can be read there;
    the command line exits with :attr:`exit_status` (1), not the usage status.

    Examples
    --------
    >>> LLMFailureError("the model failed on 9 of 10 calls").exit_status
    1
    """

    exit_status = 1
