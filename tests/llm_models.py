"""Chat models the LLM tests share (offline, built on the scripted model)."""

from __future__ import annotations

from plurisim.agents.llm import ScriptedChatModel


class CountingModel(ScriptedChatModel):
    """Records how many calls are in flight at once (``peak``)."""

    in_flight: int = 0
    peak: int = 0

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await super()._agenerate(messages, stop, run_manager, **kwargs)
        finally:
            self.in_flight -= 1
