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
