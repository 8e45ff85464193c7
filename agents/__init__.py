"""Agents of plurisim: stakeholders, the mediator, SVO respondents, LLM-backed agents."""

from __future__ import annotations

__all__: list[str] = []
