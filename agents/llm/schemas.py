"""The structured replies LLM agents must give, and their strict parsing.

A reply is one JSON object matching a pydantic model exactly (unknown fields are
refused, every free-text field has a length cap, and so has the whole reply). The
same parser checks every reply, whether the provider constrained it to the schema
or it came back as free text. Anything else is a failure of a named kind (see
:data:`FAILURE_KINDS`): the caller retries or falls back, and never guesses.

Examples
--------
>>> parse_reply('{"choice": "C"}', ItemReply).choice
'C'
>>> parse_reply('{"goal": "<one sentence>"}', GoalReply)
Traceback (most recent call last):
...
plurisim.agents.llm.schemas.ReplyError: placeholder: goal: '<one sentence>' repeats the format hint
>>> format_hint(ItemReply)
'{"choice": "<one letter, A to I>"}'
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "FAILURE_KINDS",
    "MAX_REPLY_CHARS",
    "GoalReply",
    "ItemReply",
    "MediatorReply",
    "ReplyError",
    "StakeholderReply",
    "TraitsReply",
    "format_hint",
    "parse_reply",
]

T = TypeVar("T", bound=BaseModel)
# Caps stay well below ~1,100 characters: a provider turns maxLength into a grammar,
# and llama.cpp's grammar sampler crashes on longer repetitions.
Text = Annotated[str, Field(max_length=800)]

MAX_REPLY_CHARS = 8000
"""The longest reply accepted, in characters (free-text fields have their own caps)."""
_MAX_DEPTH = 4  # objects and arrays nested deeper than this are junk for every schema
_MAX_DIGITS = 15  # longer numbers are absurd for every schema (and slow to parse)

FAILURE_KINDS: dict[str, str] = {
    "timeout": "no reply within the timeout",
    "connection": "the server could not be reached",
    "error": "the provider raised an error",
    "truncated": "the reply was cut off at the token limit",
    "refusal": "the model declined to answer",
    "parse": "not one JSON object",
    "too_long": "the reply or one of its texts is over its length cap",
    "number": "a number too long or not finite",
    "schema": "JSON that does not fit the schema (missing, extra, nested or mistyped fields)",
    "placeholder": "the format hint's placeholder instead of an answer",
    "out_of_range": "a choice outside the options offered",
    "wrong_id": "an id that does not exist or cannot be used here",
    "skipped": "not sent: the endpoint had not worked for any earlier call",
}
"""Every kind of failed attempt the runtime counts, with what it means."""


class ReplyError(ValueError):
    """A model's reply could not be used; ``kind`` is one of :data:`FAILURE_KINDS`."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    HINTS: ClassVar[dict[str, str]] = {}


class StakeholderReply(_Strict):
    """A stakeholder's answer: accept, or reject with an optional add (and drop)."""

    HINTS: ClassVar[dict[str, str]] = {
        "accept": "true or false",
        "add": "an intervention id or null",
        "drop": "an intervention id or null",
        "argument": "one or two sentences for the public record",
    }

    accept: bool
    add: Annotated[str, Field(max_length=100)] | None = None
    drop: Annotated[str, Field(max_length=100)] | None = None
    argument: Text = ""


class MediatorReply(_Strict):
    """The mediator's pick among the solver's candidates, and its public rationale."""

    HINTS: ClassVar[dict[str, str]] = {
        "choice": "the candidate number",
        "rationale": "two or three sentences",
    }

    choice: int
    rationale: Text


class TraitsReply(_Strict):
    """HVAE step 1: traits of a person holding the value."""

    HINTS: ClassVar[dict[str, str]] = {"traits": "five short traits"}

    traits: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=10
    )


class GoalReply(_Strict):
    """HVAE step 2: the goal in the coin-dividing task."""

    HINTS: ClassVar[dict[str, str]] = {"goal": "one sentence"}

    goal: Annotated[str, Field(min_length=1, max_length=400)]


class ItemReply(_Strict):
    """HVAE step 3: one slider item's option, by its displayed letter."""

    HINTS: ClassVar[dict[str, str]] = {"choice": "one letter, A to I"}

    choice: Literal["A", "B", "C", "D", "E", "F", "G", "H", "I"]


def format_hint(schema: type[BaseModel]) -> str:
    """The reply format shown in a prompt: each field with a ``<placeholder>``.

    A reply that repeats a placeholder is refused (kind ``placeholder``).
    """
    hints: dict[str, str] = getattr(schema, "HINTS", {})
    return json.dumps({name: f"<{hints.get(name, name)}>" for name in schema.model_fields})


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"^\s*(<[^<>]*>|\[[^\[\]]*\]|\.{2,}|…+|\?+)\s*$")
_REFUSAL = ("sorry", "cannot", "can't", "unable", "i won't", "as an ai")


class _NumberError(ValueError):
    pass


def _number(text: str) -> Any:
    digits = text.lstrip("-").replace(".", "").split("e")[0].split("E")[0]
    if len(digits) > _MAX_DIGITS:
        raise _NumberError(f"a number of {len(digits)} digits")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _not_finite(text: str) -> Any:
    raise _NumberError(f"{text} is not a finite number")


def _depth(body: str) -> int:
    """How deeply objects and arrays nest in JSON text (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for c in body:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def _placeholders(data: dict[str, Any], schema: type[BaseModel]) -> None:
    hints = {h.lower() for h in getattr(schema, "HINTS", {}).values()}
    for key, value in data.items():
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue
            stripped = text.strip().strip("<>").strip().lower()
            if _PLACEHOLDER.match(text) or stripped in hints:
                raise ReplyError("placeholder", f"{key}: {text[:40]!r} repeats the format hint")


_KIND_OF_ERROR = {
    "string_too_long": "too_long",
    "too_long": "too_long",
    "literal_error": "out_of_range",
    "enum": "out_of_range",
}


def parse_reply(text: Any, schema: type[T]) -> T:
    """Parse ``text`` as exactly one JSON object of ``schema``.

    A surrounding Markdown code fence is tolerated; nothing else is.

    Raises
    ------
    ReplyError
        Its ``kind`` says what was wrong: ``refusal`` (an apology without JSON),
        ``parse`` (not one JSON object), ``too_long``, ``number`` (a number of more
        than 15 digits, NaN or infinity), ``schema`` (missing, extra, mistyped or
        deeply nested fields), ``placeholder`` (the format hint repeated) or
        ``out_of_range`` (a choice that is not offered).

    Examples
    --------
    >>> parse_reply('```json\\n{"choice": "C"}\\n```', ItemReply).choice
    'C'
    >>> parse_reply('{"choice": "J"}', ItemReply)
    Traceback (most recent call last):
    ...
    plurisim.agents.llm.schemas.ReplyError: out_of_range: choice: Input should be 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H' or 'I'
    >>> parse_reply('{"choice": ' + "9" * 5000 + "}", MediatorReply)
    Traceback (most recent call last):
    ...
    plurisim.agents.llm.schemas.ReplyError: number: a number of 5000 digits
    """
    if not isinstance(text, str):
        raise ReplyError("parse", f"expected text, got {type(text).__name__}")
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyError("too_long", f"{len(text)} characters, more than {MAX_REPLY_CHARS}")
    body = _FENCE.sub("", text.strip()).strip()
    if not body.startswith("{"):
        lowered = body.lower()
        kind = "refusal" if any(w in lowered for w in _REFUSAL) else "parse"
        raise ReplyError(kind, f"not a JSON object: {body[:80]!r}")
    if _depth(body) > _MAX_DEPTH:
        raise ReplyError("schema", f"objects or arrays nested more than {_MAX_DEPTH} deep")
    try:
        data = json.loads(body, parse_int=_number, parse_float=_number, parse_constant=_not_finite)
    except _NumberError as exc:
        raise ReplyError("number", str(exc)) from None
    except json.JSONDecodeError as exc:
        raise ReplyError("parse", f"invalid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise ReplyError("parse", f"invalid JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ReplyError("parse", "not a JSON object")
    _placeholders(data, schema)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "reply"
        kind = _KIND_OF_ERROR.get(first["type"], "schema")
        raise ReplyError(kind, f"{where}: {first['msg']}") from None
