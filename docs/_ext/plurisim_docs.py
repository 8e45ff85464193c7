"""Sphinx directives that write the reference tables from the code and from fields.yaml.

``plurisim-params NAME`` tabulates a registered mechanism's parameters (name,
default, what is allowed, help) from :data:`plurisim.registry.MECHANISMS`, with
``:only:`` to pick some. ``plurisim-fields SECTION`` tabulates one section of
``docs/fields.yaml`` (meaning, units, range of every output field).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from docutils.parsers.rst import Directive, directives

FIELDS = Path(__file__).resolve().parent.parent / "fields.yaml"


def load_fields() -> dict[str, Any]:
    """The sections of fields.yaml."""
    with open(FIELDS, encoding="utf-8") as f:
        return dict(yaml.safe_load(f))


def _cell(text: Any) -> str:
    value = "" if text is None else " ".join(str(text).split())
    return value or "-"


def _entry(value: str, code: bool = False) -> nodes.entry:
    para = nodes.paragraph()
    para += nodes.literal(value, value) if code else nodes.Text(value)
    return nodes.entry("", para)


def _table(header: list[str], rows: list[list[str]], widths: list[int]) -> nodes.table:
    """A docutils table; the first column is set as code."""
    group = nodes.tgroup(cols=len(header))
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += nodes.row("", *(_entry(h) for h in header))
    group += head
    body = nodes.tbody()
    for row in rows:
        body += nodes.row("", _entry(row[0], code=True), *(_entry(c) for c in row[1:]))
    group += body
    table = nodes.table(classes=["plurisim-table"])
    table += group
    return table


def _params_table(params: list[Any]) -> nodes.table:
    rows = [[p.name, repr(p.default), _cell(p.describe()), _cell(p.help)] for p in params]
    return _table(["name", "default", "allowed", "meaning"], rows, [18, 14, 28, 40])


def _inline(text: str) -> nodes.paragraph:
    """A paragraph in which `backquoted` words are set as code."""
    para = nodes.paragraph()
    for k, part in enumerate(_cell(text).split("`")):
        if part:
            para += nodes.literal(part, part) if k % 2 else nodes.Text(part)
    return para


class _Table(Directive):
    has_content = False


class ParamsDirective(_Table):
    """A mechanism's parameters from the registry."""

    required_arguments = 1
    option_spec = {"only": directives.unchanged}  # noqa: RUF012 (docutils API)

    def run(self) -> list[nodes.Node]:
        from plurisim import registry

        info = registry.get(self.arguments[0])
        only = [n.strip() for n in self.options.get("only", "").split(",") if n.strip()]
        params = [p for p in info.params if not only or p.name in only]
        missing = sorted(set(only) - {p.name for p in params})
        if missing:
            raise self.error(f"{info.name} has no parameter {', '.join(missing)}")
        return [_params_table(params)]


class MechanismsDirective(_Table):
    """Every registered mechanism: its summary and its parameters."""

    def run(self) -> list[nodes.Node]:
        from plurisim import registry

        out: list[nodes.Node] = []
        for name, info in registry.MECHANISMS.items():
            heading = nodes.rubric()
            heading += nodes.literal(name, name)
            heading += nodes.Text(f" ({info.kind})")
            out += [heading, nodes.paragraph(text=_cell(info.summary))]
            if info.params:
                out.append(_params_table(list(info.params)))
            else:
                out.append(nodes.paragraph(text="No parameters."))
        return out


class FieldsDirective(_Table):
    """One section of fields.yaml: every field with its meaning, units and range."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        sections = load_fields()
        name = self.arguments[0]
        if name not in sections:
            raise self.error(
                f"fields.yaml has no section {name!r}; sections: {', '.join(sections)}"
            )
        section = sections[name]
        rows = []
        for field, spec in section["fields"].items():
            if not isinstance(spec, list) or len(spec) != 3:
                raise self.error(f"fields.yaml: {name}.{field} needs [meaning, units, range]")
            rows.append([field, *(_cell(v) for v in spec)])
        table = _table(["field", "meaning", "units", "range"], rows, [24, 44, 16, 16])
        return [_inline(section.get("intro", "")), table]


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("plurisim-params", ParamsDirective)
    app.add_directive("plurisim-fields", FieldsDirective)
    app.add_directive("plurisim-mechanisms", MechanismsDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
