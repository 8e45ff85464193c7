"""A newcomer following the README reaches each section's output.

Runs the README's shell commands (``.venv/bin/plurisim ...``) and Python examples,
in a fresh folder, skipping only what needs a provider account, a remote Dask
scheduler or the network.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
SKIP = ("openai", "dask:tcp", "jupyter", "pip install", "export ", "make ", "ChatOllama", "source ")
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def blocks(lang: str) -> list[str]:
    return [body for kind, body in BLOCK.findall(README) if kind == lang]


def commands() -> list[str]:
    out = []
    for body in blocks("bash"):
        for line in body.splitlines():
            line = line.strip()
            if line.startswith(".venv/bin/") and not any(s in line for s in SKIP):
                out.append(line)
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("readme")
    shutil.copy(REPO / "scenarios" / "builtin" / "toy-park.yaml", d / "my.yaml")
    (d / "bad.yaml").write_text((d / "my.yaml").read_text().replace("cost: 90", "cost: -5"))
    for spec in (b for b in blocks("yaml") if re.match(r"# sweep[\w-]*\.yaml\n", b)):
        (d / spec.splitlines()[0].removeprefix("# ")).write_text(spec)
    assert (d / "sweep.yaml").exists() and (d / "sweep-llm.yaml").exists()
    return d


def test_the_readme_opens_with_the_two_commands():
    first = blocks("bash")[0]
    assert "make run" in first and "make test" in first
    assert README.index("make run") < README.index("## Running a negotiation")


@pytest.mark.slow
@pytest.mark.parametrize("command", commands())
def test_shell_command(command, workdir):
    line = command.replace(".venv/bin/", f"{BIN}/", 1)
    proc = subprocess.run(
        line,
        shell=True,
        executable="/bin/bash",
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() or proc.stderr.strip() == ""


def test_validating_the_bad_example_fails_as_documented(workdir):
    proc = subprocess.run(
        [str(BIN / "plurisim"), "scenarios", "validate", "bad.yaml"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        "bad.yaml: interventions[2].cost: input should be greater than or equal to 0; got -5"
        in proc.stderr
    )


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_example(index, workdir):
    code = blocks("python")[index]
    if any(s in code for s in SKIP):
        pytest.skip("needs a provider")
    script = workdir / f"example_{index}.py"
    script.write_text("import matplotlib\nmatplotlib.use('Agg')\n" + code)
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
