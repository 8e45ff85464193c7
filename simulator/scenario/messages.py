"""Turning pydantic's validation errors into one message per field, naming file and value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plurisim.errors import ScenarioError
from plurisim.formatting import EXCERPT_CHARS
from plurisim.validation import strip_union_tags
from pydantic import BaseModel, ValidationError

__all__ = ["validation_error"]


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_error(
    exc: ValidationError, source: str, models: Sequence[type[BaseModel]]
) -> ScenarioError:
    """One :class:`ScenarioError` for a failed validation; ``models[-1]`` is the root model."""
    # Collect one message per field path; a field typed as a union yields one pydantic
    # error per alternative, which are joined into a single message.
    by_path: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for err in exc.errors(include_url=False):
        loc = strip_union_tags(err["loc"], (m.__name__ for m in models))
        path = _loc(loc)
        kind = err["type"]
        value = err.get("input")
        if kind == "value_error":
            # Our own cross-field checks: messages already start with the field path.
            text = str(err["msg"]).removeprefix("Value error, ")
            for line in text.split("\n"):
                key = path if path else line.split(":", 1)[0]
                by_path.setdefault(key, []).append(line if not path else f"{path}: {line}")
            continue
        if kind == "missing":
            text = "required field is missing"
        elif kind == "extra_forbidden":
            text = f"unknown field {loc[-1]!r}; allowed fields: {_allowed(models[-1], loc[:-1])}"
        elif kind == "finite_number":
            text = "must be a finite number"
        else:
            text = f"{err['msg'][0].lower()}{err['msg'][1:]}"
        by_path.setdefault(path, []).append(text)
        values.setdefault(path, value)
    messages: list[str] = []
    for path, texts in by_path.items():
        if path in values:
            joined = "; or ".join(dict.fromkeys(texts))
            got = (
                ""
                if texts[0] == "required field is missing" or texts[0].startswith("unknown field")
                else f"; got {_show(values[path])}"
            )
            messages.append(f"{path}: {joined}{got}")
        else:
            messages.extend(texts)
    head = f"{source}: {messages[0]}"
    others = [m.split(":", 1)[0] for m in messages[1:]]
    if others:  # one line: the first problem in full, the others by field
        shown = ", ".join(others[:4]) + (", ..." if len(others) > 4 else "")
        noun = "problem" if len(others) == 1 else "problems"
        head += f" (and {len(others)} more {noun}: {shown})"
    return ScenarioError(
        head,
        source=source,
        field=next(iter(by_path), None),
        problems=[f"{source}: {m}" for m in messages],
    )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 3] + "..."


def _allowed(root: type[BaseModel], parent: tuple[Any, ...]) -> str:
    model = root
    for part in parent:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            break
        ann = field.annotation
        inner = _first_model(ann)
        if inner is None:
            break
        model = inner
    return ", ".join(model.model_fields)


def _first_model(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _first_model(arg)
        if found is not None:
            return found
    return None
