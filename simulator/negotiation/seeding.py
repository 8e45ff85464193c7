"""One seed for a whole negotiation, split into independent streams.

Examples
--------
>>> from plurisim.negotiation.seeding import split_seed
>>> value, compile_rng, model_rng = split_seed(7)
>>> value, int(compile_rng.integers(1000)) != int(model_rng.integers(1000))
(7, True)
>>> split_seed(-1)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'seed' parameter of negotiate must be None, a non-negative int below 2**128, a numpy SeedSequence or a numpy Generator. Got -1 instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from plurisim.validation import check_seed

__all__ = ["split_seed"]


def split_seed(seed: Any) -> tuple[int | None, Any, np.random.Generator]:
    """The reported seed, and the generators for compiling the scenario and for the model.

    A seed (int or SeedSequence) is split into two independent streams; a Generator
    is used for both.
    """
    check_seed(seed, "negotiate")
    if isinstance(seed, np.random.Generator):
        return None, seed, seed
    if isinstance(seed, np.random.SeedSequence):
        entropy = seed.entropy
        value = int(entropy) if isinstance(entropy, int) else None
        # a copy, so that spawning leaves the caller's sequence untouched
        root = np.random.SeedSequence(
            seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size
        )
    else:
        value = None if seed is None else int(seed)
        root = np.random.SeedSequence(value)
    compile_seq, model_seq = root.spawn(2)
    return value, np.random.default_rng(compile_seq), np.random.default_rng(model_seq)
