"""Every table of numbers in the README is a study's current output, pasted verbatim.

Each fast study runs once (the protocols and deliberation studies take tens of
seconds) and its result serves every test here: the README comparison, then
``plurisim study NAME --out DIR`` (with the study already computed), whose figure is
checked against the numbers the study printed, read back from its Markdown.
"""

from __future__ import annotations

import contextlib
import functools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plurisim.studies
import pytest
from matplotlib.image import imread
from matplotlib.patches import Rectangle
from plurisim.cli import main
from plurisim.outputs import save_figure
from plurisim.studies import STUDIES, Study, run_study

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
MARKER = re.compile(r"<!-- study:([a-z-]+) -->\n(.*?)<!-- /study:\1 -->", re.DOTALL)
IN_README = dict(MARKER.findall(README))
# The pabulib study needs the shared data and runs for minutes: its own test, marked slow.
FAST = [name for name in STUDIES if name != "pabulib"]
FIGURES = {
    "protocols": "protocols_outcomes",
    "deliberation": "deliberation_map",
    "svo": "svo_rationality_mixes",
    "montreal": "montreal_gain",
}


@functools.cache
def study(name: str) -> Study:
    """The study's result, computed once for the whole module."""
    return run_study(name)


def printed_tables(markdown: str) -> list[pd.DataFrame]:
    """The Markdown tables of a study's output, numbers as floats where they parse."""
    tables = []
    for block in re.findall(r"^\|.*\|\n\|[-|]+\|\n(?:\|.*\|\n?)+", markdown, re.MULTILINE):
        head, _, *rows = block.strip().splitlines()
        cells = [[c.strip() for c in line.strip("|").split("|")] for line in [head, *rows]]
        frame = pd.DataFrame(cells[1:], columns=cells[0])
        for column in frame.columns:
            with contextlib.suppress(ValueError):  # a column of words stays words
                frame[column] = frame[column].astype(float)
        tables.append(frame)
    return tables


def bar_heights(ax, k: int = 0) -> np.ndarray:
    return np.array([bar.get_height() for bar in ax.containers[k]])


def test_every_fast_study_is_in_the_readme():
    assert set(IN_README) >= set(FAST)


def test_every_fast_study_has_a_figure():
    assert set(FIGURES) == set(FAST)


@pytest.mark.parametrize("name", FAST)
def test_the_readme_holds_the_study_s_current_output(name):
    assert IN_README[name] == study(name).markdown(), (
        f"README.md no longer matches `plurisim study {name}`: run "
        f"`.venv/bin/python tools/paste_studies.py {name}`"
    )


@pytest.mark.parametrize("name", FAST)
def test_out_writes_the_figure_and_prints_the_same_markdown(name, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(plurisim.studies, "run_study", study)
    out = tmp_path / "out"
    assert main(["study", name, "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.out == IN_README[name]
    assert (out / "study.md").read_text(encoding="utf-8") == printed.out
    tables = [f"table{k}.csv" for k in range(1, len(study(name).tables) + 1)]
    png = f"{FIGURES[name]}.png"
    assert sorted(p.name for p in out.iterdir()) == sorted(["study.md", *tables, png])
    assert {line.removeprefix("wrote ") for line in printed.err.splitlines()} == {
        str(out / f) for f in ["study.md", *tables, png]
    }
    pixels = imread(out / png)
    assert pixels.shape[0] > 400 and pixels.shape[1] > 800
    assert np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0).shape[0] > 50  # not blank
    # the same figure again gives the same bytes
    again = save_figure(study(name).figures[FIGURES[name]](), tmp_path / png)
    assert again.read_bytes() == (out / png).read_bytes()


def test_the_deliberation_map_shows_the_printed_cells():
    fig = study("deliberation").figures["deliberation_map"]()
    gap, conflict = printed_tables(IN_README["deliberation"])
    for ax, table, title in zip(
        fig.axes[:2], (gap, conflict), ("Information gap", "Value conflict"), strict=True
    ):
        assert ax.get_title() == title
        shown = {
            (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
        }
        grid = table.drop(columns="stubbornness").to_numpy()
        assert shown == {
            (i, j): grid[i, j] for i in range(grid.shape[0]) for j in range(grid.shape[1])
        }
        (image,) = ax.images
        assert image.norm.vmin == -image.norm.vmax  # diverging, centred on 0
        row = list(table["stubbornness"]).index(0.6)
        col = list(table.columns[1:]).index("0.5 outside")
        (outline,) = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert outline.get_xy() == (col - 0.5, row - 0.5)


def test_the_protocols_figure_shows_the_printed_means():
    fig = study("protocols").figures["protocols_outcomes"]()
    main_table = printed_tables(IN_README["protocols"])[0]
    sets = list(dict.fromkeys(main_table["scenarios"]))
    assert len(sets) == 3 and len(fig.axes) == 6
    for col, name in enumerate(sets):
        block = main_table[main_table["scenarios"] == name]
        top, bottom = fig.axes[col], fig.axes[len(sets) + col]
        assert top.get_title().startswith(name) and bottom.get_title().startswith(name)
        for k, information in enumerate(("private", "public")):
            rows = block[block["information"] == information]
            np.testing.assert_allclose(bar_heights(top, k), rows["agreement rate"], atol=5e-4)
            np.testing.assert_allclose(bar_heights(bottom, k), rows["gap to maximin"], atol=5e-4)


def test_the_svo_figure_shows_the_printed_tables():
    fig = study("svo").figures["svo_rationality_mixes"]()
    drift, mixes = printed_tables(IN_README["svo"])
    vr, rounds, total, worst = fig.axes
    lines = {line.get_label(): line for line in vr.get_lines()}
    for column in [c for c in drift.columns if c.startswith("VR ")]:
        np.testing.assert_allclose(lines[column[3:]].get_xdata(), drift["neutral pull"])
        np.testing.assert_allclose(lines[column[3:]].get_ydata(), drift[column], atol=5e-4)
    np.testing.assert_allclose(lines["mean"].get_ydata(), drift["mean VR"], atol=5e-4)
    np.testing.assert_allclose(bar_heights(rounds), mixes["rounds"], atol=5e-4)
    np.testing.assert_allclose(bar_heights(total), mixes["total"], atol=5e-4)
    np.testing.assert_allclose(bar_heights(worst), mixes["worst group"], atol=5e-4)
    assert [t.get_text() for t in total.get_xticklabels()] == list(mixes["mix"])


def test_the_montreal_figure_shows_the_printed_gain_and_its_share():
    fig = study("montreal").figures["montreal_gain"]()
    markdown = IN_README["montreal"]
    (table,) = printed_tables(markdown)
    shares = re.search(
        r"brings (\d+)% of the negotiated gain in total utility and (\d+)%", markdown
    )
    assert shares is not None
    columns = [c for c in table.columns if c.startswith("plurisim:")]
    reference, negotiated, completed = columns  # the table's order
    for ax, metric, share in zip(
        fig.axes, ("total utility", "worst-group utility"), shares.groups(), strict=True
    ):
        row = table[table["metric"] == metric].iloc[0]
        base, gain_done, gain_rest = (bar_heights(ax, k) for k in range(3))
        tops = [base[0], base[1] + gain_done[0], base[2] + gain_done[1] + gain_rest[0]]
        expected = [row[reference], row[completed], row[negotiated]]
        np.testing.assert_allclose(tops, expected, atol=5e-4)
        assert ax.get_title().endswith(f"completion brings {share}% of the gain")
