"""What LLM calls cost and how they went: the counters of a run and one call's outcome.

Examples
--------
>>> stats = LLMStats(calls=4, fallbacks=1)
>>> stats.failure_share
0.25
>>> list(stats.to_dict())
['calls', 'failures', 'fallbacks', 'retries', 'tokens_in', 'tokens_out', 'seconds']
>>> Answer(None, 2, ["placeholder: goal: '<one sentence>'", "timeout: no reply"]).kinds
['placeholder', 'timeout']
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Answer", "LLMStats"]


@dataclass
class LLMStats:
    """What the LLM calls of a run cost and how they went.

    ``calls`` counts logical calls (one per question asked), ``retries`` every
    further attempt, ``failures`` every failed attempt by kind, ``fallbacks`` the
    logical calls that ended without a valid reply, ``seconds`` the wall-clock time
    spent waiting for the model. ``cache_hits`` (not in :meth:`to_dict`) counts
    replies reused from the cache.
    """

    calls: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    fallbacks: int = 0
    retries: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float = 0.0
    cache_hits: int = 0

    @property
    def failure_share(self) -> float:
        """Share of logical calls that ended without a valid reply (0 without calls)."""
        return self.fallbacks / self.calls if self.calls else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain data for results: calls, failures by kind, fallbacks, retries, tokens, seconds."""
        return {
            "calls": self.calls,
            "failures": dict(sorted(self.failures.items())),
            "fallbacks": self.fallbacks,
            "retries": self.retries,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Answer:
    """The outcome of one logical call: the parsed reply, or ``None`` and why.

    ``errors`` holds one ``"kind: detail"`` line per failed attempt.
    """

    reply: Any
    attempts: int
    errors: list[str]

    @property
    def ok(self) -> bool:
        """Whether a valid reply came back."""
        return self.reply is not None

    @property
    def kinds(self) -> list[str]:
        """The failure kind of each failed attempt."""
        return [e.split(":", 1)[0] for e in self.errors]
