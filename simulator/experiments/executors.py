"""Where a sweep's batches run: in this process, a local process pool, or Dask.

Every executor hands back each batch's result as soon as the batch finishes, in
whatever order batches finish; the sweep sorts rows by run order at the end, so the
table is the same whichever executor and however many workers ran it.

Workers end with their parent. Pool workers start with SIGINT blocked (Ctrl-C in
a terminal reaches only the parent, which stops them) and end as soon as the parent
ends, even when it is killed (:func:`plurisim.interrupts.end_with_parent`). Dask's
local workers watch their parent the same way; a remote cluster's workers are not
ours and only lose our tasks.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from plurisim.errors import ExternalFailure, MissingDependencyError, SpecError
from plurisim.interrupts import end_with_parent, interrupts_blocked
from plurisim.validation import check_int

__all__ = ["Executor", "make_executor", "parse_executor", "worker_init"]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class Executor:
    """Runs a function over items and yields results as they finish."""

    name = "inprocess"
    workers = 1

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(item)`` for every item (here: in order, in this process)."""
        for item in items:
            yield fn(item)

    def close(self, *, abort: bool = False) -> None:
        """Release workers; ``abort`` stops them without waiting for running work."""


def worker_init(parent_pid: int, death_signal: bool) -> None:
    """First thing a pool worker does: ignore Ctrl-C and end with its parent.

    Examples
    --------
    >>> worker_init(0, False)
    Traceback (most recent call last):
    ...
    ValueError: parent_pid must be a positive process id, got 0
    """
    end_with_parent(parent_pid, death_signal=death_signal)


class ProcessExecutor(Executor):
    """A local pool of worker processes (started with "spawn", like Mesa's batch runner)."""

    name = "process"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._saved = {k: os.environ.get(k) for k in _THREAD_VARS}
        # One BLAS thread per worker: the workers already use the cores.
        for k in _THREAD_VARS:
            os.environ[k] = "1"
        # Linux's parent-death signal follows the thread that starts the worker; only
        # the main thread surely outlives the pool.
        main = threading.current_thread() is threading.main_thread()
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker_init,
            initargs=(os.getpid(), main),
        )

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        with interrupts_blocked():  # the workers start here, and inherit the block
            pending: set[Future[Any]] = {self.pool.submit(fn, item) for item in items}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
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
            for fut in pending:
                fut.cancel()

    def close(self, *, abort: bool = False) -> None:
        try:
            if abort:
                # The pool has no public way to stop running work; its processes do.
                processes = list((getattr(self.pool, "_processes", None) or {}).values())
                self.pool.shutdown(wait=False, cancel_futures=True)
                for p in processes:
                    p.terminate()
                for p in processes:
                    p.join(timeout=10)
            else:
                self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            for k, v in self._saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


class DaskExecutor(Executor):
    """Dask distributed: a new ``LocalCluster``, or a running scheduler's address."""

    name = "dask"

    def __init__(self, workers: int, address: str | None, connect_timeout: float = 10.0) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise MissingDependencyError(
                "The Dask executor needs the distributed extra: pip install 'plurisim[distributed]'"
            ) from None
        self.cluster = None
        if address:
            self.client = _connect(Client, address, connect_timeout)
            self.workers = len(self.client.scheduler_info().get("workers", {})) or workers
            return
        with interrupts_blocked():  # the workers start here, and inherit the block
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": ":0"},  # no fixed port to collide on
                silence_logs=logging.CRITICAL,
            )
            self.client = Client(self.cluster, set_as_default=False)
        self.workers = workers

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        from distributed import as_completed

        futures = self.client.map(fn, list(items), pure=False)
        try:
            for fut in as_completed(futures, loop=self.client.loop):
                yield fut.result()
        finally:
            self.client.cancel(futures)

    def close(self, *, abort: bool = False) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def _connect(client_class: Any, address: str, timeout: float) -> Any:
    """A client of the scheduler at ``address``, or one line saying why not.

    The scheduler is first asked for its handshake under a hard deadline: Dask's own
    connection waits for a handshake with no time limit, so a peer that accepts the
    connection and stays silent would hang the sweep.
    """
    _probe(address, timeout)
    try:
        return client_class(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise _no_answer(address, timeout, exc) from None


def _no_answer(address: str, timeout: float, exc: BaseException) -> ExternalFailure:
    return ExternalFailure(
        f"no Dask scheduler answered at {address} within {timeout:g} s "
        f"({type(exc).__name__}); check the address and that the scheduler runs, "
        "or allow longer with --connect-timeout."
    )


def _probe(address: str, timeout: float) -> None:
    """Open and close one connection to ``address``, all within ``timeout`` seconds."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        await comm.close()

    # A thread of its own: the caller's thread may already run an event loop (Jupyter).
    pool = ThreadPoolExecutor(1, thread_name_prefix="plurisim-dask-probe")
    try:
        pool.submit(asyncio.run, handshake()).result(timeout=timeout + 5)
    except ValueError as exc:
        raise SpecError(
            f"--executor dask:{address}: not a scheduler address ({exc}); "
            "give one such as tcp://10.0.0.5:8786."
        ) from None
    except (OSError, TimeoutError) as exc:
        raise _no_answer(address, timeout, exc) from None
    except Exception as exc:
        raise ExternalFailure(
            f"{address} answered, but not as a Dask scheduler ({type(exc).__name__}); "
            "check the address and port."
        ) from None
    finally:
        pool.shutdown(wait=False)


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
