"""The rule-based SVO respondent, kept importable from here.

:class:`SVOAgent` is a model of choice behaviour that the measurement itself uses,
so it lives in :mod:`plurisim.svo.respondents`; this module re-exports it.

Examples
--------
>>> import numpy as np
>>> from plurisim.agents.svo import SVOAgent
>>> SVOAgent(61.39, rationality=100.0).answer(np.random.default_rng(0)).choices
['A', 'I', 'A', 'A', 'I', 'I']
>>> SVOAgent(61.39, rationality=-1.0)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'rationality' parameter of SVOAgent must be a real number in the range [0, 1e+06]. Got -1.0 instead.
"""

from __future__ import annotations

from plurisim.svo.respondents import SVOAgent

__all__ = ["SVOAgent"]
