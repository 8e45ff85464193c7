"""One run of a sweep, and the batches of runs that travel to workers.

A worker receives a :class:`Batch` (the scenarios it needs, as plain data, and its
runs) and returns one row of metrics per run. Nothing depends on which process or
machine runs it: the same run gives the same row anywhere. A scenario built from a
Pabulib file travels as its file and options (thousands of ballots stay on disk) and
is read once per worker; its digest must match, so a file changed meanwhile is refused.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from plurisim.errors import SpecError
from plurisim.outcome import to_jsonable
from plurisim.scenario import Scenario

__all__ = ["Batch", "BatchOutput", "Task", "run_batch", "run_one", "scenario_payload"]

_SCENARIOS: dict[str, Scenario] = {}


@dataclass(frozen=True)
class Task:
    """One run: a scenario, a mechanism with its parameters, and a seed."""

    index: int
    scenario: str  # the scenario's key in its batch (its digest)
    scenario_label: str
    mechanism: str
    params: dict[str, Any]
    seed_index: int
    seed: Any  # an int or a numpy SeedSequence
    grid_keys: tuple[str, ...] = ()
    scenario_params: dict[str, Any] = field(default_factory=dict)
    notes: str = ""

    @property
    def run_id(self) -> str:
        """A stable id: the same run has the same id in every sweep of the same spec."""
        seed = (
            self.seed
            if isinstance(self.seed, int)
            else [self.seed.entropy, list(self.seed.spawn_key)]
        )
        doc = json.dumps(
            [self.scenario, self.mechanism, self.params, seed], sort_keys=True, default=str
        )
        return hashlib.sha1(doc.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Batch:
    """Runs sent to one worker together, with the scenarios they use."""

    tasks: tuple[Task, ...]
    scenarios: dict[str, dict[str, Any]]
    metrics: tuple[str, ...]
    transcripts: bool = False


@dataclass
class RunOutput:
    """A run's row of metrics and, if kept, its transcript."""

    row: dict[str, Any]
    transcript: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def scenario_payload(scenario: Scenario) -> dict[str, Any]:
    """What a worker needs to rebuild ``scenario``: its data, or for ballots its file.

    Raises
    ------
    SpecError
        For a scenario with ballots that did not come from a file.
    """
    if scenario.ballots is None:
        return scenario.to_dict()
    origin = scenario.origin
    if origin is None:
        raise SpecError(
            f"scenario {scenario.name!r} carries ballots but no file they came from; "
            "a sweep reads ballot scenarios from .pb files"
        )
    return {"origin": origin}


def _scenario(key: str, data: dict[str, Any]) -> Scenario:
    if key not in _SCENARIOS:
        if "origin" in data:
            from plurisim.scenarios.pabulib import load_pb

            origin = data["origin"]
            s = load_pb(origin["path"], groups=origin["groups"], utility=origin["utility"])
            if origin.get("budget") is not None:
                s = s.with_budget(float(origin["budget"]))[0]
            if s.digest() != key:
                raise SpecError(
                    f"{origin['path']}: the file changed since the sweep started; run it again"
                )
            _SCENARIOS[key] = s
        else:
            _SCENARIOS[key] = Scenario.from_dict(data, source=f"scenario {key[:12]}")
    return _SCENARIOS[key]


def run_one(
    scenario: Scenario,
    mechanism: str,
    seed: Any,
    params: dict[str, Any],
    metrics: tuple[str, ...] | None = None,
    transcript: bool = False,
) -> RunOutput:
    """Run one mechanism on a scenario and score it against the scenario's base designs.

    The negotiative mechanism is scored as :func:`plurisim.negotiate` scores it; any
    other rule is evaluated among the base designs and its own outcome, so the
    percentile satisfaction is normalized within the scenario the same way.
    """
    from plurisim import registry
    from plurisim.api import negotiate
    from plurisim.evaluation import score
    from plurisim.scenario import compile_scenario

    keep = metrics
    if mechanism == "negotiative":
        result = negotiate(scenario, seed=seed, **params)
        values, reference = dict(result.metrics), dict(result.reference_metrics)
        row = {
            "agreement": result.agreement,
            "rounds": result.rounds,
            "package": "; ".join(result.package),
            "cost": result.cost,
            "status": result.outcome.status,
        }
        text = result.to_markdown() if transcript else None
    else:
        rng = np.random.default_rng(seed)
        problem = compile_scenario(scenario, seed=rng)
        outcome = registry.run(problem, mechanism, rng=rng, **params)
        scores = score(problem, [outcome])
        values = scores.metrics(outcome.name)
        reference = scores.reference_metrics()
        row = {
            "agreement": None,
            "rounds": None,
            "package": "; ".join(outcome.package),
            "cost": outcome.cost,
            "status": outcome.status,
        }
        text = None
    for key in keep or values:
        row[key] = values.get(key)
        row[f"reference_{key}"] = reference.get(key)
    return RunOutput(row=to_jsonable(row), transcript=text)


class BatchOutput(NamedTuple):
    """What a worker returns for a batch: rows of finished runs, records of failed ones."""

    rows: list[dict[str, Any]]
    failures: list[dict[str, Any]]


def run_batch(batch: Batch) -> BatchOutput:
    """Run every task of a batch; a run that raises is recorded, not fatal to the batch.

    Rows carry ``run_id`` and ``index``; a failure record carries the run's identity,
    ``error`` (the exception's type and message) and ``traceback``.
    """
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for task in batch.tasks:
        identity = {
            "index": task.index,
            "run_id": task.run_id,
            "scenario": task.scenario_label,
            "mechanism": task.mechanism,
            "seed": task.seed_index,
        }
        params = json.dumps(to_jsonable(task.params), sort_keys=True)
        try:
            scenario = _scenario(task.scenario, batch.scenarios[task.scenario])
            result = run_one(
                scenario,
                task.mechanism,
                task.seed,
                dict(task.params),
                batch.metrics,
                batch.transcripts,
            )
        except Exception as exc:
            failures.append(
                {
                    **identity,
                    "params": params,
                    "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(),
                }
            )
            continue
        row = {
            **identity,
            **{
                f"param_{k}": to_jsonable(task.params.get(k, task.scenario_params.get(k)))
                for k in task.grid_keys
            },
            "params": params,
            **result.row,
        }
        if task.notes:
            row["notes"] = task.notes
        if result.transcript is not None:
            row["_transcript"] = result.transcript
        rows.append(row)
    return BatchOutput(rows, failures)
