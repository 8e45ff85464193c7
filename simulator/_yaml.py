"""PyYAML, hardened: the loader and dumper behind :mod:`plurisim.files`.

Private to the package: use :func:`plurisim.files.load_yaml` and
:func:`plurisim.files.dump_yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any, NoReturn

import yaml
from plurisim.errors import InputError
from plurisim.formatting import EXCERPT_CHARS, excerpt

__all__ = ["dump", "parse"]


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with limits enforced while composing, and strict mappings.

    Composing builds the node graph in which an alias is a reference to the anchored
    node; the expanded size of every finished node is recorded, so each alias adds
    the full size of what it stands for to a running total, which is checked at once.
    """

    def __init__(self, text: str, *, source: str, max_depth: int, max_aliases: int, max_nodes: int):
        super().__init__(text)
        self.source = source
        self.limits = (max_depth, max_aliases, max_nodes)
        self.depth = 0
        self.aliases = 0
        self.total = 0
        self.shape: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, height)

    def fail(self, mark: Any, text: str, field: str | None = None) -> NoReturn:
        line, column = mark.line + 1, mark.column + 1
        raise InputError(
            f"{self.source}:{line}:{column}: {text}",
            source=self.source,
            line=line,
            column=column,
            field=field,
        )

    def count(self, n: int, mark: Any) -> None:
        self.total += n
        if self.total > self.limits[2]:
            self.fail(
                mark,
                f"the document expands to more than {self.limits[2]:,} values once "
                "aliases (*name) are resolved; this limit stops alias bombs",
            )

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        max_depth, max_aliases, _ = self.limits
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > max_aliases:
                self.fail(
                    event.start_mark,
                    f"the document uses more than {max_aliases:,} aliases (*name); "
                    "this limit stops alias bombs",
                )
            node = super().compose_node(parent, index)
            shape = self.shape.get(id(node))
            if shape is None:
                self.fail(
                    event.start_mark,
                    f"alias *{excerpt(event.anchor)[1:-1]} refers to a value that contains "
                    "it; recursive structures are not allowed",
                )
            self.count(shape[0], event.start_mark)
            if self.depth + shape[1] > max_depth:
                self.too_deep(event.start_mark)
            return node
        nested = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if nested:
            self.depth += 1
            if self.depth > max_depth:
                self.too_deep(event.start_mark)
        before = self.total
        self.count(1, event.start_mark)
        node = super().compose_node(parent, index)
        height = 0
        if nested:
            self.depth -= 1
            children = node.value if isinstance(node, yaml.SequenceNode) else _pairs(node)
            height = 1 + max((self.shape[id(c)][1] for c in children), default=0)
        self.shape[id(node)] = (self.total - before, height)
        return node

    def too_deep(self, mark: Any) -> NoReturn:
        self.fail(mark, f"the document nests deeper than {self.limits[0]} levels (the limit)")


def _pairs(node: Any) -> list[Any]:
    return [n for pair in node.value for n in pair]


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            loader.fail(key_node.start_mark, "a mapping key must be a single value, not a list")
        if key in out:
            loader.fail(
                key_node.start_mark,
                f"duplicate key {excerpt(key)}; each key may appear once in a mapping",
                field=str(key)[:EXCERPT_CHARS],
            )
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = exc.problem or exc.context or "cannot parse"
    mark = exc.problem_mark or exc.context_mark
    if "'\\t'" in problem or "tab" in problem:
        line = text.splitlines()[mark.line] if mark and text.splitlines() else ""
        if mark is None or not line[: mark.column].strip(" \t"):
            return "tabs are not allowed for indentation in YAML; use spaces"
        return "tabs are not allowed here in YAML; use spaces"
    if exc.context and exc.problem:
        if problem.startswith("but "):  # "expected a single document, but found another"
            problem = f"{exc.context}, {problem}"
        else:
            problem = f"{problem} ({exc.context})"
    return problem if len(problem) <= 2 * EXCERPT_CHARS else problem[: 2 * EXCERPT_CHARS] + "..."


def parse(text: str, source: str, max_depth: int, max_aliases: int, max_nodes: int) -> Any:
    """Parse ``text`` with the limits; every failure is one :class:`InputError`."""
    loader = None
    try:
        loader = _Loader(
            text,
            source=source,
            max_depth=max_depth,
            max_aliases=max_aliases,
            max_nodes=max_nodes,
        )
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise InputError(
            f"{where}: {_yaml_problem(exc, text)}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise InputError(
            f"{source}:{line}:{column}: the control character U+{code:04X} is not allowed in YAML; "
            "remove it or write it as an escape inside double quotes",
            source=source,
            line=line,
            column=column,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: YAML error: {excerpt(exc, 120)}", source=source) from None
    finally:
        if loader is not None:
            loader.dispose()


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper that escapes the characters its loader folds away."""


# YAML 1.1 counts NEL (U+0085) as a line break; PyYAML writes it raw inside a quoted
# scalar and then reads that break back as a folded space. Double quotes escape it
# (as \N), and the line and paragraph separators with it.
_BREAKS = re.compile("[\x85\u2028\u2029]")


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if _BREAKS.search(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    """YAML text for plain data; the str representer escapes line-break characters."""
    try:
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    except yaml.representer.RepresenterError as exc:
        bad = exc.args[1] if len(exc.args) > 1 else None
        raise TypeError(
            "dump_yaml takes plain data (dict, list, str, int, float, bool, None); "
            f"got {type(bad).__name__}"
        ) from None
