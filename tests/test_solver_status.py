"""Solver honesty: every HiGHS status is handled and labelled, and HiGHS never writes to stdout.

A fake run stands in for HiGHS where its rare statuses (a solve error with presolve
on, no package within the time limit) cannot be provoked on demand.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from plurisim import compile_scenario, mechanisms, scenarios
from plurisim.packages import model as model_module

GENERATED = scenarios.generate(4, 12, 3, 0.6, 0.3, seed=3)


@pytest.fixture
def problem():
    return compile_scenario(GENERATED, seed=0)


def _failing(status: int, message: str, *, times: int | None = None):
    """A replacement for one HiGHS run that fails ``times`` times (always if None)."""
    original = model_module.PackageModel._once
    calls: list[str] = []

    def once(self, h, start):
        presolve = h.getOptionValue("presolve")[1] if hasattr(h, "getOptionValue") else "?"
        calls.append(str(presolve))
        if times is None or len(calls) <= times:
            return model_module._Run(status, None, float("inf"), None, None, message)
        return original(self, h, start)

    return once, calls


def test_a_solve_error_with_presolve_is_retried_without_it(problem, monkeypatch):
    exact = mechanisms.run(problem, "maximin", engine="milp")
    once, calls = _failing(4, "Solve error", times=1)
    monkeypatch.setattr(model_module.PackageModel, "_once", once)
    retried = mechanisms.run(problem, "maximin", engine="milp")
    assert calls[:2] == ["on", "off"]
    assert retried.status == "optimal" and retried.package == exact.package


def test_a_solve_error_without_presolve_too_is_labelled_not_disguised(problem, monkeypatch):
    once, _ = _failing(4, "Solve error")
    monkeypatch.setattr(model_module.PackageModel, "_once", once)
    out = mechanisms.run(problem, "maximin", engine="milp", time_limit=5)
    assert out.status == "solve_error"
    assert out.details["fallback"] == "greedy" and out.gap == float("inf")
    assert out.details["seconds"] < 5  # the time actually spent, not the limit
    assert out.cost <= problem.budget


def test_no_package_within_the_time_limit_is_a_fallback(problem, monkeypatch):
    once, _ = _failing(1, "Time limit reached")
    monkeypatch.setattr(model_module.PackageModel, "_once", once)
    out = mechanisms.run(problem, "leximin", engine="milp", time_limit=2)
    assert out.status == "fallback" and out.details["fallback"] == "greedy"
    assert out.details["seconds"] < 2 and out.cost <= problem.budget


def test_an_optimal_solve_says_so_with_its_seconds(problem):
    out = mechanisms.run(problem, "maximin", engine="milp")
    assert out.status == "optimal" and out.gap == 0.0
    assert 0 < out.details["seconds"] < 30


def test_what_native_code_prints_during_a_solve_goes_to_stderr(problem, monkeypatch, capfd):
    original = model_module.PackageModel._once

    def chatty(self, h, start):
        os.write(1, b"HiGHS debug line\n")  # as HiGHS itself occasionally does
        return original(self, h, start)

    monkeypatch.setattr(model_module.PackageModel, "_once", chatty)
    out = mechanisms.run(problem, "maximin", engine="milp")
    captured = capfd.readouterr()
    assert "HiGHS debug line" not in captured.out
    assert "HiGHS debug line" in captured.err
    assert out.status == "optimal"
    assert np.isfinite(out.objective)
