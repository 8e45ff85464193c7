"""Running a sweep: expand the spec into runs, skip those done, run the rest, store them."""

from __future__ import annotations

import glob
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from plurisim.experiments.executors import make_executor
from plurisim.experiments.spec import SweepSpec, load_spec, scenario_fields
from plurisim.experiments.store import ResultStore
from plurisim.experiments.tasks import Batch, Task, run_batch, scenario_payload
from plurisim.scenario import Scenario, load_scenario

__all__ = ["SweepResult", "expand", "sweep"]


@dataclass(frozen=True)
class SweepResult:
    """A finished (or resumed) sweep: its table, manifest and folder."""

    table: pd.DataFrame
    manifest: dict[str, Any]
    folder: Path
    ran: int
    skipped: int

    def __str__(self) -> str:
        m = self.manifest
        return (
            f"sweep {m['spec_hash'][:12]}: {m['completed']} of {m['runs']} runs ({m['status']}); "
            f"ran {self.ran}, reused {self.skipped}; results in {self.folder}"
        )


def _scenarios(spec: SweepSpec, base: Path) -> list[Variant]:
    """Every scenario of the spec, once per grid point of the scenario fields it takes."""
    from plurisim import scenarios as library
    from plurisim.errors import PlurisimError, SpecError

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
                out.extend(_variant(library, s, base, mine, path) for path in _paths(s, base))
            except PlurisimError as exc:
                raise SpecError(f"scenarios[{k}]: {exc}") from None
            except TypeError as exc:
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


def expand(
    spec: SweepSpec, base: Path | None = None
) -> tuple[list[Task], dict[str, dict[str, Any]], str]:
    """Every run of a spec in order, the scenarios as data, and the spec's hash."""
    variants = _scenarios(spec, base or Path.cwd())
    data = {v.scenario.digest(): scenario_payload(v.scenario) for v in variants}
    seeds = spec.seed_list()
    tasks: list[Task] = []
    keys = tuple(spec.grid)
    for variant in variants:
        digest = variant.scenario.digest()
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
    return tasks, data, spec.digest([v.scenario.digest() for v in variants])


def _batches(
    tasks: list[Task], scenarios: dict[str, dict[str, Any]], spec: SweepSpec, size: int
) -> list[Batch]:
    out = []
    for start in range(0, len(tasks), size):
        chunk = tuple(tasks[start : start + size])
        needed = {t.scenario for t in chunk}
        out.append(
            Batch(
                tasks=chunk,
                scenarios={k: scenarios[k] for k in needed},
                metrics=tuple(spec.metrics),
                transcripts=spec.transcripts,
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
) -> SweepResult:
    """Run a sweep (or finish an interrupted one) and return its table.

    Parameters
    ----------
    spec : SweepSpec, path of a YAML file, or mapping
    out : path, optional
        Results folder (default ``results/<spec name>``). Re-running the same spec
        into it runs only what is missing; a different spec is refused.
    executor : {"process", "inprocess", "dask", "dask:ADDRESS"}
    workers : int, optional
        Processes (or Dask workers); default: the number of cores.
    batch_size : int, optional
        Runs per task sent to a worker (default: about eight batches per worker).
    progress : bool, optional
        Show a progress bar (default: when standard error is a terminal).

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import tempfile
    >>> spec = {"scenarios": ["toy-park"], "mechanisms": ["maximin", "negotiative"],
    ...         "grid": {"rounds": [5, 10]}, "seeds": {"count": 2, "root": 0}}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     result = sweep(spec, d, executor="inprocess", progress=False)
    >>> len(result.table)  # maximin x 2 seeds + negotiative x 2 rounds x 2 seeds
    6
    """
    parsed, base = load_spec(spec)
    tasks, scenario_data, digest = expand(parsed, base)
    folder = Path(out) if out is not None else Path("results") / (parsed.name or digest[:12])
    store = ResultStore(folder, digest, parsed.model_dump(mode="json"), len(tasks))
    runner = make_executor(executor, workers)
    try:
        seeds = (
            parsed.seeds
            if isinstance(parsed.seeds, list)
            else {
                "root": parsed.seeds.root,
                "count": parsed.seeds.count,
                "how": "numpy.random.SeedSequence(root).spawn(count)",
            }
        )
        done = store.open(
            {
                "executor": runner.name,
                "workers": runner.workers,
                "seeds": seeds if isinstance(seeds, dict) else list(seeds),
            }
        )
        todo = [t for t in tasks if t.run_id not in done]
        size = batch_size or max(1, min(64, math.ceil(len(todo) / max(1, runner.workers * 8))))
        batches = _batches(todo, scenario_data, parsed, size)
        show = sys.stderr.isatty() if progress is None else progress
        bar = _progress(len(todo), show)
        try:
            for rows in runner.run(run_batch, batches):
                store.write_part(rows)
                bar.update(len(rows))
        except BaseException:
            store.mark("interrupted")
            raise
        finally:
            bar.close()
        table = store.finish()
    finally:
        runner.close()
    return SweepResult(
        table=table,
        manifest=store.manifest,
        folder=folder,
        ran=len(todo),
        skipped=len(tasks) - len(todo),
    )


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
    return tqdm(total=total, unit="run", file=sys.stderr)
