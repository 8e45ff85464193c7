"""The structured replies LLM agents must give, and their strict parsing.

A reply is one JSON object matching a pydantic model exactly (unknown fields are
refused). Anything else is a parse failure: the caller retries or falls back to the
rule-based policy, and never guesses.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "GoalReply",
    "ItemReply",
    "MediatorReply",
    "ReplyError",
    "StakeholderReply",
    "TraitsReply",
    "parse_reply",
]

T = TypeVar("T", bound=BaseModel)
Text = Annotated[str, Field(max_length=1500)]


class ReplyError(ValueError):
    """A model's reply could not be parsed or named something that does not exist."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class StakeholderReply(_Strict):
    """A stakeholder's answer: accept, or reject with an optional add (and drop)."""

    accept: bool
    add: str | None = None
    drop: str | None = None
    argument: Text = ""


class MediatorReply(_Strict):
    """The mediator's pick among the solver's candidates, and its public rationale."""

    choice: int
    rationale: Text


class TraitsReply(_Strict):
    """HVAE step 1: traits of a person holding the value."""

    traits: list[Annotated[str, Field(max_length=200)]] = Field(min_length=1, max_length=20)


class GoalReply(_Strict):
    """HVAE step 2: the goal in the coin-dividing task."""

    goal: Text


class ItemReply(_Strict):
    """HVAE step 3: one slider item's option."""

    choice: Literal["A", "B", "C", "D", "E", "F", "G", "H", "I"]


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


def parse_reply(text: Any, schema: type[T]) -> T:
    """Parse ``text`` as exactly one JSON object of ``schema``.

    A surrounding Markdown code fence is tolerated; nothing else is.

    Raises
    ------
    ReplyError
        ``kind`` is ``"refusal"`` for an apology without JSON, else ``"parse"``.

    Examples
    --------
    >>> parse_reply('{"choice": "C"}', ItemReply).choice
    'C'
    >>> parse_reply('{"choice": "J"}', ItemReply)
    Traceback (most recent call last):
    ...
    plurisim.agents.llm.schemas.ReplyError: parse: ...
    """
    if not isinstance(text, str):
        raise ReplyError("parse", f"expected text, got {type(text).__name__}")
    body = _FENCE.sub("", text.strip()).strip()
    if not body.startswith("{"):
        lowered = body.lower()
        kind = (
            "refusal"
            if any(w in lowered for w in ("sorry", "cannot", "can't", "unable"))
            else "parse"
        )
        raise ReplyError(kind, f"not a JSON object: {body[:80]!r}")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ReplyError("parse", f"invalid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ReplyError("parse", "not a JSON object")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ReplyError(
            "parse", f"{'.'.join(map(str, first['loc'])) or 'reply'}: {first['msg']}"
        ) from None
