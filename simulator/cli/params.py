"""Command-line access to the mechanism registry: ``--param RULE.NAME=VALUE`` and help text."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import Any

from plurisim import registry
from plurisim.agents.llm.settings import LLM_SETTINGS
from plurisim.errors import ParameterError
from plurisim.formatting import fmt
from plurisim.params import Param

__all__ = ["add_param_options", "describe_params", "param_help", "parse_assignments"]


def param_help(p: Param) -> str:
    """One parameter in words: its help, what is allowed and its default."""
    default = "scenario's" if p.default is None and p.nullable else fmt(p.default)
    return f"{p.help}; {p.describe()} (default {default})"


def describe_params(names: Iterable[str]) -> str:
    """An epilog listing every parameter of the named mechanisms."""
    lines = ["parameters (--param MECHANISM.NAME=VALUE):"]
    for name in names:
        info = registry.get(name)
        if not info.params:
            lines.append(f"  {name}: none")
            continue
        lines.append(f"  {name}:")
        lines.extend(f"    {p.name}: {param_help(p)}" for p in info.params)
    return "\n".join(lines)


def parse_assignments(
    items: Sequence[str], *, default_mechanism: str | None = None
) -> dict[str, dict[str, Any]]:
    """Read ``RULE.NAME=VALUE`` items into ``{rule: {name: value}}``, typed and validated.

    With ``default_mechanism``, ``NAME=VALUE`` (no rule) applies to it.

    Examples
    --------
    >>> parse_assignments(["maximin.time_limit=5", "mes.completion=utilitarian"])
    {'maximin': {'time_limit': 5.0}, 'mes': {'completion': 'utilitarian'}}
    >>> parse_assignments(["maximin.rounds=5"])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The mechanism 'maximin' has no parameter 'rounds'; its parameters: engine, time_limit, tie_break.
    """
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, text = item.partition("=")
        rule, dot, name = key.strip().rpartition(".")
        if not dot:
            rule = default_mechanism or ""
        if not sep or not name or not rule:
            raise ParameterError(
                f"--param takes MECHANISM.NAME=VALUE (such as maximin.time_limit=5). "
                f"Got {item!r} instead."
            )
        info = registry.get(rule)
        spec = info.param(name)
        if spec is None:
            info.resolve({name: None})  # raises the message naming the allowed parameters
            raise AssertionError  # pragma: no cover
        out.setdefault(rule, {})[name] = spec.parse(text, rule)
    return out


def add_param_options(parser: argparse.ArgumentParser, params: Iterable[Param]) -> None:
    """One ``--name`` option per parameter (values are read by :meth:`Param.parse`)."""
    for p in params:
        flag = "--" + p.name.replace("_", "-")
        if p.const is not None:
            parser.add_argument(
                flag, dest=p.name, nargs="?", const=p.const, metavar="VALUE", help=param_help(p)
            )
        elif p.kind == "bool":
            parser.add_argument(flag, dest=p.name, metavar="BOOL", help=param_help(p))
        else:
            metavar = "|".join(str(c) for c in p.choices) if p.choices else p.kind.upper()
            parser.add_argument(flag, dest=p.name, metavar=metavar, help=param_help(p))


def add_llm_options(parser: argparse.ArgumentParser, what: str) -> None:
    """The ``--llm`` options shared by ``run`` and ``svo``, one per LLM setting.

    Every option defaults to ``None`` (the setting's own default applies); read
    them back with :meth:`plurisim.agents.llm.LLMSettings.from_namespace`.
    """
    for spec in LLM_SETTINGS:
        if spec.flag is None:
            continue
        help_text = spec.help
        if spec.name == "model":
            help_text = f"{what} through a chat model: {spec.help}, e.g. openai:gpt-4o-mini"
        kind = {"int": int, "real": float}.get(spec.kind, str)
        parser.add_argument(
            spec.flag,
            type=kind,
            default=None,
            metavar=spec.metavar,
            choices=spec.choices or None,
            help=help_text,
        )
