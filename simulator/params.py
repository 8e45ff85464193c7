"""Parameters declared as data: name, type, default, allowed range or choices, help.

Every mechanism declares its parameters once, as :class:`Param` objects; the
mechanism registry, the command line (``--param RULE.NAME=VALUE`` and the options
of ``run``), sweep specs, the documentation and the app all read these
declarations, and every value is checked by :meth:`Param.validate` with one error
format (scikit-learn's)::

    The 'time_limit' parameter of maximin must be a real number in the range (0, inf). Got -1 instead.

Examples
--------
>>> from plurisim.params import Param
>>> rounds = Param("rounds", 20, "rounds before the disagreement point stands",
...                kind="int", low=1, high=1000)
>>> rounds.validate(5, "negotiate")
5
>>> rounds.parse("12", "negotiate")
12
>>> rounds.describe()
'an int in the range [1, 1000]'
>>> rounds.validate(0, "negotiate")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'rounds' parameter of negotiate must be an int in the range [1, 1000]. Got 0 instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from plurisim.errors import ParameterError
from plurisim.validation import check_int, check_real, interval

__all__ = ["Param", "resolve_params"]

Kind = Literal["int", "float", "str", "bool", "any"]
MAX_TEXT = 10_000  # characters of a value given as text


@dataclass(frozen=True)
class Param:
    """One parameter of a mechanism (or a sweepable scenario field).

    Parameters
    ----------
    name : str
    default : object
    help : str
        One line, shown by ``--help`` and in the documentation.
    kind : {"int", "float", "str", "bool", "any"}
    low, high : float, optional
        The allowed range of an ``int`` or ``float``.
    closed : {"both", "left", "right", "neither"}
        Which ends of the range are allowed.
    choices : tuple, optional
        The allowed values of a ``str`` (or any) parameter.
    nullable : bool
        Whether ``None`` is allowed.
    check : callable, optional
        ``check(value, owner) -> value`` for ``kind="any"``: validates (raising
        :class:`~plurisim.errors.ParameterError`) and normalizes.
    allowed : str
        What is allowed, in words, for ``kind="any"``.
    const : str, optional
        The value an option given without one stands for (``--deliberation`` alone
        means ``--deliberation true``).
    """

    name: str
    default: Any
    help: str
    kind: Kind = "float"
    low: float | None = None
    high: float | None = None
    closed: str = "both"
    choices: tuple[Any, ...] | None = None
    nullable: bool = False
    check: Callable[[Any, str], Any] | None = None
    allowed: str = ""
    const: str | None = None

    def describe(self) -> str:
        """What is allowed, in words."""
        if self.choices is not None:
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        elif self.kind == "int":
            text = f"an int in the range {interval(self.low, self.high, 'both')}"
        elif self.kind == "float":
            text = f"a real number in the range {interval(self.low, self.high, self.closed)}"
        elif self.kind == "bool":
            text = "true or false"
        elif self.kind == "str":
            text = "a string"
        else:
            text = self.allowed or "any value"
        return text + (" or None" if self.nullable else "")

    def validate(self, value: Any, owner: str) -> Any:
        """Return ``value`` checked (and normalized), or raise :class:`ParameterError`."""
        if value is None:
            if self.nullable:
                return None
            raise ParameterError(
                f"The {self.name!r} parameter of {owner} must be {self.describe()}. "
                "Got None instead."
            )
        if self.choices is not None and self.kind in ("str", "any") and self.check is None:
            if value not in self.choices:
                raise ParameterError(
                    f"The {self.name!r} parameter of {owner} must be {self.describe()}. "
                    f"Got {value!r} instead."
                )
            return value
        if self.kind == "int":
            return check_int(
                value,
                self.name,
                owner,
                low=None if self.low is None else math.ceil(self.low),
                high=None if self.high is None else math.floor(self.high),
            )
        if self.kind == "float":
            return check_real(
                value, self.name, owner, low=self.low, high=self.high, closed=self.closed
            )
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise ParameterError(
                f"The {self.name!r} parameter of {owner} must be true or false. "
                f"Got {value!r} instead."
            )
        if self.kind == "str":
            if isinstance(value, str):
                return value
            raise ParameterError(
                f"The {self.name!r} parameter of {owner} must be a string. Got {value!r} instead."
            )
        return value if self.check is None else self.check(value, owner)

    def parse(self, text: str, owner: str) -> Any:
        """Read a value given as text (on the command line), then :meth:`validate` it.

        Numbers must look like numbers (``"1.5"`` is not an int); ``none`` or
        ``null`` is ``None``; structured values (``kind="any"``) are read as YAML
        flow syntax, such as ``{seniors: 30, youth: -10}``.
        """
        raw = text.strip()
        if len(raw) > MAX_TEXT:
            raise ParameterError(
                f"The {self.name!r} parameter of {owner}: the value is longer than "
                f"{MAX_TEXT} characters."
            )
        if raw.lower() in ("none", "null") and self.nullable:
            return None
        value: Any = raw
        try:
            if self.kind == "int":
                value = int(raw)
            elif self.kind == "float":
                value = float(raw)
            elif self.kind == "bool":
                lowered = raw.lower()
                if lowered in ("true", "yes", "1", "on"):
                    value = True
                elif lowered in ("false", "no", "0", "off"):
                    value = False
            elif self.kind == "any":
                value = yaml.safe_load(raw) if raw else raw
        except (ValueError, yaml.YAMLError):
            raise ParameterError(
                f"The {self.name!r} parameter of {owner} must be {self.describe()}. "
                f"Got {raw!r} instead."
            ) from None
        return self.validate(value, owner)


def resolve_params(
    owner: str, params: Iterable[Param], given: Mapping[str, Any], *, who: str | None = None
) -> dict[str, Any]:
    """Fill defaults, validate every value and refuse unknown names.

    ``who`` names the owner in the message for an unknown name (default: "The
    mechanism 'OWNER'").

    Examples
    --------
    >>> p = (Param("time_limit", 30.0, "seconds", low=0, closed="right"),)
    >>> resolve_params("maximin", p, {})
    {'time_limit': 30.0}
    >>> resolve_params("maximin", p, {"rounds": 3})
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The mechanism 'maximin' has no parameter 'rounds'; its parameters: time_limit.
    """
    declared = {p.name: p for p in params}
    unknown = [k for k in given if k not in declared]
    if unknown:
        names = ", ".join(declared) or "none"
        subject = who if who is not None else f"The mechanism {owner!r}"
        raise ParameterError(f"{subject} has no parameter {unknown[0]!r}; its parameters: {names}.")
    out: dict[str, Any] = {}
    for name, spec in declared.items():
        value = given.get(name, spec.default)
        out[name] = spec.validate(value, owner)
    return out
