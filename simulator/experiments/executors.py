"""Where a sweep's batches run: in this process, a local process pool, or Dask.

Every executor hands back each batch's rows as soon as the batch finishes, in
whatever order batches finish; the sweep sorts rows by run order at the end, so the
table is the same whichever executor and however many workers ran it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from plurisim.errors import MissingDependencyError, SpecError
from plurisim.validation import check_int

__all__ = ["Executor", "make_executor"]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class Executor:
    """Runs a function over items and yields results as they finish."""

    name = "inprocess"
    workers = 1

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(item)`` for every item (here: in order, in this process)."""
        for item in items:
            yield fn(item)

    def close(self) -> None:
        """Release workers."""


class ProcessExecutor(Executor):
    """A local pool of worker processes (started with "spawn", like Mesa's batch runner)."""

    name = "process"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._saved = {k: os.environ.get(k) for k in _THREAD_VARS}
        # One BLAS thread per worker: the workers already use the cores.
        for k in _THREAD_VARS:
            os.environ[k] = "1"
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        pending: set[Future[Any]] = {self.pool.submit(fn, item) for item in items}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        for k, v in self._saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class DaskExecutor(Executor):
    """Dask distributed: a new ``LocalCluster``, or a running scheduler's address."""

    name = "dask"

    def __init__(self, workers: int, address: str | None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise MissingDependencyError(
                "The Dask executor needs the distributed extra: pip install 'plurisim[distributed]'"
            ) from None
        self.cluster = None
        if address:
            self.client = Client(address)
            self.workers = len(self.client.scheduler_info().get("workers", {})) or workers
        else:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            self.client = Client(self.cluster)
            self.workers = workers

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        from distributed import as_completed

        futures = self.client.map(fn, list(items), pure=False)
        try:
            for fut in as_completed(futures):
                yield fut.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(spec: str, workers: int | None = None) -> Executor:
    """An executor from ``"inprocess"``, ``"process"``, ``"dask"`` or ``"dask:ADDRESS"``.

    Examples
    --------
    >>> make_executor("inprocess").name
    'inprocess'
    >>> make_executor("cloud")
    Traceback (most recent call last):
    ...
    plurisim.errors.SpecError: Unknown executor 'cloud'; use inprocess, process, dask or dask:ADDRESS (such as dask:tcp://10.0.0.5:8786).
    """
    n = check_int(
        workers if workers is not None else max(1, os.cpu_count() or 1),
        "workers",
        "sweep",
        low=1,
        high=1024,
    )
    name, _, address = spec.partition(":")
    if name == "inprocess" and not address:
        return Executor()
    if name == "process" and not address:
        return ProcessExecutor(n)
    if name == "dask":
        return DaskExecutor(n, address or None)
    raise SpecError(
        f"Unknown executor {spec!r}; use inprocess, process, dask or dask:ADDRESS "
        "(such as dask:tcp://10.0.0.5:8786)."
    )
