"""The executor interface (and its in-process form), and what runs first in a worker process.

A pool worker runs :func:`worker_init` (ignore Ctrl-C, end with the parent) and
:func:`warm_up` (import what a run needs). Where the platform allows, workers are
forked from a ``forkserver`` that preloaded :data:`PRELOAD` once per session, so
a new worker has them already and starts in milliseconds (:func:`start_method`).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from plurisim.interrupts import end_with_parent

__all__ = [
    "PRELOAD",
    "Executor",
    "one_blas_thread",
    "start_method",
    "start_server",
    "warm_up",
    "worker_init",
]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: What a run imports; a worker process has these before its first batch.
PRELOAD = (
    "plurisim.experiments.tasks",
    "plurisim.mechanisms",
    "plurisim.metrics",
    "plurisim.negotiation",
)


class Executor:
    """Runs a function over items and yields results as they finish (here: in this process).

    Examples
    --------
    >>> ex = Executor()
    >>> ex.start(); ex.ready()
    True
    >>> list(ex.run(abs, [-1, 2]))
    [1, 2]
    """

    name = "inprocess"
    workers = 1
    #: Whether this process may run batches while the workers start (not for a
    #: remote cluster, whose users may not want work on this machine).
    local = True

    def start(self) -> None:
        """Start the workers without waiting for them."""

    def ready(self) -> bool:
        """Whether the workers can take work (or failed to start: ``run`` says why)."""
        return True

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(item)`` for every item (here: in order, in this process)."""
        for item in items:
            yield fn(item)

    def close(self, *, abort: bool = False) -> None:
        """Release workers; ``abort`` stops them without waiting for running work."""


def worker_init(parent_pid: int | None, death_signal: bool) -> None:
    """First thing a pool worker does: ignore Ctrl-C and end with its parent.

    Examples
    --------
    >>> worker_init(0, False)
    Traceback (most recent call last):
    ...
    ValueError: parent_pid must be a positive process id, got 0
    """
    end_with_parent(parent_pid, death_signal=death_signal)


def warm_up() -> int:
    """Import what a run needs (a no-op where the modules are preloaded); return the pid.

    Examples
    --------
    >>> warm_up() == os.getpid()
    True
    """
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    return os.getpid()


def start_method(extra: Iterable[str] = ()) -> str:
    """``"forkserver"`` (preloading :data:`PRELOAD` and ``extra``), or ``"spawn"`` on Windows.

    The preload list takes effect when the server starts, once per Python session.

    Examples
    --------
    >>> start_method() in ("forkserver", "spawn")
    True
    >>> start_method(extra="distributed")
    Traceback (most recent call last):
    ...
    TypeError: extra must be a list of module names, not a str
    """
    if isinstance(extra, str):
        raise TypeError("extra must be a list of module names, not a str")
    if sys.platform == "win32":  # pragma: no cover - no forkserver on Windows
        return "spawn"
    multiprocessing.get_context("forkserver").set_forkserver_preload([*extra, *PRELOAD])
    return "forkserver"


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Processes started in the block use one BLAS/OpenMP thread (the workers fill the cores).

    Examples
    --------
    >>> with one_blas_thread():
    ...     os.environ["OMP_NUM_THREADS"]
    '1'
    """
    saved = {k: os.environ.get(k) for k in _THREAD_VARS}
    os.environ.update(dict.fromkeys(_THREAD_VARS, "1"))
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def start_server() -> None:
    """Start the forkserver now if it does not run yet, without waiting for its imports.

    Its workers inherit its environment (one BLAS thread) and blocked signals.

    Examples
    --------
    >>> start_method(extra=[]) in ("forkserver", "spawn")
    True
    >>> start_server()  # starts the server once; later calls return at once
    """
    from multiprocessing import forkserver

    with one_blas_thread():
        forkserver.ensure_running()
