"""Start-up: the quick paths load neither SciPy nor pandas, and scoring without pandas
gives the table's numbers.

Each check runs a fresh interpreter, since a module another test imported stays in
``sys.modules``; none is timed (``python -m benchmarks startup`` measures the time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest
from plurisim import compile_scenario, mechanisms, negotiate, scenarios
from plurisim.cli import main
from plurisim.evaluation import METRIC_KEYS, score
from plurisim.outcome import to_jsonable
from plurisim.scenario.ballots import ballot_scenario
from scipy import sparse

HEAVY = ("scipy", "pandas")

CLI = """
import contextlib, io, json, sys
from plurisim.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        status = main({argv!r})
    except SystemExit as exc:  # --help
        status = exc.code
print(json.dumps({{"status": status, "out": out.getvalue(),
                  "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""

NEGOTIATE = """
import json, sys
from plurisim import negotiate, scenarios
r = negotiate(scenarios.load("montreal-streets"))
{after}
print(json.dumps({{"agreement": r.agreement, "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""


def _fresh(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict = json.loads(done.stdout.splitlines()[-1])
    return result


def test_run_json_loads_neither_scipy_nor_pandas():
    got = _fresh(CLI.format(argv=["run", "montreal-streets", "--json"], heavy=HEAVY))
    assert got["status"] == 0
    doc = json.loads(got["out"])
    assert doc["metrics"]["total_utility"] > doc["reference"]["total_utility"] - 10  # computed
    assert got["loaded"] == []


def test_help_loads_neither_scipy_nor_pandas():
    got = _fresh(CLI.format(argv=["--help"], heavy=HEAVY))
    assert got["status"] == 0 and "COMMAND" in got["out"]
    assert got["loaded"] == []


def test_a_first_negotiation_loads_neither_scipy_nor_pandas():
    got = _fresh(NEGOTIATE.format(after="r.metrics", heavy=HEAVY))
    assert got["agreement"] is True
    assert got["loaded"] == []


def test_the_check_sees_a_module_that_is_loaded():
    # the rounds table is a DataFrame: the check above would see pandas
    got = _fresh(NEGOTIATE.format(after="r.rounds_table", heavy=HEAVY))
    assert "pandas" in got["loaded"]


def test_version_is_read_when_asked_for(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"plurisim {metadata.version('plurisim')}\n"


def _tiny_election():
    rng = np.random.default_rng(7)
    utilities = sparse.csr_array(rng.integers(0, 3, size=(12, 5)) * [3.0, 2.0, 4.0, 1.0, 5.0])
    return ballot_scenario(
        name="tiny",
        title="A tiny election",
        project_ids=["a", "b", "c", "d", "e"],
        costs=[3, 2, 4, 1, 5],
        budget=8,
        utilities=utilities,
        voter_group=rng.integers(0, 3, size=12),
        group_ids=["x", "y", "z"],
        votes=np.asarray((utilities > 0).sum(axis=0)).ravel(),
        kind="approval-cost",
        base_designs={"city": ("City", [True, True, False, False, False])},
    )


@pytest.mark.parametrize("name", ["toy-park", "montreal-streets", "community-budget", "tiny"])
@pytest.mark.parametrize("distances", [False, True])
def test_metrics_without_pandas_are_the_table_s_numbers(name, distances):
    scenario = _tiny_election() if name == "tiny" else scenarios.load(name)
    p = compile_scenario(scenario, seed=0)
    outcomes = [mechanisms.maximin(p), mechanisms.utilitarian(p), mechanisms.status_quo(p)]
    s = score(p, outcomes, distances=distances)
    frame = s.frame  # built from the same rows, by pandas
    assert s.reference == frame.attrs["reference"]
    keys = [*METRIC_KEYS, *(c for c in frame.columns if c.startswith(("delta_", "u:")))]
    for row_name in frame.index:
        want = {k: to_jsonable(frame.loc[row_name, k]) for k in keys if k in frame.columns}
        got = s.metrics(row_name, keys)
        assert list(got) == list(want)
        for k in want:  # the same value to the last bit, NaN as None
            assert got[k] == want[k] and type(got[k]) is type(want[k]), (row_name, k)
    assert s.reference_metrics() == s.metrics(s.reference)
    if name == "tiny":
        assert "gini_voters" in s.metrics(s.reference)


def test_negotiation_metrics_match_the_scores_table():
    r = negotiate(scenarios.load("toy-park"), seed=3)
    p = compile_scenario(scenarios.load("toy-park"), seed=0)
    frame = score(p, [r.outcome]).frame
    row = frame.loc[r.outcome.name]
    assert r.metrics == {k: to_jsonable(row[k]) for k in METRIC_KEYS if k in row.index}
