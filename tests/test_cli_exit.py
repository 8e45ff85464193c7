"""One exit path: bad input 2, bugs 1 with a details file, Ctrl-C 130, closed pipes 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from plurisim.cli import main

PLURISIM = [sys.executable, "-m", "plurisim"]


def _lines(text: str) -> list[str]:
    return text.splitlines()


@pytest.mark.parametrize(
    "command",
    [
        "compare montreal-streets",
        "compare montreal-streets --format json",
        "scenarios list",
        "scenarios show montreal-streets",
    ],
)
def test_a_closed_pipe_ends_quietly(command: str) -> None:
    done = subprocess.run(
        f"{' '.join(PLURISIM)} {command} | head -c 5",
        shell=True,
        capture_output=True,
        text=True,
        executable="/bin/bash",
        env={**os.environ, "PYTHONUNBUFFERED": "0"},
    )
    assert done.stderr == ""
    assert len(done.stdout) == 5
    status = subprocess.run(
        f"set -o pipefail; {' '.join(PLURISIM)} {command} | head -c 5 >/dev/null",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
    ).returncode
    assert status == 0


def test_a_bug_is_one_line_with_exit_1_and_a_details_file(monkeypatch, capsys) -> None:
    from plurisim import scenarios

    def broken():
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(scenarios, "list", broken)
    monkeypatch.delenv("PLURISIM_DEBUG", raising=False)
    assert main(["scenarios", "list"]) == 1
    err = capsys.readouterr().err
    assert len(_lines(err)) == 1
    assert err.startswith("plurisim: error: internal error (ZeroDivisionError: division by zero)")
    details = Path(err.rsplit(" ", 1)[-1].strip())
    try:
        assert "Traceback" in details.read_text() and "ZeroDivisionError" in details.read_text()
    finally:
        details.unlink()


# ``python -m plurisim svo``, but it touches a file once the experiment has started:
# the test waits for that rather than a fixed time, which a slow machine can outlast.
SVO_THAT_SAYS_WHEN = """
import runpy, sys
from pathlib import Path
from plurisim import svo

ready, original = Path(sys.argv[1]), svo.run_experiment


def run_experiment(*args, **kwargs):
    ready.touch()
    return original(*args, **kwargs)


svo.run_experiment = run_experiment
sys.argv = ["plurisim", "svo", "--agents", "200000", "--json"]
runpy.run_module("plurisim", run_name="__main__")
"""


def test_ctrl_c_exits_130_with_one_line(tmp_path) -> None:
    ready = tmp_path / "ready"
    proc = subprocess.Popen(
        [sys.executable, "-c", SVO_THAT_SAYS_WHEN, str(ready)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), f"the experiment never started (exit status {proc.poll()})"
        time.sleep(0.2)  # inside the experiment, which takes minutes at this size
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert _lines(err) == ["plurisim: interrupted"]


def test_an_os_error_names_the_file(tmp_path, capsys) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    status = main(["compare", "toy-park", "--out", str(target / "sub")])
    err = capsys.readouterr().err
    assert status == 2
    assert len(_lines(err)) == 1 and str(target) in err and "error:: " not in err
