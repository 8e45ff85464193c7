"""SIGTERM as an exception, even where Python swallows exceptions; deferred interrupts."""

from __future__ import annotations

import gc
import os
import signal

import pytest
from plurisim.interrupts import (
    Terminated,
    interrupts_deferred,
    raise_if_terminated,
    sigterm_raises,
)


def _sigterm_inside_a_gc_callback() -> None:
    fired: list[int] = []

    def callback(phase: str, info: dict) -> None:
        if phase == "start" and not fired:
            fired.append(1)
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10_000):  # the handler runs here, inside the callback
                pass

    gc.callbacks.append(callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(callback)
    assert fired


def _swallowed_then_checked() -> None:
    with sigterm_raises():
        _sigterm_inside_a_gc_callback()  # Python ignores the exception there...
        raise_if_terminated()  # ...so the loop's next step raises it


@pytest.fixture
def ctrl_c_raises():
    """SIGINT raises KeyboardInterrupt here (a test runner's worker may ignore it)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_a_sigterm_swallowed_by_a_gc_callback_is_raised_at_the_next_check(capsys):
    with pytest.raises(Terminated):
        _swallowed_then_checked()
    assert "Exception ignored" not in capsys.readouterr().err  # and nothing was printed
    raise_if_terminated()  # outside the block: nothing pending
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_without_a_sigterm_the_check_does_nothing():
    with sigterm_raises():
        raise_if_terminated()


def test_interrupts_deferred_delivers_after_the_block(ctrl_c_raises):
    done: list[str] = []

    def deferred() -> None:
        with interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("inside")  # not cut short
        done.append("after")  # never reached: the interrupt arrives as the block ends

    with pytest.raises(KeyboardInterrupt):
        deferred()
    assert done == ["inside"]
