"""Running a sweep: expand the spec into runs, skip those done, run the rest, store them."""

from __future__ import annotations

import glob
import math
import os
import sys
import time
from collections import deque
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from plurisim.errors import PlurisimError, SpecError
from plurisim.experiments.executors import make_executor, parse_executor
from plurisim.experiments.result import SweepResult
from plurisim.experiments.spec import SweepSpec, load_spec, scenario_fields
from plurisim.experiments.store import ResultStore
from plurisim.experiments.tasks import Batch, BatchOutput, Task, run_batch, scenario_payload
from plurisim.experiments.worker import start_method, start_server
from plurisim.interrupts import interrupts_blocked, raise_if_terminated, sigterm_raises
from plurisim.scenario import Scenario, load_scenario
from plurisim.validation import check_int, check_real

__all__ = ["expand", "sweep"]

_CAP = 64  # runs per batch at most: what a kill can cost, and the progress bar's step
_HELP_CHUNK = 4  # runs this process takes at a time while the workers start


def _scenarios(spec: SweepSpec, base: Path) -> list[Variant]:
    """Every scenario of the spec, once per grid point of the scenario fields it takes."""
    from plurisim import scenarios as library

    fields = scenario_fields(spec)
    points = spec.scenario_points()
    out: list[Variant] = []
    for k, s in enumerate(spec.scenarios):
        relevant = {"budget"} | (set(fields) if s.generate is not None else set())
        seen: set[str] = set()
        for point in points:
            mine = {key: v for key, v in point.items() if key in relevant}
            signature = repr(sorted(mine.items()))
            if signature in seen:  # a grid key this scenario does not take
                continue
            seen.add(signature)
            try:
                out.extend(
                    replace(_variant(library, s, base, mine, path), entry=k)
                    for path in _paths(s, base)
                )
            except (PlurisimError, TypeError) as exc:
                raise SpecError(f"scenarios[{k}]: {exc}") from None
    return out


def _paths(s: Any, base: Path) -> list[Path | None]:
    """The files of a ``path`` (a glob gives each match, in name order); [None] otherwise."""
    from plurisim.errors import SpecError

    if s.path is None:
        return [None]
    path = Path(s.path) if Path(s.path).is_absolute() else base / s.path
    if not glob.has_magic(s.path):
        return [path]
    found = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
    if not found:
        raise SpecError(f"path: no file matches {s.path!r} (in {base})")
    return list(found)


def _variant(library: Any, s: Any, base: Path, point: dict[str, Any], path: Path | None) -> Variant:
    generator = {key: v for key, v in point.items() if key != "budget"}
    if s.name is not None:
        scenario, label = library.load(s.name), s.name
    elif path is not None and path.name.lower().endswith(".pb"):
        scenario = library.load(str(path.resolve()), groups=s.groups, utility=s.utility)
        label = scenario.name
    elif path is not None:
        scenario = load_scenario(path)
        label = scenario.name
    else:
        assert s.generate is not None
        scenario = library.generate(**{**s.generate, **generator})
        label = scenario.name
    notes = ""
    if "budget" in point:
        scenario, dropped = scenario.with_budget(float(point["budget"]))
        if dropped:
            notes = f"base designs over the budget {point['budget']:g} dropped out: " + ", ".join(
                dropped
            )
    return Variant(label, scenario, point, notes)


@dataclass(frozen=True)
class Variant:
    """One scenario of a sweep at one grid point of its scenario fields."""

    label: str
    scenario: Scenario
    point: dict[str, Any]
    notes: str = ""
    entry: int = 0  # its index in the spec's scenarios


def _describe(task: Task) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in sorted(task.params.items()))
    return f"{task.scenario_label} / {task.mechanism}({params}) / seed #{task.seed_index}"


def expand(
    spec: SweepSpec, base: Path | None = None
) -> tuple[list[Task], dict[str, dict[str, Any]], str]:
    """Every run of a spec in order, the scenarios as data, and the spec's hash.

    Raises
    ------
    SpecError
        If two entries of the spec lead to the same run (the same scenario twice,
        a mechanism parameter that a grid key would replace, ...).

    Examples
    --------
    >>> from plurisim.experiments import load_spec
    >>> spec, _ = load_spec({"scenarios": ["toy-park"], "mechanisms": ["maximin"],
    ...                      "seeds": [1, 2]})
    >>> tasks, scenarios, digest = expand(spec)
    >>> [(t.mechanism, t.seed_index) for t in tasks]
    [('maximin', 0), ('maximin', 1)]
    >>> spec, _ = load_spec({"scenarios": ["toy-park"], "grid": {"rounds": [5, 10]},
    ...                      "mechanisms": [{"name": "negotiative", "params": {"rounds": 5}}],
    ...                      "seeds": [1]})
    >>> expand(spec)
    Traceback (most recent call last):
    ...
    plurisim.errors.SpecError: mechanisms[0].params.rounds: is also a grid key, whose values would replace it; keep it in one place.
    """
    variants = _scenarios(spec, base or Path.cwd())
    digests = [v.scenario.digest() for v in variants]
    for k, d in enumerate(digests):
        if digests.index(d) != k:
            this, other = variants[k], variants[digests.index(d)]
            raise SpecError(
                f"scenarios[{this.entry}]: is the same scenario as scenarios[{other.entry}] "
                f"({this.label}, content hash {d[:12]}); list each scenario once."
            )
    for k, mech in enumerate(spec.mechanisms):
        for key in sorted(set(mech.params) & set(spec.grid)):
            if any(key in point for point in spec.combinations(mech.name)):
                raise SpecError(
                    f"mechanisms[{k}].params.{key}: is also a grid key, whose values would "
                    "replace it; keep it in one place."
                )
    data = {d: scenario_payload(v.scenario) for d, v in zip(digests, variants, strict=True)}
    seeds = spec.seed_list()
    tasks: list[Task] = []
    keys = tuple(spec.grid)
    for variant, digest in zip(variants, digests, strict=True):
        for mech in spec.mechanisms:
            for point in spec.combinations(mech.name):
                params = {**mech.params, **point}
                for i, seed in enumerate(seeds):
                    tasks.append(
                        Task(
                            index=len(tasks),
                            scenario=digest,
                            scenario_label=variant.label,
                            mechanism=mech.name,
                            params=params,
                            seed_index=i,
                            seed=seed,
                            grid_keys=keys,
                            scenario_params=variant.point,
                            notes=variant.notes,
                        )
                    )
    first: dict[str, Task] = {}
    for task in tasks:
        earlier = first.setdefault(task.run_id, task)
        if earlier is not task:
            raise SpecError(
                f"two entries of the spec give the same run: {_describe(earlier)} and "
                f"{_describe(task)}; remove the duplicate."
            )
    return tasks, data, spec.digest(digests)


def _batch_sizes(n: int, workers: int, cap: int | None) -> list[int]:
    """Large batches first, smaller towards the end, so the workers finish together."""
    if cap is not None:
        return [min(cap, n - start) for start in range(0, n, cap)]
    sizes, left = [], n
    while left > 0:
        size = min(left, _CAP, max(1, math.ceil(left / (4 * workers))) if workers > 1 else _CAP)
        sizes.append(size)
        left -= size
    return sizes


def _batches(
    tasks: list[Task],
    scenarios: dict[str, dict[str, Any]],
    spec: SweepSpec,
    sizes: list[int],
) -> list[Batch]:
    out, start = [], 0
    for size in sizes:
        chunk = tuple(tasks[start : start + size])
        start += size
        needed = {t.scenario for t in chunk}
        out.append(
            Batch(
                tasks=chunk,
                scenarios={k: scenarios[k] for k in needed},
                metrics=tuple(spec.metrics),
                transcripts=spec.transcripts,
                llm=spec.llm,
            )
        )
    return out


def sweep(
    spec: SweepSpec | str | os.PathLike[str] | dict[str, Any],
    out: str | os.PathLike[str] | None = None,
    *,
    executor: str = "process",
    workers: int | None = None,
    batch_size: int | None = None,
    progress: bool | None = None,
    connect_timeout: float = 10.0,
) -> SweepResult:
    """Run a sweep (or finish an interrupted one) and return its table.

    Parameters
    ----------
    spec : SweepSpec, path of a YAML file, or mapping
    out : path, optional
        Results folder (default ``results/<spec name>``). Re-running the same spec
        into it runs only what is missing; a different spec is refused, and so is
        a second sweep while one is writing it.
    executor : {"process", "inprocess", "dask", "dask:ADDRESS"}
    workers : int, optional
        Processes (or Dask workers); default: the number of cores.
    batch_size : int, optional
        Runs per task sent to a worker (default: large batches first, smaller
        towards the end, at most 64).
    progress : bool, optional
        Show a progress bar once the sweep has run two seconds (default: when
        standard error is a terminal).
    connect_timeout : float, default 10
        Seconds to wait for a remote Dask scheduler (``dask:ADDRESS``) to answer.

    Returns
    -------
    SweepResult
        A run that raises does not stop the sweep: it is listed in
        ``result.failures`` and ``failures.jsonl``, and tried again next time.

    Raises
    ------
    SpecError
        Bad spec, duplicate runs, a locked, foreign or damaged results folder.
    ExternalFailure
        A Dask scheduler that does not answer, a worker process that died.
    KeyboardInterrupt
        On Ctrl-C (or SIGTERM, as :class:`plurisim.interrupts.Terminated`); the
        folder is marked interrupted and the same call resumes it.

    Examples
    --------
    >>> import tempfile
    >>> spec = {"scenarios": ["toy-park"], "mechanisms": ["maximin", "negotiative"],
    ...         "grid": {"rounds": [5, 10]}, "seeds": {"count": 2, "root": 0}}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     result = sweep(spec, d, executor="inprocess", progress=False)
    >>> len(result.table)  # maximin x 2 seeds + negotiative x 2 rounds x 2 seeds
    6
    >>> sweep({**spec, "seeds": [3, 3]}, executor="inprocess")
    Traceback (most recent call last):
    ...
    plurisim.errors.SpecError: <spec>: seeds: seed 3 is listed twice; list each seed once
    """
    started = time.perf_counter()
    parsed, base = load_spec(spec)
    kind, address = parse_executor(executor)
    if batch_size is not None:
        check_int(batch_size, "batch_size", "sweep", low=1)
    connect_timeout = check_real(
        connect_timeout, "connect_timeout", "sweep", low=0, high=3600, closed="right"
    )
    if kind == "process" or (kind == "dask" and address is None):
        # The server that workers fork from imports plurisim while this process loads
        # the scenarios and checks the folder (and stays for later sweeps).
        with interrupts_blocked():
            if start_method(extra=["distributed"] if kind == "dask" else []) == "forkserver":
                start_server()
    try:
        tasks, scenario_data, digest = expand(parsed, base)
    except SpecError as exc:
        if isinstance(spec, str | os.PathLike):
            raise SpecError(f"{spec}: {exc}") from None
        raise
    folder = Path(out) if out is not None else Path("results") / (parsed.name or digest[:12])
    store = ResultStore(folder, digest, parsed.model_dump(mode="json"), tasks)
    with sigterm_raises(), store:
        done = store.open(
            {
                "executor": executor,
                "workers": workers,
                "seeds": _seeds(parsed),
            }
        )
        todo = [t for t in tasks if t.run_id not in done]
        try:
            if todo:
                runner = make_executor(executor, workers, connect_timeout=connect_timeout)
                _run(store, runner, todo, scenario_data, parsed, batch_size, progress)
            table = store.finish()
        except KeyboardInterrupt:
            store.mark("interrupted")
            raise
        except BaseException as exc:
            store.mark("failed", error=f"{type(exc).__name__}: {exc}")
            raise
    return SweepResult(
        table=table,
        manifest=store.manifest,
        folder=folder,
        ran=len(todo),
        skipped=len(tasks) - len(todo),
        failures=store.failure_table(),
        repairs=tuple(store.repairs),
        written=_written(store),
        seconds=time.perf_counter() - started,
    )


def _seeds(spec: SweepSpec) -> Any:
    if isinstance(spec.seeds, list):
        return list(spec.seeds)
    return {
        "root": spec.seeds.root,
        "count": spec.seeds.count,
        "how": "numpy.random.SeedSequence(root).spawn(count)",
    }


def _run(
    store: ResultStore,
    runner: Any,
    todo: list[Task],
    scenarios: dict[str, dict[str, Any]],
    spec: SweepSpec,
    batch_size: int | None,
    progress: bool | None,
) -> None:
    store.manifest["workers"] = runner.workers
    sizes = _batch_sizes(len(todo), runner.workers, batch_size)
    batches = deque(_batches(todo, scenarios, spec, sizes))
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(len(todo), show)

    def keep(output: BatchOutput) -> None:
        raise_if_terminated()
        store.write_part(output.rows)
        store.add_failures(output.failures)
        bar.update(len(output.rows) + len(output.failures))

    finished = False
    try:
        runner.start()
        if runner.local:
            _help(runner, batches, keep)
        with closing(runner.run(run_batch, list(batches))) as results:
            for output in results:
                keep(output)
        raise_if_terminated()
        finished = True
    finally:
        bar.close()
        runner.close(abort=not finished)


def _help(runner: Any, batches: deque[Batch], keep: Callable[[BatchOutput], None]) -> None:
    """Run batches in this process while the workers start, then hand the rest over.

    Runs are taken from the end of the queue, where batches are smallest, a few at
    a time so the workers never wait long for this process to notice they are up;
    their rows are stored every half second (a part file costs a flush to disk).
    The same runs give the same rows here as in a worker.
    """
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    flushed = time.monotonic()
    while batches and not runner.ready():
        last = batches.pop()
        if len(last.tasks) > _HELP_CHUNK:
            cut = len(last.tasks) - _HELP_CHUNK
            batches.append(replace(last, tasks=last.tasks[:cut]))
            last = replace(last, tasks=last.tasks[cut:])
        output = run_batch(last)
        rows += output.rows
        failures += output.failures
        if time.monotonic() - flushed > 0.5:
            keep(BatchOutput(rows, failures))
            rows, failures, flushed = [], [], time.monotonic()
    if rows or failures:
        keep(BatchOutput(rows, failures))


def _written(store: ResultStore) -> tuple[str, ...]:
    out = [str(store.manifest.get("table", "")), "manifest.json"]
    for name, n in (("parts", store.parts_written), ("transcripts", store.transcripts_written)):
        if n:
            out.append(f"{name}/ ({n} new file{'s' if n != 1 else ''})")
    if store.failures:
        out.append("failures.jsonl")
    return tuple(w for w in out if w)


class _NoBar:
    def update(self, n: int) -> None:
        return None

    def close(self) -> None:
        return None


def _progress(total: int, show: bool) -> Any:
    if not show:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm comes with Mesa
        return _NoBar()
    # Shown only once the sweep has taken two seconds; cleared at the end for the summary.
    return tqdm(total=total, unit="run", file=sys.stderr, delay=2.0, leave=False)
