"""Signals and process lifetime: SIGTERM as an exception, workers that end with their parent.

In the parent:

- :func:`sigterm_raises` turns SIGTERM into :class:`Terminated` (a
  ``KeyboardInterrupt``), so ``finally`` blocks run, temporary files are removed and
  a sweep marks its folder interrupted, as on Ctrl-C. Where Python swallows the
  exception (it landed in a garbage collector's callback), :func:`raise_if_terminated`
  raises it again at the loop's next step.
- :func:`interrupts_blocked` holds SIGINT back while worker processes start: a
  started process inherits the blocked signal, so Ctrl-C in a terminal (which
  signals every process of the foreground group) reaches only the parent, which
  then stops the workers; no worker prints a ``KeyboardInterrupt`` traceback.
- :func:`interrupts_deferred` holds SIGINT and SIGTERM back while a few steps that
  belong together run (a sweep's part written and counted), so an interruption finds
  them all done or none.

In a worker, :func:`end_with_parent` ignores SIGINT and ends the process as soon as
its parent is gone, however the parent ended (SIGKILL included): on Linux through
``PR_SET_PDEATHSIG``, everywhere through a thread that waits on the parent's
multiprocessing sentinel.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import multiprocessing.process

__all__ = [
    "Terminated",
    "end_with_parent",
    "interrupts_blocked",
    "interrupts_deferred",
    "raise_if_terminated",
    "sigterm_raises",
]

_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while :func:`sigterm_raises` was active.

    A ``KeyboardInterrupt``, so code that cleans up after Ctrl-C cleans up after
    SIGTERM too; the command line exits with status 143 (128 + 15) for it.

    Examples
    --------
    >>> issubclass(Terminated, KeyboardInterrupt), Terminated.exit_status
    (True, 143)
    """

    exit_status = 128 + int(signal.SIGTERM)


_terminated = False  # a SIGTERM arrived within sigterm_raises


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    global _terminated
    _terminated = True
    # A second SIGTERM during the clean-up ends the process at once.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise Terminated()


def raise_if_terminated() -> None:
    """Raise :class:`Terminated` if a SIGTERM arrived within :func:`sigterm_raises`.

    The handler's exception can land where Python ignores exceptions (a garbage
    collector's callback, a ``__del__``); a long loop calls this between steps so
    the SIGTERM still stops it.
    """
    if _terminated:
        raise Terminated()


def _quiet_terminated(hook: Any) -> Any:
    """An unraisable-exception hook that says nothing of a swallowed :class:`Terminated`."""

    def quiet(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, Terminated):
            hook(unraisable)

    return quiet


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread.

    Does nothing outside the main thread or when SIGTERM already has a handler
    (the caller's handler is left alone).

    Examples
    --------
    >>> import signal
    >>> with sigterm_raises():
    ...     handler = signal.getsignal(signal.SIGTERM)
    >>> handler is signal.SIG_DFL, signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    (False, True)
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return
    global _terminated
    _terminated = False
    hook = sys.unraisablehook
    sys.unraisablehook = _quiet_terminated(hook)
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sys.unraisablehook = hook
        _terminated = False


@contextmanager
def interrupts_blocked() -> Iterator[None]:
    """Hold SIGINT back in this thread; processes started in the block keep it blocked.

    A Ctrl-C that arrives meanwhile is delivered when the block ends. On platforms
    without ``pthread_sigmask`` (Windows) it does nothing.

    Examples
    --------
    >>> import signal
    >>> with interrupts_blocked():
    ...     signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    True
    >>> signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    False
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    # multiprocessing starts its resource tracker on first need and then unblocks
    # SIGINT in the starting thread: start it before blocking.
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back; one that arrives meanwhile is handled as the block ends.

    For short steps that must not be cut in two. The signals' Python handlers are
    swapped for one that only records the signal (blocking it would not do: any other
    thread of the process can take a signal sent to the process). Outside the main
    thread, which alone runs signal handlers, it does nothing.

    Examples
    --------
    >>> import signal
    >>> before = signal.getsignal(signal.SIGINT)
    >>> with interrupts_deferred():
    ...     signal.getsignal(signal.SIGINT) is before
    False
    >>> signal.getsignal(signal.SIGINT) is before
    True
    """
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {s: signal.signal(s, hold) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        if caught:
            handler = previous[signal.Signals(caught[0])]
            if callable(handler):
                handler(caught[0], None)
            elif handler in (signal.SIG_DFL, None):  # the default action: end the process
                os.kill(os.getpid(), caught[0])


def _death_signal() -> bool:
    """Ask Linux to SIGKILL this process when the thread that started it ends."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError):  # pragma: no cover - an unusual libc
        return False


def end_with_parent(parent_pid: int | None = None, *, death_signal: bool = True) -> None:
    """Make this worker process ignore Ctrl-C and end as soon as its parent ends.

    Parameters
    ----------
    parent_pid : int, optional
        The pid the parent had when it started this process; if the parent is
        already gone (this process was re-parented), the process ends at once.
    death_signal : bool, default True
        Also use Linux's ``PR_SET_PDEATHSIG``, which fires even when this process
        is busy in C code. Pass False when the parent started this process from a
        thread that may end before the parent (the signal follows that thread).

    Examples
    --------
    A worker calls it first thing; called with a pid that cannot be a parent's:

    >>> end_with_parent(-5)
    Traceback (most recent call last):
    ...
    ValueError: parent_pid must be a positive process id, got -5
    """
    if parent_pid is not None and parent_pid <= 0:
        raise ValueError(f"parent_pid must be a positive process id, got {parent_pid}")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if death_signal:
        _death_signal()
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the parent died while this process was starting
    import multiprocessing  # deferred: only workers need it, not every command

    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_when_done, args=(parent,), name="plurisim-parent-watch", daemon=True
        ).start()


def _exit_when_done(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns when the parent's sentinel closes: the parent ended
    os._exit(1)
