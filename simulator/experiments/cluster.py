"""The Dask executor: a ``LocalCluster`` started in the background, or a running scheduler.

A local cluster's workers are forked from a server process that imported Dask and
plurisim once, and the cluster starts on a helper thread while the sweep runs
batches in this process. A remote scheduler is asked for its handshake under a
hard deadline first (Dask's own connection waits for it without one), so an
address that does not answer fails within ``connect_timeout`` with one line.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from plurisim.errors import ExternalFailure, MissingDependencyError, SpecError
from plurisim.experiments.worker import Executor, start_method, start_server, warm_up
from plurisim.interrupts import interrupts_blocked

__all__ = ["DaskExecutor"]


class DaskExecutor(Executor):
    """Dask distributed: a new ``LocalCluster``, or a running scheduler's address.

    Parameters
    ----------
    workers : int
        Workers of a new local cluster.
    address : str, optional
        A running scheduler, such as ``tcp://10.0.0.5:8786``.
    connect_timeout : float
        Seconds to wait for that scheduler's answer.

    Examples
    --------
    >>> DaskExecutor(2, "tcp://127.0.0.1:1", connect_timeout=0.5).start()
    Traceback (most recent call last):
    ...
    plurisim.errors.ExternalFailure: no Dask scheduler answered at tcp://127.0.0.1:1 within 0.5 s (...); check the address and that the scheduler runs, or allow longer with --connect-timeout.
    """

    name = "dask"

    def __init__(self, workers: int, address: str | None, connect_timeout: float = 10.0) -> None:
        if importlib.util.find_spec("distributed") is None:  # imported later, off this thread
            raise MissingDependencyError(
                "The Dask executor needs the distributed extra: pip install 'plurisim[distributed]'"
            )
        self.workers = workers
        self.address = address
        self.local = address is None
        self.connect_timeout = connect_timeout
        self.client: Any = None
        self.cluster: Any = None
        self.method = "spawn"
        self._starter: threading.Thread | None = None
        self._failed: BaseException | None = None

    def start(self) -> None:
        if self._starter is not None or self.client is not None:
            return
        if self.address:
            self.client = _connect(self.address, self.connect_timeout)
            self.workers = len(self.client.scheduler_info().get("workers", {})) or self.workers
            return
        with interrupts_blocked():  # what starts here inherits it: server, thread, workers
            # The server imports Dask and plurisim while this process works; once it
            # runs, the preload list Dask sets on its first use no longer applies.
            self.method = start_method(extra=["distributed"])
            if self.method == "forkserver":
                start_server()
            self._starter = threading.Thread(
                target=self._start_local, name="plurisim-dask-start", daemon=True
            )
            self._starter.start()

    def _start_local(self) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster

            config = {
                "distributed.worker.multiprocessing-method": self.method,
                # The statistical profiler samples every worker's stack 100 times a second.
                "distributed.worker.profile.enabled": False,
            }
            with dask.config.set(config):
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    scheduler_kwargs={"dashboard_address": ":0"},  # no fixed port to collide on
                    silence_logs=logging.CRITICAL,
                )
            self.client = Client(self.cluster, set_as_default=False)
            self.client.run(warm_up)
        except BaseException as exc:  # reported by run()
            self._failed = exc

    def ready(self) -> bool:
        if self.client is not None and self._starter is None:
            return True
        return self._starter is not None and not self._starter.is_alive()

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        from distributed import as_completed

        self.start()
        if self._starter is not None:
            self._starter.join()
        if self._failed is not None:
            raise self._failed
        futures = self.client.map(fn, list(items), pure=False)
        try:
            for fut in as_completed(futures, loop=self.client.loop):
                yield fut.result()
        finally:
            self.client.cancel(futures)

    def close(self, *, abort: bool = False) -> None:
        if self._starter is not None:
            self._starter.join()
        try:
            if self.client is not None:
                self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def _connect(address: str, timeout: float) -> Any:
    """A client of the scheduler at ``address``, or one line saying why not."""
    from distributed import Client

    _probe(address, timeout)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
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
