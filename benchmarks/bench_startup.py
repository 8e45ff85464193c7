"""Start-up of the command line: each command in a fresh process, as a user types it.

The ``plurisim`` console script of this environment is timed end to end (interpreter
start, imports, the command, exit), five times each; the median is printed beside its
goal, with what ``python -c pass`` costs on this machine as the anchor.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks._goals import against
from benchmarks._util import fresh_env

COMMANDS = [
    (["--help"], 0.15, "plurisim --help"),
    (["run", "montreal-streets", "--json"], 0.5, "plurisim run montreal-streets --json"),
]


def _plurisim() -> list[str]:
    script = Path(sys.executable).with_name("plurisim")
    if script.exists():
        return [str(script)]
    found = shutil.which("plurisim")
    return [found] if found else [sys.executable, "-m", "plurisim"]


def wall(argv: list[str], repeats: int = 5) -> float:
    """Median wall time of ``argv`` in a fresh process (one untimed run first: it warms
    the file cache and writes the bytecode caches)."""
    env = fresh_env()
    subprocess.run(argv, capture_output=True, check=True, env=env)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    base = wall([sys.executable, "-c", "pass"])
    print(f"Fresh processes, median of 5 (an empty Python start-up here: {base * 1000:.0f} ms):")
    for args, goal, text in COMMANDS:
        seconds = wall([*_plurisim(), *args])
        print(f"  {text}: {against(seconds, goal, f'{seconds:.2f} s', f'{goal:g} s')}")


if __name__ == "__main__":
    main()
