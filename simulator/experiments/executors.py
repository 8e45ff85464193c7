"""Where a sweep's batches run: in this process, a local process pool, or Dask.

Every executor hands back each batch's result as soon as the batch finishes, in
whatever order batches finish; the sweep sorts rows by run order at the end, so the
table is the same whichever executor and however many workers ran it.

Starting is cheap and does not wait: ``start()`` starts the workers in the
background and ``ready()`` says when they can take work, so the sweep runs batches
in this process meanwhile instead of waiting. Pool workers are forked from a server
process that imported plurisim once (see :mod:`plurisim.experiments.worker`), so a
worker starts in milliseconds.

Workers end with their parent: they start with SIGINT blocked (Ctrl-C in a terminal
reaches only the parent, which stops them) and end as soon as the parent ends, even
when it is killed (:func:`plurisim.interrupts.end_with_parent`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from typing import Any

from plurisim.errors import ExternalFailure, SpecError
from plurisim.experiments.cluster import DaskExecutor
from plurisim.experiments.worker import (
    Executor,
    one_blas_thread,
    start_method,
    start_server,
    warm_up,
    worker_init,
)
from plurisim.interrupts import interrupts_blocked, interrupts_deferred
from plurisim.validation import check_int

__all__ = ["DaskExecutor", "Executor", "ProcessExecutor", "make_executor", "parse_executor"]

WAIT_STEP = 0.2  # seconds an interrupt may wait while the pool's futures are checked


class ProcessExecutor(Executor):
    """A local pool of worker processes, forked from a server that imported plurisim.

    Parameters
    ----------
    workers : int

    Examples
    --------
    >>> ProcessExecutor(2).workers
    2
    >>> ProcessExecutor(0)
    Traceback (most recent call last):
    ...
    ValueError: max_workers must be greater than 0
    """

    name = "process"

    def __init__(self, workers: int) -> None:
        self.method = start_method()
        # Spawned workers start from a helper thread, and Linux's death signal follows
        # the starting thread; forkserver workers' parent is the long-lived server.
        forked = self.method == "forkserver"
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(self.method),
            initializer=worker_init,
            initargs=(None if forked else os.getpid(), forked),
        )
        self.workers = workers
        self._env: ExitStack | None = None
        self._starter: threading.Thread | None = None
        self._warm: list[Future[Any]] = []
        self._failed: BaseException | None = None

    def start(self) -> None:
        if self._starter is not None:
            return
        with interrupts_blocked():  # what starts here inherits it: server, thread, workers
            if self.method == "forkserver":
                start_server()
            else:  # spawned workers read the environment when they start, on the helper thread
                self._env = ExitStack()
                self._env.enter_context(one_blas_thread())
            self._starter = threading.Thread(
                target=self._start, name="plurisim-pool-start", daemon=True
            )
            self._starter.start()

    def _start(self) -> None:
        try:
            self._warm = [self.pool.submit(warm_up) for _ in range(self.workers)]
        except BaseException as exc:  # reported by run()
            self._failed = exc

    def ready(self) -> bool:
        if self._starter is None:
            return False
        if self._starter.is_alive():
            return False
        return self._failed is not None or any(f.done() for f in self._warm)

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        self.start()
        assert self._starter is not None
        self._starter.join()
        if self._failed is not None:
            raise self._failed
        with interrupts_blocked():
            pending: set[Future[Any]] = {self.pool.submit(fn, item) for item in items}
        try:
            while pending:
                # wait() takes every future's lock in turn: an interrupt raised between
                # two would leave locks taken, and the pool's thread, cancelling those
                # futures, would then hang the interpreter's exit. Interrupts wait for
                # it to return (within WAIT_STEP seconds).
                with interrupts_deferred():
                    done, pending = wait(pending, timeout=WAIT_STEP, return_when=FIRST_COMPLETED)
                for fut in done:
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        raise ExternalFailure(
                            "a worker process ended abruptly (killed, or out of memory); "
                            "the runs finished so far are kept: run the same command "
                            "again to resume"
                        ) from None
                    yield result
        finally:
            with interrupts_deferred():  # each cancel takes its future's lock
                for fut in pending:
                    fut.cancel()

    def close(self, *, abort: bool = False) -> None:
        try:
            if self._starter is not None:
                self._starter.join()
            if abort:
                # The pool has no public way to stop running work; its processes do.
                processes = list((getattr(self.pool, "_processes", None) or {}).values())
                manager = getattr(self.pool, "_executor_manager_thread", None)
                self.pool.shutdown(wait=False, cancel_futures=True)
                for p in processes:
                    p.terminate()
                for p in processes:
                    p.join(timeout=10)
                # The pool's thread holds its queues last: joined here, they are
                # released in this thread. Released in that thread as the interpreter
                # exits, a queue's lock can be cut off while it deregisters itself,
                # and multiprocessing's tracker then warns of a leaked semaphore.
                if manager is not None:
                    manager.join(timeout=10)
            else:
                self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            if self._env is not None:
                self._env.close()


def parse_executor(spec: str) -> tuple[str, str | None]:
    """Split ``"inprocess"``, ``"process"``, ``"dask"`` or ``"dask:ADDRESS"``.

    Examples
    --------
    >>> parse_executor("dask:tcp://10.0.0.5:8786")
    ('dask', 'tcp://10.0.0.5:8786')
    >>> parse_executor("cloud")
    Traceback (most recent call last):
    ...
    plurisim.errors.SpecError: Unknown executor 'cloud'; use inprocess, process, dask or dask:ADDRESS (such as dask:tcp://10.0.0.5:8786).
    """
    name, _, address = spec.partition(":")
    if (name in ("inprocess", "process") and not address) or name == "dask":
        return name, address or None
    raise SpecError(
        f"Unknown executor {spec!r}; use inprocess, process, dask or dask:ADDRESS "
        "(such as dask:tcp://10.0.0.5:8786)."
    )


def make_executor(
    spec: str, workers: int | None = None, *, connect_timeout: float = 10.0
) -> Executor:
    """An executor from ``"inprocess"``, ``"process"``, ``"dask"`` or ``"dask:ADDRESS"``.

    Parameters
    ----------
    spec : str
    workers : int, optional
        Processes or Dask workers (default: the number of cores).
    connect_timeout : float, default 10
        Seconds to wait for a remote Dask scheduler to answer.

    Raises
    ------
    SpecError
        For an unknown executor or a malformed address.
    ExternalFailure
        When a remote scheduler does not answer within ``connect_timeout``.

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
    name, address = parse_executor(spec)
    if name == "inprocess":
        return Executor()
    if name == "process":
        return ProcessExecutor(n)
    return DaskExecutor(n, address, connect_timeout)
