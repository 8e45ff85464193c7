"""Equal Shares on the largest shared Pabulib election, ours against pabutools.

Warszawa 2023, Mokotów: 81 projects, 11,067 approval ballots. Prints our plain Equal
Shares (cost utilities, pabutools' ``Cost_Sat``) against pabutools' (goal: at least 5x
faster), and our whole add1 completion (goal: less than one plain pabutools run), with
the budget steps it evaluated and skipped. Selections are checked against pabutools:
the plain run directly, add1 against pabutools' plain Equal Shares at our final
per-voter budget (pabutools' own add1 takes hours here). Needs ``../shared/data``
and pabutools (a test extra); skips without them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from plurisim.formatting import table
from plurisim.mechanisms.equal_shares import equal_shares, priority_by_name

from benchmarks._goals import verdict
from benchmarks._util import ms, timed

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pabulib"
FILE = "Poland_Warszawa_2023_Mokotow.pb"


def _arrays(instance: Any, profile: Any, kind: str) -> tuple[np.ndarray, sp.csr_array, list[str]]:
    projects = list(instance.project_meta)
    index = {p.name: j for j, p in enumerate(projects)}
    costs = np.array([float(p.cost) for p in projects])
    rows, cols = [], []
    for i, ballot in enumerate(profile):
        for p in ballot:
            rows.append(i)
            cols.append(index[p.name])
    approvals = sp.csr_array(
        (np.ones(len(rows)), (rows, cols)), shape=(len(profile), len(projects))
    )
    util = approvals.multiply(costs[None, :]).tocsr() if kind == "cost" else approvals
    return costs, sp.csr_array(util), [p.name for p in projects]


def mokotow_table() -> str:
    path = DATA / FILE
    if not path.is_file():
        return f"{path} is missing (../shared/data is not part of the repository): skipped."
    try:
        from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
        from pabutools.fractions import frac
        from pabutools.rules import BudgetAllocation, method_of_equal_shares
        from pabutools.rules.mes.mes_rule import method_of_equal_shares_scheme
        from pabutools.tiebreaking import lexico_tie_breaking
    except ImportError:
        return "pabutools is not installed (it is a test extra): skipped."
    instance, profile = parse_pabulib(str(path))
    budget = float(instance.budget_limit)
    rows = []
    for kind, sat in (("cost", Cost_Sat), ("cardinality", Cardinality_Sat)):
        costs, util, names = _arrays(instance, profile, kind)
        rank = priority_by_name(names)
        ours_s, plain = timed(
            lambda c=costs, u=util, r=rank: equal_shares(c, budget, u, priority=r)
        )
        start = time.perf_counter()
        theirs = method_of_equal_shares(instance, profile, sat_class=sat)
        theirs_s = time.perf_counter() - start
        same = sorted(names[j] for j in plain.selected) == sorted(p.name for p in theirs)
        rows.append(
            [
                kind,
                "plain",
                ms(ours_s),
                ms(theirs_s),
                f"{theirs_s / ours_s:,.0f}x",
                _verdict(theirs_s / ours_s, 5.0, strict=False),
                "-",
                "yes" if same else "NO",
            ]
        )
        add1_s, full = timed(
            lambda c=costs, u=util, r=rank: equal_shares(
                c, budget, u, priority=r, completion="add1"
            ),
            repeats=1,
        )
        at_final = method_of_equal_shares_scheme(
            instance,
            profile,
            profile.as_sat_profile(sat),
            frac(instance.budget_limit, profile.num_ballots()) + full.increments,
            BudgetAllocation(),
            lexico_tie_breaking,
            binary_sat=True,
        )
        same = sorted(names[j] for j in full.selected) == sorted(p.name for p in at_final)
        steps = f"{full.steps_evaluated} run, {full.steps_skipped} skipped (+{full.increments})"
        rows.append(
            [
                kind,
                "add1 (whole)",
                ms(add1_s),
                f"{ms(theirs_s)} per step",
                f"{theirs_s / add1_s:,.1f}x",
                _verdict(theirs_s / add1_s, 1.0, strict=True),
                steps,
                "yes" if same else "NO",
            ]
        )
    return table(
        rows,
        [
            "utility",
            "rule",
            "ours",
            "pabutools",
            "one pabutools run / ours",
            "goal",
            "add1 budget steps",
            "same selection",
        ],
    )


def _verdict(ratio: float, goal: float, *, strict: bool) -> str:
    """The goal on the ratio 'one pabutools plain run / ours', and whether it is met.

    Plain Equal Shares: at least 5x; the whole add1: less time than one pabutools run.
    """
    met = ratio > goal if strict else ratio >= goal
    return f"{'>' if strict else '>='} {goal:g}x ({verdict(met)})"


def main() -> None:
    print(f"Equal Shares on {FILE} (81 projects, 11,067 ballots)")
    print(mokotow_table())
