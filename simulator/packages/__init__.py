"""The packages layer: which packages exist, and how to search them.

A *package* is a set of interventions (a boolean mask over ``m``) that fits the
budget and respects every exclusion and requirement. Mechanisms, the negotiation
and the agents find and change packages only through this layer:

- :mod:`~plurisim.packages.space`: every feasible package, enumerated with each
  group's utility (up to about a million packages);
- :mod:`~plurisim.packages.model`: the MILP model of the utility model (levels,
  caps, budget, exclusions, requirements) solved with HiGHS (``highspy``), one
  persistent solver per model where asked;
- :mod:`~plurisim.packages.highs`: the HiGHS glue (imported on first use), and
  small linear programs;
- :mod:`~plurisim.packages.engine`: the choice between the two, and lexicographic
  objectives over either;
- :mod:`~plurisim.packages.branch`: a branch and bound on the model's linear
  relaxation, for single objectives HiGHS's MILP is slow to start on;
- :mod:`~plurisim.packages.moves`: local moves (add, drop, swap within the
  budget) and the utility-per-cost greedy fill.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.packages import space_of
>>> space = space_of(compile_scenario(scenarios.load("toy-park")))
>>> len(space)
31
"""

from __future__ import annotations

from plurisim.packages.branch import branch_and_bound
from plurisim.packages.engine import (
    ENGINES,
    ENUMERATE_UP_TO,
    EXACT_TIE_BREAKS,
    Stage,
    StageResult,
    resolve_engine,
    select_stages,
    solve_stages,
    tolerance,
)
from plurisim.packages.model import MILPSolution, PackageModel, stdout_to_stderr
from plurisim.packages.moves import (
    blocked,
    greedy_candidates,
    greedy_fill,
    greedy_package,
    neighbours,
    random_neighbour,
    swap_feasibility,
)
from plurisim.packages.space import MAX_PACKAGES, PackageSpace, content_key, space_of

__all__ = [
    "ENGINES",
    "ENUMERATE_UP_TO",
    "EXACT_TIE_BREAKS",
    "MAX_PACKAGES",
    "MILPSolution",
    "PackageModel",
    "PackageSpace",
    "Stage",
    "StageResult",
    "blocked",
    "branch_and_bound",
    "content_key",
    "greedy_candidates",
    "greedy_fill",
    "greedy_package",
    "neighbours",
    "random_neighbour",
    "resolve_engine",
    "select_stages",
    "solve_stages",
    "space_of",
    "stdout_to_stderr",
    "swap_feasibility",
    "tolerance",
]
