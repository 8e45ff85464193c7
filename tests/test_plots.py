"""Every plot returns a Figure with something drawn on each axes, and never shows it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from plurisim import compile_scenario, mechanisms, negotiate, plots, scenarios, svo
from plurisim.comparison import compare
from plurisim.errors import ParameterError
from plurisim.studies.svo import negotiation_study
from plurisim.values import MFT, SCHWARTZ10


def drawn(fig: Figure) -> bool:
    """True if every axes holds lines, patches, collections, images or texts beyond its labels."""
    for ax in fig.axes:
        if getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>":
            continue
        if not (ax.lines or ax.patches or ax.collections or ax.images or ax.texts):
            return False
    return bool(fig.axes)


@pytest.fixture(scope="module")
def toy_comparison():
    return compare(scenarios.load("toy-park"), mechanisms=["utilitarian", "maximin", "mes"])


def test_figures_render(toy_comparison, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("plots must not call plt.show()")

    monkeypatch.setattr(plt, "show", forbidden)
    p = compile_scenario(scenarios.load("toy-park"))
    result = negotiate(
        scenarios.load("montreal-streets"),
        seed=0,
        stakeholders="individuals",
        deliberation=True,
        rounds=10,
    )
    study = svo.run_experiment(n_agents=4, seed=0)
    figures = [
        plots.group_utilities(toy_comparison),
        plots.lorenz(toy_comparison),
        plots.rounds(result),
        plots.deliberation(result),
        plots.svo_circle(study),
        plots.confusion(svo.confusion_matrix(study)),
        plots.value_radar(
            {"a": SCHWARTZ10.vector({"UN": 1, "BE": 1}), "b": SCHWARTZ10.vector({"PO": 1})}
        ),
        plots.value_radar({"care-first": MFT.vector({"care": 2, "fairness": 1})}, MFT),
        plots.pareto(p, [mechanisms.utilitarian(p), mechanisms.maximin(p)], groups=(0, 2)),
        plots.svo_negotiations(negotiation_study(scenarios.load("toy-park"), seeds=2, rounds=5)),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        assert drawn(fig), fig.axes[0].get_title()


def test_plot_errors(toy_comparison):
    with pytest.raises(ParameterError, match="Expected a Comparison"):
        plots.group_utilities([1, 2])
    with pytest.raises(ParameterError, match="needs 10 values"):
        plots.value_radar({"x": [1, 2]})
    with pytest.raises(ParameterError, match="run with deliberation"):
        plots.deliberation(toy_comparison.frame)
    big = compile_scenario(scenarios.generate(3, 40, 3, 0.5, 0.5, seed=0))
    with pytest.raises(ParameterError, match="too many packages"):
        plots.pareto(big)


@pytest.fixture(scope="module")
def many():
    """community-budget: two designs and every default rule, eleven outcomes."""
    return compare(scenarios.load("community-budget"))


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_lorenz_with_many_outcomes_colours_a_few_and_greys_the_rest(many):
    n = len(many.frame)
    assert n >= 11
    fig = plots.lorenz(many)
    ax = fig.axes[0]
    curves = ax.lines[1:]  # after the line of equality
    assert len(curves) == n  # every outcome is drawn
    grey = [ln for ln in curves if ln.get_color() == "0.75"]
    coloured = [ln for ln in curves if ln.get_color() != "0.75"]
    assert 1 <= len(coloured) <= plots.LORENZ_COLOURED and len(grey) == n - len(coloured)
    assert many.reference in [ln.get_label().split(" (Gini")[0] for ln in coloured]
    fig.draw_without_rendering()
    legend = fig.legends[0].get_window_extent()
    assert not overlaps(legend, ax.get_window_extent())  # outside the axes
    assert legend.x1 <= fig.bbox.x1 + 1  # and inside the figure


def test_lorenz_colours_what_it_is_asked_to(many):
    fig = plots.lorenz(many, highlight=["maximin", "mes"])
    coloured = [ln.get_label() for ln in fig.axes[0].lines[1:] if ln.get_color() != "0.75"]
    assert [c.split(" (Gini")[0] for c in coloured] == ["maximin", "mes"]
    with pytest.raises(ParameterError, match="'nobody' is not among the outcomes drawn"):
        plots.lorenz(many, highlight=["nobody"])
    with pytest.raises(ParameterError, match="No outcome named 'nobody'"):
        plots.lorenz(many, ["maximin", "nobody"])


def test_few_outcomes_are_all_coloured(toy_comparison):
    fig = plots.lorenz(toy_comparison)
    assert all(ln.get_color() != "0.75" for ln in fig.axes[0].lines[1:])


def test_the_group_legend_never_covers_a_bar(many):
    fig = plots.group_utilities(many)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    bars = [p.get_window_extent() for p in ax.patches]
    assert len(bars) == len(many.frame) * len(many.groups)
    assert not any(overlaps(legend, b) for b in bars)
    assert not overlaps(legend, ax.get_window_extent())
