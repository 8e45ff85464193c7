"""Prompt templates: versioned text files in ``plurisim/agents/llm/prompts``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template

__all__ = ["PROMPT_VERSION", "load", "render"]

PROMPT_VERSION = "2"


@cache
def load(name: str) -> str:
    """The template ``name`` (without the leading comment line)."""
    text = (resources.files("plurisim.agents.llm") / "prompts" / f"{name}.txt").read_text(
        encoding="utf-8"
    )
    lines = [ln for ln in text.splitlines() if not ln.startswith("# plurisim prompt")]
    return "\n".join(lines).strip() + "\n"


def render(name: str, **fields: object) -> str:
    """Fill a template. Values are inserted as text; ``$`` in them is kept as is.

    Examples
    --------
    >>> "TASK: svo_goal" in render("svo_goal", hint="{}")
    True
    >>> render("svo_goal")
    Traceback (most recent call last):
    ...
    KeyError: 'hint'
    """
    return Template(load(name)).substitute({k: str(v) for k, v in fields.items()})
