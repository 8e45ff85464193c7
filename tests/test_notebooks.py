"""The teaching notebooks run top to bottom, offline, from anywhere, with real figures."""

from __future__ import annotations

import shutil
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


def test_there_are_five_lessons():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


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
