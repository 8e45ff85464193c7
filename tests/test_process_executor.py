"""The process pool's way out on an interrupt: no lock left taken, no semaphore leaked.

A signal's exception can land anywhere in the main thread. Two places broke the exit
of an interrupted sweep (one run in a few dozen, under load): inside ``wait()``,
which takes every future's lock in turn (the pool's thread then hung on one of them
and the interpreter never exited), and the release of the pool's queues, left to the
pool's own thread as the interpreter exits (cut off while deregistering a lock, so
multiprocessing's resource tracker warned of a leaked semaphore).

Each check runs in a fresh interpreter: it sends itself Ctrl-C or starts a pool, and
neither may leave its mark on the test process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

INTERRUPT_IN_WAIT = """
import os, signal, threading, time
from concurrent.futures import ThreadPoolExecutor
from plurisim.experiments import executors
from plurisim.experiments.executors import ProcessExecutor

def square(x):
    return x * x

real_wait = executors.wait
finished = []

def wait_interrupted(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)  # as if Ctrl-C came while taking the locks
    time.sleep(0.05)  # the handler runs here
    finished.append(True)
    return real_wait(*args, **kwargs)

executors.wait = wait_interrupted
with ThreadPoolExecutor(1) as pool:
    ex = ProcessExecutor.__new__(ProcessExecutor)  # its pool is threads: same futures
    ex.pool, ex.workers, ex._env, ex._warm, ex._failed = pool, 1, None, [], None
    ex._starter = threading.Thread(target=lambda: None)
    ex._starter.start()
    ex._starter.join()
    try:
        list(ex.run(square, range(3)))
    except KeyboardInterrupt:
        print("interrupted", finished)
"""

ABORTED_POOL = """
import gc, threading, time
import multiprocessing.synchronize as mp_sync
from plurisim.experiments.executors import ProcessExecutor

def square(x):
    return x * x

where = []
cleanup = mp_sync.SemLock._cleanup

def recorded(name):
    where.append(threading.current_thread().name)
    cleanup(name)

mp_sync.SemLock._cleanup = staticmethod(recorded)
if __name__ == "__main__":
    ex = ProcessExecutor(1)
    assert sorted(ex.run(square, range(4))) == [0, 1, 4, 9]
    ex.pool.submit(time.sleep, 30)  # still running when the sweep is interrupted
    time.sleep(0.2)
    ex.close(abort=True)
    managers = [t for t in threading.enumerate() if type(t).__name__ == "_ExecutorManagerThread"]
    print("manager alive" if managers else "manager joined")
    del ex
    gc.collect()
    deadline = time.monotonic() + 10
    while len(where) < 5 and time.monotonic() < deadline:  # two queues: five locks
        time.sleep(0.05)
    print(sorted(set(where)), len(where))
"""


def _python(code: str, tmp_path) -> str:
    script = tmp_path / "check.py"
    script.write_text(textwrap.dedent(code))
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_an_interrupt_waits_until_wait_has_let_the_futures_go(tmp_path):
    # The interrupt came after wait() returned, not inside it.
    assert _python(INTERRUPT_IN_WAIT, tmp_path) == "interrupted [True]"


@pytest.mark.slow
def test_an_aborted_pool_releases_its_queues_in_the_calling_thread(tmp_path):
    manager, released = _python(ABORTED_POOL, tmp_path).splitlines()
    assert manager == "manager joined"  # before close() returns: nothing left to cut off
    threads, count = released.rsplit(" ", 1)
    assert threads == "['MainThread']" and int(count) > 0
