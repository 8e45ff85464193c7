"""Progress bars for long commands, without threading a callback through every loop.

A command opens a bar with :func:`progress_bar`; library loops that may take long
(the rounds of a negotiation, the mechanisms of a comparison, the runs of a study)
wrap their iterable in :func:`track`. Only the outermost :func:`track` inside an open
bar drives it (nested loops pass through), so a study that runs many negotiations
counts its runs, not their rounds. Without an open bar :func:`track` returns the
iterable itself: library calls from scripts and notebooks never draw anything.

The bar is tqdm's, written to standard error, shown only when standard error is a
terminal, only after :data:`DELAY` seconds (quick commands draw nothing), and never
when the command was given ``--quiet`` or the environment sets ``TQDM_DISABLE``
(tqdm's own switch) to a true value.

Examples
--------
>>> from plurisim import progress
>>> list(progress.track(range(3)))  # no bar open: the loop is unchanged
[0, 1, 2]
>>> with progress.progress_bar("runs", enabled=False):
...     sum(progress.track(range(4), total=4))
6
>>> progress.progress_enabled(quiet=True)
False
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any, TypeVar

__all__ = ["DELAY", "progress_bar", "progress_enabled", "ticker", "track"]

#: Seconds before a bar appears: commands that finish sooner draw nothing.
DELAY = 1.5

T = TypeVar("T")


@dataclass
class _Bar:
    bar: Any  # a tqdm instance, or None when the bar is off
    depth: int = 0


_CURRENT: ContextVar[_Bar | None] = ContextVar("plurisim_progress", default=None)


def progress_enabled(quiet: bool = False, stream: IO[str] | None = None) -> bool:
    """Whether a command should draw a bar: a terminal, no ``--quiet``, no ``TQDM_DISABLE``.

    Examples
    --------
    >>> import io
    >>> progress_enabled(stream=io.StringIO())  # not a terminal
    False
    """
    if quiet:
        return False
    if os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    out = sys.stderr if stream is None else stream
    isatty = getattr(out, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


@contextmanager
def progress_bar(desc: str, *, enabled: bool | None = None, unit: str = "step") -> Iterator[None]:
    """Open a bar on standard error that :func:`track` loops inside the block advance.

    Parameters
    ----------
    desc : str
        What is counted, shown left of the bar.
    enabled : bool, optional
        Draw it (default: :func:`progress_enabled`). A disabled bar still swallows
        the nested loops' reports, so nothing else draws.
    unit : str
        The unit shown in the rate.
    """
    show = progress_enabled() if enabled is None else bool(enabled)
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(desc=desc, unit=unit, file=sys.stderr, delay=DELAY, leave=False)
    token = _CURRENT.set(_Bar(bar))
    try:
        yield
    finally:
        _CURRENT.reset(token)
        if bar is not None:
            bar.close()


def track(iterable: Iterable[T], total: int | None = None, desc: str | None = None) -> Iterator[T]:
    """Iterate, advancing the open bar once per item if this is the outermost tracked loop.

    Parameters
    ----------
    iterable : iterable
    total : int, optional
        The number of items, when ``len`` cannot tell (a ``while`` loop's bound).
    desc : str, optional
        Replaces the bar's description.

    Examples
    --------
    >>> list(track("ab"))
    ['a', 'b']
    >>> list(track(5))
    Traceback (most recent call last):
    ...
    TypeError: 'int' object is not iterable
    """
    state = _CURRENT.get()
    if state is None or state.depth > 0:
        return iter(iterable)
    return _tracked(iter(iterable), state, total if total is not None else _len(iterable), desc)


def ticker(total: int, desc: str | None = None) -> Callable[[], None]:
    """A function that advances the open bar by one, for work that is not a loop.

    For tasks that finish on another thread (concurrent LLM calls): the bar is taken
    from the caller's context now, so the returned function works from any thread.
    Like :func:`track`, it drives the bar only outside every tracked loop.

    Examples
    --------
    >>> tick = ticker(3)  # no bar open: a function that does nothing
    >>> tick()
    """
    state = _CURRENT.get()
    bar = None if state is None or state.depth > 0 else state.bar
    if bar is None:
        return _nothing
    _restart(bar, total, desc)
    return lambda: bar.update(1)


def _restart(bar: Any, total: int | None, desc: str | None) -> None:
    # tqdm's reset() redraws at once and restarts the clock, which would show a bar
    # for every quick loop; keep the clock (the delay counts from the command's start)
    # and let the next update redraw.
    bar.n = bar.last_print_n = 0
    bar.total = total
    if desc:
        bar.set_description_str(desc, refresh=False)


def _nothing() -> None:
    return None


def _len(iterable: Iterable[Any]) -> int | None:
    try:
        return len(iterable)  # type: ignore[arg-type]
    except TypeError:
        return None


def _tracked(items: Iterator[T], state: _Bar, total: int | None, desc: str | None) -> Iterator[T]:
    bar = state.bar
    if bar is not None:
        _restart(bar, total, desc)
    state.depth += 1
    try:
        for item in items:
            yield item
            if bar is not None:
                bar.update(1)
    finally:
        state.depth -= 1
