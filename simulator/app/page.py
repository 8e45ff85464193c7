"""The interactive page: Mesa's ``SolaraViz`` over the negotiation model.

A thin file, as Mesa's examples are: the controls come from the parameter registry
(:mod:`plurisim.app.controls`), everything shown is computed by
:mod:`plurisim.app.tables`, and this module only lays it out. The Solara server
imports it (``SOLARA_APP=plurisim.app.page``); nothing in plurisim imports it.

Shown: the state of play; each group's utility per round; the current proposal and
who accepts it; the transcript as it grows; once the negotiation ends, the
negotiated package beside the base designs and the classic rules, with their
Lorenz curves.

Examples
--------
>>> from plurisim.app.page import COMPONENTS, initial_values
>>> initial_values("toy-park")["scenario"], len(COMPONENTS)
('toy-park', 6)
>>> initial_values("no-such-scenario")
Traceback (most recent call last):
...
plurisim.errors.ScenarioError: Unknown scenario 'no-such-scenario'. ...
"""

from __future__ import annotations

import html
import io
import os
import re
import warnings
from types import SimpleNamespace
from typing import Any

import markdown
import solara
from matplotlib.figure import Figure
from plurisim import plots
from plurisim.app import tables
from plurisim.app.controls import DEFAULT_SCENARIO, AppModel, model_params

__all__ = [
    "COMPONENTS",
    "ENV_SCENARIO",
    "ComparisonView",
    "LorenzView",
    "Page",
    "ProposalView",
    "StatusView",
    "TranscriptView",
    "UtilityChart",
    "initial_values",
    "markdown_html",
    "svg_html",
]

with warnings.catch_warnings():
    # Solara's rules-of-hooks check flags a hook in Mesa's own ComponentsView when the
    # module is first imported: advice for Mesa's authors, not for this page's users.
    warnings.filterwarnings("ignore", message=".*found despite early return")
    from mesa.visualization import SolaraViz
    from mesa.visualization.utils import update_counter

ENV_SCENARIO = "PLURISIM_APP_SCENARIO"
"""The environment variable naming the scenario the page opens with (set by ``serve``)."""

# Markdown syntax that could carry raw HTML or links is switched off: the transcript
# holds words from scenario files (escaped already; this is a second fence).
_UNSAFE_MARKDOWN = (
    ("preprocessors", "html_block"),
    ("inlinePatterns", "html"),
    ("inlinePatterns", "link"),
    ("inlinePatterns", "image_link"),
    ("inlinePatterns", "autolink"),
    ("inlinePatterns", "automail"),
    ("inlinePatterns", "reference"),
    ("inlinePatterns", "image_reference"),
    ("inlinePatterns", "short_reference"),
    ("inlinePatterns", "short_image_ref"),
)


def markdown_html(text: str) -> str:
    """Markdown as HTML, with raw HTML shown as text and links left as text.

    Rendered here rather than by ``solara.Markdown``, which loads KaTeX from files
    that Solara's offline assets do not include.

    Examples
    --------
    >>> markdown_html("**Agreement** <script>x</script>")
    '<p><strong>Agreement</strong> &lt;script&gt;x&lt;/script&gt;</p>'
    """
    md = markdown.Markdown(extensions=["tables"])
    for registry, name in _UNSAFE_MARKDOWN:
        getattr(md, registry).deregister(name, strict=False)
    return str(md.convert(text))


def svg_html(fig: Figure) -> str:
    """A matplotlib figure as inline SVG (its points are elements a test can count).

    Examples
    --------
    >>> from plurisim.plots import new_figure
    >>> svg_html(new_figure()).startswith("<svg")
    True
    """
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    head, rest = text.split(">", 1)
    # Drop the fixed size (the viewBox stays) so the figure fits its card.
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return f'{head} style="width: 100%; height: auto">{rest}'


def _extra_scenarios() -> tuple[str, ...]:
    chosen = os.environ.get(ENV_SCENARIO, "")
    return (chosen,) if chosen else ()


def initial_values(scenario: str | None = None) -> dict[str, Any]:
    """The controls' starting values: ``scenario`` (default: the one ``serve`` was given)."""
    scenario = scenario or os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO
    params = model_params(scenario, _extra_scenarios())
    return {name: spec["value"] for name, spec in params.items()}


def _html(content: str, css_class: str) -> solara.Element:
    return solara.HTML(tag="div", unsafe_innerHTML=content, classes=[css_class])


def _table(frame: Any, css_class: str) -> solara.Element:
    # pandas escapes every cell, so words from a scenario file stay text.
    return _html(frame.to_html(index=False, border=0, classes="plurisim-table"), css_class)


def _heading(text: str, level: int = 4) -> solara.Element:
    return _html(f"<h{level}>{html.escape(text)}</h{level}>", "plurisim-heading")


# Each view fills its card in Mesa's grid and scrolls inside it; users may resize cards.
_CARD = "height: 100%; overflow: auto; padding: 4px 8px;"
_CSS = """
.plurisim-table, .plurisim-transcript-text table { border-collapse: collapse; font-size: 0.9em; }
.plurisim-table th, .plurisim-table td,
.plurisim-transcript-text th, .plurisim-transcript-text td {
    padding: 2px 8px; text-align: left; border-bottom: 1px solid rgba(128, 128, 128, 0.3);
}
.plurisim-transcript-text h1 { font-size: 1.3em; }
.plurisim-transcript-text h2 { font-size: 1.1em; margin-top: 0.8em; }
.plurisim-heading h3, .plurisim-heading h4 { margin: 0.4em 0; }
"""


@solara.component
def StatusView(model: AppModel) -> solara.Element:
    """The scenario, the protocol, the round, the disagreement point and the verdict."""
    update_counter.get()  # re-render after every step (Mesa bumps the counter)
    with solara.Column(classes=["plurisim-status"], style=_CARD) as main:
        solara.Style(_CSS)
        if model.error:
            solara.Error(f"Not applied: {model.error}", classes=["plurisim-error"])
        _heading(model.title, 3)
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in tables.status(model).items()
        )
        _html(f"<table class='plurisim-table'>{rows}</table>", "plurisim-status-table")
    return main


@solara.component
def UtilityChart(model: AppModel) -> solara.Element:
    """Each group's utility of each round's proposal, and the share accepting."""
    p = model.negotiation.problem
    data = SimpleNamespace(
        rounds_table=tables.rounds_frame(model),
        group_labels=dict(zip(p.groups, p.group_labels, strict=True)),
    )
    update_counter.get()
    with solara.Column(classes=["plurisim-utilities"], style=_CARD) as main:
        _html(svg_html(plots.rounds(data)), "plurisim-chart")
    return main


@solara.component
def ProposalView(model: AppModel) -> solara.Element:
    """The current proposal, intervention by intervention, and every answer to it."""
    update_counter.get()
    with solara.Column(classes=["plurisim-proposal"], style=_CARD) as main:
        _heading("The proposal on the table")
        _table(tables.proposal_table(model), "plurisim-proposal-table")
        _heading("Who accepts")
        _table(tables.responses_table(model), "plurisim-responses-table")
    return main


@solara.component
def TranscriptView(model: AppModel) -> solara.Element:
    """The transcript so far, newest round last."""
    update_counter.get()
    with solara.Column(classes=["plurisim-transcript"], style=_CARD) as main:
        _html(markdown_html(tables.transcript_markdown(model)), "plurisim-transcript-text")
    return main


def _comparison(model: AppModel) -> Any:
    finished = not model.running
    return solara.use_memo(
        lambda: tables.final_comparison(model), [id(model), finished, model.round]
    )


@solara.component
def ComparisonView(model: AppModel) -> solara.Element:
    """Once the negotiation ends: the negotiated package beside designs and rules."""
    update_counter.get()
    comparison = _comparison(model)
    with solara.Column(classes=["plurisim-comparison"], style=_CARD) as main:
        _heading("Beside the base designs and the classic rules")
        if comparison is None:
            solara.Text("The comparison appears when the negotiation ends (play to the end).")
        else:
            _table(tables.comparison_table(comparison), "plurisim-comparison-table")
            solara.Text(comparison.satisfaction_note())
    return main


@solara.component
def LorenzView(model: AppModel) -> solara.Element:
    """Once the negotiation ends: Lorenz curves of the negotiated package and others."""
    update_counter.get()
    comparison = _comparison(model)
    with solara.Column(classes=["plurisim-lorenz"], style=_CARD) as main:
        if comparison is None:
            solara.Text("The Lorenz curves appear when the negotiation ends.")
        else:
            frame = comparison.frame
            negotiated = [str(n) for n in frame.index[frame["kind"] == "negotiated"]]
            outcomes = [comparison.reference, *negotiated, "utilitarian", "maximin"]
            present = list(dict.fromkeys(o for o in outcomes if o in frame.index))
            _html(svg_html(plots.lorenz(comparison, present)), "plurisim-lorenz-chart")
    return main


COMPONENTS = [
    (StatusView, 0),
    (UtilityChart, 0),
    (ProposalView, 0),
    (TranscriptView, 0),
    (ComparisonView, 0),
    (LorenzView, 0),
]
"""What the page shows, in order (Mesa's ``(component, page)`` pairs)."""


@solara.component
def Page() -> solara.Element:
    """The page: one model per browser session, stepped by Mesa's controls."""
    scenario = os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO
    params = solara.use_memo(lambda: model_params(scenario, _extra_scenarios()), [])
    model = solara.use_memo(lambda: AppModel(**{k: v["value"] for k, v in params.items()}), [])
    return SolaraViz(
        model,
        components=COMPONENTS,
        model_params=params,
        name="plurisim: negotiation among stakeholders",
    )
