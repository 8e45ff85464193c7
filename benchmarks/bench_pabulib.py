"""A real election end to end: the largest shared Warsaw district, ours beside pabutools.

Warszawa 2023, Mokotów: 81 projects, 11,067 approval ballots, voters grouped by age.
Prints, with the goals of the Pabulib work beside them: loading the ``.pb`` file into a
compiled problem (goal under 1 s), the Method of Equal Shares with the add1 completion
through the ``mes`` rule (goal under 1 s), maximin over the age groups (exact, or its
gap, within 10 s) and a negotiation with every voter as a stakeholder (under 10 s).
Beside them, pabutools on the same file: reading it, and one plain Equal Shares run
(its add1 repeats such a run once per budget step). Wall time and CPU time are both
shown (the machine may be shared). Needs ``../shared/data`` (and pabutools for its
column); says so and skips without them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plurisim.formatting import table

from benchmarks._goals import verdict

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pabulib"
FILE = "Poland_Warszawa_2023_Mokotow.pb"


def _clock(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _pabutools(path: Path) -> tuple[str, str]:
    try:
        from pabutools.election import Cost_Sat, parse_pabulib
        from pabutools.rules import method_of_equal_shares
    except ImportError:
        return "not installed", "not installed"
    read, _, (instance, profile) = _clock(lambda: parse_pabulib(str(path)))
    plain, _, _ = _clock(lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
    return _s(read), f"{_s(plain)} per budget step"


def mokotow_table() -> str:
    """The figures, as a text table."""
    path = DATA / FILE
    if not path.is_file():
        return f"{path} is missing (../shared/data is not part of the repository): skipped."
    from plurisim import compile_scenario, mechanisms, negotiate
    from plurisim.scenarios.pabulib import election_scenario, read_election

    def load() -> Any:  # uncached: read, convert and compile
        return compile_scenario(election_scenario(read_election(path), groups="age"))

    rows = []
    wall, cpu, problem = _clock(load)
    their_read, their_mes = _pabutools(path)
    rows.append(["load .pb -> problem", _goal(wall, 1.0), _s(wall), _s(cpu), "", their_read])
    wall, cpu, out = _clock(lambda: mechanisms.mes(problem, completion="add1"))
    steps = (
        f"{out.details['steps_evaluated']} budget steps run, {out.details['steps_skipped']} skipped"
    )
    rows.append(["mes, add1 (cost)", _goal(wall, 1.0), _s(wall), _s(cpu), steps, their_mes])
    wall, cpu, out = _clock(lambda: mechanisms.maximin(problem, time_limit=10.0))
    gap = "exact" if out.status == "optimal" else f"{out.status}, gap {out.gap:.2%}"
    exact = _goal(wall, 10.0, ", exact", out.status == "optimal")
    rows.append(["maximin over 6 age groups", exact, _s(wall), _s(cpu), gap, "-"])
    wall, cpu, res = _clock(lambda: negotiate(problem, seed=0, stakeholders="individuals"))
    info = (
        f"{res.details['n_stakeholders']:,} voters, {res.rounds} rounds, "
        f"{'agreement' if res.agreement else 'no agreement'}"
    )
    rows.append(["negotiation, every voter", _goal(wall, 10.0), _s(wall), _s(cpu), info, "-"])
    return table(rows, ["task", "goal", "wall", "cpu", "details", "pabutools"])


def _goal(seconds: float, goal: float, also: str = "", also_met: bool = True) -> str:
    """The goal 'less than ``goal`` seconds' (and ``also``), and whether it is met."""
    return f"< {goal:g} s{also}: {verdict(seconds < goal and also_met)}"


def main() -> None:
    print(f"{FILE}: 81 projects, 11,067 approval ballots, groups by age")
    print(mokotow_table())
