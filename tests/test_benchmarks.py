"""The benchmarks run: every plurisim name they import exists, and the LLM suite's run works.

The suites themselves are timed by ``python -m benchmarks``, never here; these checks
only keep an API change from breaking a suite unnoticed.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUITE_FILES = sorted((ROOT / "benchmarks").glob("*.py"))


def _plurisim_imports(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        (node.module, alias.name)
        for node in ast.walk(tree)  # imports inside functions too
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("plurisim")
        for alias in node.names
    ]


@pytest.mark.parametrize("path", SUITE_FILES, ids=lambda p: p.name)
def test_every_name_a_benchmark_imports_exists(path: Path) -> None:
    for module, name in _plurisim_imports(path):
        assert hasattr(importlib.import_module(module), name), f"{path.name}: {module}.{name}"


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    suite = tmp_path / "bench_x.py"
    suite.write_text("def run():\n    from plurisim.agents.llm import negotiate_llm\n")
    assert _plurisim_imports(suite) == [("plurisim.agents.llm", "negotiate_llm")]
    assert not hasattr(importlib.import_module("plurisim.agents.llm"), "negotiate_llm")


def test_the_llm_suite_runs(monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    sys.modules.pop("benchmarks", None)
    from benchmarks.bench_llm import latency_run

    text = latency_run(latency=0.001, rounds=2)
    assert text.startswith("2 rounds,") and "calls of 1 ms" in text
