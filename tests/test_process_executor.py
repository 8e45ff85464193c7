"""The process pool's way out on an interrupt: no lock left taken, no semaphore leaked.

A signal's exception can land anywhere in the main thread. Two places broke the exit
of an interrupted sweep (one run in a few dozen, under load): inside ``wait()``,
which takes every future's lock in turn (the pool's thread then hung on one of them
and the interpreter never exited), and the release of the pool's queues, left to the
pool's own thread as the interpreter exits (cut off while deregistering a lock, so
multiprocessing's resource tracker warned of a leaked semaphore).
"""

from __future__ import annotations

import gc
import multiprocessing.synchronize as mp_sync
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from plurisim.experiments import executors
from plurisim.experiments.executors import ProcessExecutor


def _square(x: int) -> int:
    return x * x


def _threaded(pool: ThreadPoolExecutor) -> ProcessExecutor:
    """A process executor whose pool is threads (same futures, no processes)."""
    ex = ProcessExecutor.__new__(ProcessExecutor)
    ex.pool = pool  # type: ignore[assignment]
    ex.workers = 1
    ex._env = None
    ex._starter = threading.Thread(target=lambda: None)
    ex._starter.start()
    ex._starter.join()
    ex._warm = []
    ex._failed = None
    return ex


def test_an_interrupt_waits_until_wait_has_let_the_futures_go(monkeypatch):
    real_wait = executors.wait
    finished = []

    def wait_interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # as if Ctrl-C came while taking the locks
        time.sleep(0.05)  # the handler runs here
        finished.append(True)
        return real_wait(*args, **kwargs)

    monkeypatch.setattr(executors, "wait", wait_interrupted)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        with ThreadPoolExecutor(1) as pool:
            ex = _threaded(pool)
            with pytest.raises(KeyboardInterrupt):
                list(ex.run(_square, range(3)))
    finally:
        signal.signal(signal.SIGINT, previous)
    assert finished == [True]  # the interrupt came after wait() returned, not inside it


@pytest.mark.slow
def test_an_aborted_pool_releases_its_queues_in_the_calling_thread(monkeypatch):
    where: list[str] = []
    cleanup = mp_sync.SemLock._cleanup

    def recorded(name: str) -> None:
        where.append(threading.current_thread().name)
        cleanup(name)

    monkeypatch.setattr(mp_sync.SemLock, "_cleanup", staticmethod(recorded))
    ex = ProcessExecutor(1)
    assert sorted(ex.run(_square, range(4))) == [0, 1, 4, 9]
    ex.pool.submit(time.sleep, 30)  # still running when the sweep is interrupted
    time.sleep(0.2)
    ex.close(abort=True)
    del ex
    gc.collect()
    deadline = time.monotonic() + 10
    while len(where) < 5 and time.monotonic() < deadline:  # two queues: five locks
        time.sleep(0.05)
    assert where and set(where) == {threading.main_thread().name}
