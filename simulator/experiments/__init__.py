"""Experiments: reproducible sweeps on this process, a local pool or Dask, resumable.

A sweep is scenarios x mechanisms x parameter grid x seeds; its results go to a
folder (a metrics table, a manifest, optional transcripts) that a re-run completes
without redoing finished runs. Same spec, same table, whichever executor. The
folder is locked while a sweep writes it, every file is replaced atomically, and a
sweep killed at any instant resumes to the table an uninterrupted one would give.
"""

from __future__ import annotations

from plurisim.experiments.executors import make_executor
from plurisim.experiments.result import SweepResult
from plurisim.experiments.spec import SweepSpec, load_spec
from plurisim.experiments.sweep import expand, sweep
from plurisim.experiments.tasks import run_one

__all__ = ["SweepResult", "SweepSpec", "expand", "load_spec", "make_executor", "run_one", "sweep"]
