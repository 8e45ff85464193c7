"""The teaching notebooks run top to bottom, offline, from anywhere, with real figures."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

# Injected after the first cell: record every figure displayed with an empty axes.
RECORD = """
import io
import matplotlib.figure as _mf
_empty_axes = []
_fmt = get_ipython().display_formatter.formatters["image/png"]
try:
    _png = _fmt.lookup_by_type(_mf.Figure)
except KeyError:
    _png = _fmt.for_type_by_name("matplotlib.figure", "Figure")
def _checked(fig, _png=_png):
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        if not (ax.lines or ax.patches or ax.collections or ax.images or ax.texts):
            _empty_axes.append(ax.get_title() or "untitled")
    if _png is not None:
        return _png(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
_fmt.for_type(_mf.Figure, _checked)
"""
CHECK = "assert not _empty_axes, f'figures with empty axes: {_empty_axes}'"


def test_there_are_seven_lessons():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_offline_with_figures(path, tmp_path):
    # Run a copy from an empty folder: a notebook must not need files outside the repository.
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "../" not in text and "/work/" not in text
    nb.cells.insert(1, nbformat.v4.new_code_cell(RECORD))
    nb.cells.append(nbformat.v4.new_code_cell(CHECK))
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    seconds = time.perf_counter() - start
    images = sum(
        1
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "data" in o and "image/png" in o["data"]
    )
    assert images >= 1
    print(f"{path.stem}: {seconds:.1f} s, {images} figures", file=sys.stderr)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_is_built_from_the_source_and_executed(path):
    sys.path.insert(0, str(REPO / "notebooks"))
    try:
        import build
    finally:
        sys.path.pop(0)
    nb = nbformat.read(path, as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in build.NOTEBOOKS[path.stem]]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.get("output_type") == "error"]
    assert nb.cells[-1].cell_type == "markdown" and "Exercises" in nb.cells[-1].source


# -- hygiene of the committed notebooks -------------------------------------------------

PRIVATE = re.compile(r"\bplurisim(\.\w+)*\._\w+|from\s+plurisim[\w.]*\s+import\s+[^\n]*\b_\w+")


def saved(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def output_text(output: dict) -> str:
    text = output.get("text", "")
    data = output.get("data", {})
    return str(text) + str(data.get("text/plain", "")) + str(data.get("text/markdown", ""))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_saved_outputs_hold_no_warning_and_nothing_on_stderr(path):
    found = [
        output_text(o)[:120]
        for o in outputs(saved(path))
        if o.get("name") == "stderr" or re.search(r"\w+Warning\b", output_text(o))
    ]
    assert found == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lessons_use_only_the_public_api(path):
    code = [c.source for c in saved(path).cells if c.cell_type == "code"]
    assert [src for src in code if PRIVATE.search(src)] == []


def test_the_private_import_check_can_fail():
    assert PRIVATE.search("from plurisim.cli._scenarios import render")
    assert PRIVATE.search("from plurisim.scenario import _helper")
    assert not PRIVATE.search("from plurisim.scenario import scenario_text")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_is_saved_executed_top_to_bottom(path):
    code = [c for c in saved(path).cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert sum(1 for o in outputs(saved(path)) if "image/png" in o.get("data", {})) >= 1


def test_the_real_election_lesson_commits_only_the_invented_district():
    nb = saved(REPO / "notebooks" / "06_a_real_election.ipynb")
    text = "\n".join(output_text(o) for o in outputs(nb))
    assert "An invented district" in text and "example_district" in text
    everything = "\n".join(output_text(o) for p in NOTEBOOKS for o in outputs(saved(p)))
    assert not re.search(r"Poland|Warszaw|Krak[oó]w|Toulouse|Chicago|Mechanical_Turk", everything)


KERNEL_WITHOUT_WIDGETS = """
import sys, types, warnings
sys.modules["ipykernel.zmqshell"] = types.ModuleType("ipykernel.zmqshell")
ipython = types.ModuleType("IPython")
class ZMQInteractiveShell: pass
ipython.get_ipython = lambda: ZMQInteractiveShell()
sys.modules["IPython"] = ipython
sys.modules["ipywidgets"] = None
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    {body}
print(sorted({{type(w.message).__name__ for w in caught}}))
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("import mesa", "['TqdmWarning']"),  # the warning the notebooks used to show
        ("from plurisim import NegotiationModel, negotiate", "[]"),
    ],
)
def test_plurisim_keeps_tqdms_notebook_warning_out_of_a_kernel(body, expected):
    script = KERNEL_WITHOUT_WIDGETS.format(body=body)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == expected
