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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from plurisim.errors import SpecError
from plurisim.outcome import to_jsonable
from plurisim.scenario import Scenario

__all__ = [
    "LLM_COLUMNS",
    "Batch",
    "BatchOutput",
    "Task",
    "run_batch",
    "run_one",
    "scenario_payload",
]

LLM_COLUMNS = ("calls", "fallbacks", "failures", "retries", "tokens_in", "tokens_out", "seconds")
"""The figures of a run's LLM calls a sweep row records, each as ``llm_<name>``: as
``plurisim run --json`` reports them under ``"llm"``, with ``failures`` the total of
failed attempts of every kind."""

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
    llm: dict[str, Any] | None = None


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
    llm: Mapping[str, Any] | None = None,
) -> RunOutput:
    """Run one mechanism on a scenario and score it against the scenario's base designs.

    The negotiative mechanism is scored as :func:`plurisim.negotiate` scores it; any
    other rule is evaluated among the base designs and its own outcome, so the
    percentile satisfaction is normalized within the scenario the same way.

    With ``llm`` (the fields of :class:`~plurisim.agents.llm.LLMSettings`), the
    negotiative mechanism's stakeholders and mediator are LLM-backed, as with
    ``plurisim run --llm``; the row gains the figures of :data:`LLM_COLUMNS`, and a
    run whose share of failed calls is above ``max_failure_share`` raises
    :class:`~plurisim.errors.LLMFailureError`. Other rules ignore ``llm``.

    Examples
    --------
    >>> from plurisim import scenarios
    >>> out = run_one(scenarios.load("toy-park"), "negotiative", 0, {}, llm={"model": "scripted"})
    >>> out.row["llm_calls"] > 0, out.row["llm_fallbacks"]
    (True, 0)
    >>> run_one(scenarios.load("toy-park"), "negotiative", 0, {},
    ...         llm={"model": "scripted:faults=1,seed=1,hang=0", "retries": 0})
    Traceback (most recent call last):
    ...
    plurisim.errors.LLMFailureError: The LLM scripted:faults=1,seed=1,hang=0 failed on ...
    """
    from plurisim import registry
    from plurisim.evaluation import score
    from plurisim.scenario import compile_scenario

    keep = metrics
    if mechanism == "negotiative":
        result = _negotiate(scenario, seed, params, llm)
        values, reference = dict(result.metrics), dict(result.reference_metrics)
        row = {
            "agreement": result.agreement,
            "rounds": result.rounds,
            "package": "; ".join(result.package),
            "cost": result.cost,
            "status": result.outcome.status,
        }
        if llm is not None:
            report = result.details["llm"]
            for key in LLM_COLUMNS:
                value = report[key]
                row[f"llm_{key}"] = sum(value.values()) if key == "failures" else value
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


def _negotiate(
    scenario: Scenario, seed: Any, params: dict[str, Any], llm: Mapping[str, Any] | None
) -> Any:
    """:func:`plurisim.negotiate`, with LLM-backed agents when ``llm`` is given."""
    from plurisim.api import negotiate

    if llm is None:
        return negotiate(scenario, seed=seed, **params)
    from plurisim.agents.llm import LLMSettings, llm_policies

    settings = LLMSettings(**llm)
    stakeholders, mediator = llm_policies(settings)
    runtime = stakeholders.runtime
    with runtime:
        result = negotiate(
            scenario, seed=seed, stakeholder_policy=stakeholders, mediator_policy=mediator, **params
        )
    runtime.check(settings.describe(), setting="llm.max_failure_share in the sweep spec")
    return result


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
                batch.llm,
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
