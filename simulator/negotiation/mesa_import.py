"""Mesa, imported without the warning its progress bars raise in a bare Jupyter kernel.

Mesa imports ``tqdm.auto`` at import time; in a Jupyter kernel without ipywidgets
that emits a ``TqdmWarning`` ("IProgress not found") into the first cell that touches
the negotiation model, although plurisim never draws Mesa's bars. The warning is
silenced for that import only; every other warning stays as the user set it.

Examples
--------
>>> from plurisim.negotiation.mesa_import import mesa
>>> mesa.__version__
'3.3.1'
"""

from __future__ import annotations

import warnings

from tqdm import TqdmWarning

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="IProgress not found", category=TqdmWarning)
    import mesa

__all__ = ["mesa"]
