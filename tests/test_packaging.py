"""The three source folders install as one namespace, from a wheel, outside the repo."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_every_source_package_is_declared():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = set(config["packages"])
    roots = config["package-dir"]
    found = set()
    for name, folder in roots.items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder)
            dotted = ".".join((name, *rel.parts)) if rel.parts else name
            if not any(
                dotted.startswith(other + ".") or dotted == other
                for other in roots
                if other != name and len(other) > len(name)
            ):
                found.add(dotted)
    assert found == declared


@pytest.mark.slow
def test_wheel_installs_and_imports_outside_the_repository(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )
    (wheel,) = wheels.glob("plurisim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "plurisim/scenarios/builtin/toy-park.yaml" in names
    assert "plurisim/agents/__init__.py" in names
    assert not any(n.startswith(("simulator/", "agents/", "scenarios/")) for n in names)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import plurisim, plurisim.agents, plurisim.scenarios;"
        "from plurisim import scenarios;"
        f"assert plurisim.__file__.startswith({str(target)!r});"
        "print(scenarios.load('toy-park').name)"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("PYTHONSAFEPATH", None)
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {code}"],
        check=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.stdout.strip() == "toy-park"
