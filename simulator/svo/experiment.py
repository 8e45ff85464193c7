"""HVAE-style experiments: assign target SVOs, let agents answer, measure, compare.

Following HVAE (Zhang et al., arXiv 2305.17147), each agent is given a *target* SVO,
answers the six items, and its *value rationality* is how close the angle it reveals
is to the target. Every agent sees each item's options in its own random order
(drawn from the seeded generator, recorded, and undone before scoring), so that an
agent answering by position rather than by payoff is exposed: :func:`summarize`
reports position bias and the chance and constant-answer baselines beside value
rationality, with a warning where the two cannot be told apart.

Examples
--------
>>> from plurisim import svo
>>> df = svo.run_experiment(["prosocial"], n_agents=20, rationality=50.0, seed=2)
>>> df["choices"].iloc[0], df["displayed"].iloc[0], float(df["value_rationality"].iloc[0])
('AIIACI', 'GHAGGC', 1.0)
>>> row = svo.summarize(df).loc["prosocial"]
>>> bool(row["value_rationality"] > row["chance_value_rationality"]), row["warning"]
(True, '')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from plurisim.errors import ParameterError
from plurisim.progress import track
from plurisim.svo.baselines import (
    chance_value_rationality,
    constant_answer_value_rationality,
    format_order,
    parse_order,
    position_bias,
    shuffled_order,
    vr_warning,
)
from plurisim.svo.measure import (
    CATEGORIES,
    CATEGORY_TARGETS,
    OPTIONS,
    check_angle,
    svo_angle,
    svo_category,
    value_rationality,
)
from plurisim.svo.respondents import (
    IDENTITY_ORDER,
    Respondent,
    RespondentPanel,
    SVOAgent,
    SVOAnswer,
)
from plurisim.validation import check_int, check_real

__all__ = ["confusion_matrix", "run_experiment", "summarize"]


def _targets(targets: Iterable[str | float] | None) -> list[tuple[str, float]]:
    if targets is None:
        return [(name, CATEGORY_TARGETS[name]) for name in CATEGORIES]
    out = []
    for t in targets:
        if isinstance(t, str) and t in CATEGORY_TARGETS:
            out.append((t, CATEGORY_TARGETS[t]))
            continue
        try:
            angle = float(t)
        except (TypeError, ValueError):
            raise ParameterError(
                f"An SVO target must be a category ({', '.join(CATEGORIES)}) or an angle in "
                f"degrees. Got {t!r} instead."
            ) from None
        check_angle(angle, "target")
        out.append((f"{angle:g}", angle))
    if not out:
        raise ParameterError("An SVO experiment needs at least one target.")
    return out


def _canonical(answer: SVOAnswer, order: np.ndarray) -> list[str | None]:
    """Undo the display order: the canonical letter of each displayed answer."""
    out: list[str | None] = []
    for i, c in enumerate(answer.choices):
        if isinstance(c, str) and len(c) == 1 and c in OPTIONS:
            out.append(OPTIONS[int(order[i][OPTIONS.index(c)])])
        else:
            out.append(None)
    return out


def run_experiment(
    targets: Iterable[str | float] | None = None,
    *,
    n_agents: int = 20,
    seed: int = 0,
    rationality: float = 1.0,
    neutral_pull: float = 0.0,
    respondent: Callable[[float], Respondent] | RespondentPanel | None = None,
    shuffle: bool = True,
) -> pd.DataFrame:
    """Assign target SVOs to agents, let them answer, measure what they reveal.

    Parameters
    ----------
    targets : iterable of category names or angles, optional
        Default: the four categories, each at its :data:`CATEGORY_TARGETS` angle.
    n_agents : int
        Agents per target.
    seed : int
        Each agent gets its own streams, spawned from this seed: one draws the
        display order of its options, the other its answers.
    rationality, neutral_pull : float
        Settings of the rule-based :class:`~plurisim.svo.SVOAgent`.
    respondent : callable or panel, optional
        ``respondent(target_angle)`` returning an object with ``.answer(rng, order)``,
        or a panel with ``.answer_all(targets, rngs, orders)`` that answers for all
        agents at once (such as :class:`plurisim.agents.llm.LLMPanel`). Overrides
        the rule-based agent.
    shuffle : bool
        Show each item's options in a random order per agent (default). ``False``
        shows A..I in canonical order, where answering by position can pass for a
        value.

    Returns
    -------
    pandas.DataFrame
        One row per agent: target, target angle and category, the six choices
        (canonical letters, ``?`` where unanswered), the letters as displayed, the
        display ``order``, the measured angle and category (``NaN``/``None`` if an
        answer is missing), value rationality, whether the category is right, the
        source and the number of unparseable answers.

    Examples
    --------
    >>> df = run_experiment(["prosocial"], n_agents=5, rationality=50.0, seed=1)
    >>> df["value_rationality"].round(3).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    >>> run_experiment(["generous"])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: An SVO target must be a category (altruistic, prosocial, individualistic, competitive) or an angle in degrees. Got 'generous' instead.
    """
    chosen = _targets(targets)
    n = check_int(n_agents, "n_agents", "run_experiment", low=1, high=1_000_000)
    check_int(seed, "seed", "run_experiment", low=0)
    beta = check_real(rationality, "rationality", "run_experiment", low=0, high=1e6)
    pull = check_real(neutral_pull, "neutral_pull", "run_experiment", low=0, high=1)
    if not isinstance(shuffle, bool):
        raise ParameterError(
            f"The 'shuffle' parameter of run_experiment must be a bool. Got {shuffle!r} instead."
        )
    jobs = [(label, angle, k) for label, angle in chosen for k in range(n)]
    streams = [ss.spawn(2) for ss in np.random.SeedSequence(seed).spawn(len(jobs))]
    orders = [
        shuffled_order(np.random.default_rng(s[0])) if shuffle else IDENTITY_ORDER for s in streams
    ]
    rngs = [np.random.default_rng(s[1]) for s in streams]
    if respondent is not None and hasattr(respondent, "answer_all"):
        answers = list(respondent.answer_all([a for _, a, _ in jobs], rngs, orders))
        if len(answers) != len(jobs):
            raise ParameterError(
                f"The respondent panel gave {len(answers)} answers for {len(jobs)} agents."
            )
    else:
        make: Any = respondent or (lambda a: SVOAgent(a, rationality=beta, neutral_pull=pull))
        answers = [
            make(angle).answer(rng, order)
            for (_, angle, _), rng, order in track(
                list(zip(jobs, rngs, orders, strict=True)), desc="SVO agents"
            )
        ]
    rows = []
    for (label, angle, k), ans, order in zip(jobs, answers, orders, strict=True):
        choices = _canonical(ans, order)
        complete = len(choices) == 6 and all(c is not None for c in choices)
        measured = svo_angle([c for c in choices if c is not None]) if complete else math.nan
        target_cat = svo_category(angle) if -90 < angle <= 90 else None
        measured_cat = svo_category(measured) if complete else None
        rows.append(
            {
                "target": label,
                "target_angle": angle,
                "agent": k,
                "choices": "".join(c or "?" for c in choices),
                "displayed": "".join(
                    c if isinstance(c, str) and c in OPTIONS and len(c) == 1 else "?"
                    for c in ans.choices
                ),
                "order": format_order(order),
                "measured_angle": measured,
                "target_category": target_cat,
                "measured_category": measured_cat,
                "value_rationality": value_rationality(measured, angle) if complete else math.nan,
                "correct": bool(measured_cat == target_cat) if complete else False,
                "source": ans.source,
                "unparseable": ans.failures,
            }
        )
    return pd.DataFrame(rows)


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """One row per target: angles, value rationality beside its baselines, failures.

    Columns: ``target_angle``, ``agents``, ``mean_angle``, ``sd_angle``,
    ``value_rationality`` (mean over agents with six answers),
    ``chance_value_rationality`` (uniformly random answers, exact),
    ``constant_answer_value_rationality`` and ``constant_answer_position`` (the best
    constant displayed answer under the agents' display orders), ``position_bias``
    (share of answers at the most frequent displayed position), ``biased_position``,
    ``position_chi2`` and ``position_p_value`` (against uniform positions),
    ``category_accuracy``, ``unparseable_answers``, ``incomplete_agents`` and
    ``warning`` (empty, or why the VR cannot be told from a baseline).

    Examples
    --------
    >>> s = summarize(run_experiment(["altruistic", "competitive"], n_agents=3, rationality=50.0))
    >>> s["category_accuracy"].tolist()
    [1.0, 1.0]
    >>> summarize(pd.DataFrame({"target": []}))
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: summarize needs the table run_experiment returns; missing column(s): agent, choices, correct, displayed, measured_angle, order, target_angle, unparseable, value_rationality.
    """
    needed = {
        "target",
        "target_angle",
        "agent",
        "choices",
        "displayed",
        "order",
        "measured_angle",
        "value_rationality",
        "correct",
        "unparseable",
    }
    missing = sorted(needed - set(results.columns))
    if missing:
        raise ParameterError(
            "summarize needs the table run_experiment returns; missing column(s): "
            + ", ".join(missing)
            + "."
        )
    rows = []
    for target, df in results.groupby("target", sort=False):
        angle = float(df["target_angle"].iloc[0])
        valid = df["measured_angle"].notna()
        vr_values = df.loc[valid, "value_rationality"].astype(float).tolist()
        vr = float(np.mean(vr_values)) if vr_values else math.nan
        orders = [parse_order(o) for o in df["order"]]
        constant = constant_answer_value_rationality(angle, orders)
        per_agent, _ = constant_answer_value_rationality(angle, orders, per_agent=True)
        bias = position_bias(df["displayed"])
        rows.append(
            {
                "target": target,
                "target_angle": angle,
                "agents": len(df),
                "mean_angle": float(df.loc[valid, "measured_angle"].mean())
                if valid.any()
                else math.nan,
                "sd_angle": float(df.loc[valid, "measured_angle"].std(ddof=0))
                if valid.any()
                else math.nan,
                "value_rationality": vr,
                "chance_value_rationality": chance_value_rationality(angle),
                "constant_answer_value_rationality": constant[0],
                "constant_answer_position": constant[1],
                "position_bias": bias["share"],
                "biased_position": bias["position"],
                "position_chi2": bias["chi2"],
                "position_p_value": bias["p_value"],
                "category_accuracy": float(df["correct"].mean()),
                "unparseable_answers": int(df["unparseable"].sum()),
                "incomplete_agents": int((~valid).sum()),
                "warning": vr_warning(
                    df["value_rationality"].astype(float).tolist(),
                    angle,
                    per_agent.tolist(),
                    constant[1],
                ),
            }
        )
    return pd.DataFrame(rows).set_index("target")


def confusion_matrix(results: pd.DataFrame) -> pd.DataFrame:
    """Counts of target category (rows) against measured category (columns).

    Examples
    --------
    >>> m = confusion_matrix(run_experiment(["prosocial"], n_agents=4, rationality=50.0))
    >>> int(m.loc["prosocial", "prosocial"])
    4
    """
    cats = list(CATEGORIES)
    frame = pd.DataFrame(
        0,
        index=pd.Index(cats, name="target"),
        columns=pd.Index([*cats, "unparsed"], name="measured"),
    )
    for target, measured in zip(
        results["target_category"], results["measured_category"], strict=True
    ):
        if pd.isna(target):
            continue
        frame.loc[target, "unparsed" if pd.isna(measured) else measured] += 1
    if int(frame["unparsed"].sum()) == 0:
        frame = frame.drop(columns="unparsed")
    return frame
