"""SVO Slider Measure, value rationality, the rule-based agent and SVO populations."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
from plurisim import scenarios, svo
from plurisim.agents.svo import SVOAgent
from plurisim.cli import main
from plurisim.errors import ParameterError
from plurisim.studies.svo import negotiation_study
from scipy import stats


def test_items_are_murphys():
    assert svo.SELF.shape == (6, 9)
    assert svo.ITEMS[0][0] == (85,) * 9
    assert svo.ITEMS[1] == (
        (85, 87, 89, 91, 93, 94, 96, 98, 100),
        (15, 19, 24, 28, 33, 37, 41, 46, 50),
    )
    assert svo.ITEMS[4][1] == (50, 56, 63, 69, 75, 81, 88, 94, 100)


def test_ideal_type_angles_come_out_exactly():
    got = {k: round(v, 2) for k, v in svo.IDEAL_TYPES.items()}
    assert got == {
        "altruistic": 61.39,
        "prosocial": 37.48,
        "individualistic": 7.82,
        "competitive": -16.26,
    }
    assert svo.ideal_type_choices()["individualistic"] == "AIIIAA"  # item 1 is a tie: A
    assert round(svo.svo_angle("AIIIAA"), 2) == 7.82


def test_angle_by_hand():
    # prosocial ideal: self 85 100 85 63 75 85, other 85 50 85 68 75 85
    mean_self, mean_other = (85 + 100 + 85 + 63 + 75 + 85) / 6, (85 + 50 + 85 + 68 + 75 + 85) / 6
    expected = math.degrees(math.atan((mean_other - 50) / (mean_self - 50)))
    assert svo.svo_angle("AIIDEI") == pytest.approx(expected)
    assert svo.svo_angle([0, 8, 8, 3, 4, 8]) == pytest.approx(expected)
    assert svo.svo_angle(list("aiidei")) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("angle", "category"),
    [
        (90.0, "altruistic"),
        (57.16, "altruistic"),
        (57.15, "prosocial"),
        (22.46, "prosocial"),
        (22.45, "individualistic"),
        (-12.03, "individualistic"),
        (-12.04, "competitive"),
        (-89.99, "competitive"),
    ],
)
def test_categories_are_half_open(angle, category):
    assert svo.svo_category(angle) == category


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: svo.svo_angle("AIIIAJ"),
            "SVO item 6: 'J' is not an option; choose one of A, B, C",
        ),
        (lambda: svo.svo_angle("AIIIA"), "six primary items; got 5 choices"),
        (lambda: svo.svo_angle("AIIIAAA"), "six primary items; got 7 choices"),
        (lambda: svo.svo_angle([0, 1, 2, 3, 4, 9]), "SVO item 6: 9 is not an option"),
        (
            lambda: svo.svo_category(181.0),
            "'angle' parameter of svo must be a real number in the range [-180, 180]",
        ),
        (
            lambda: svo.svo_category(-90.0),
            "outside (-90, 90], where the four categories are defined",
        ),
        (
            lambda: SVOAgent(200.0),
            "'target_angle' parameter of SVOAgent must be a real number in the range [-180, 180]",
        ),
        (lambda: svo.run_experiment([-181.0]), "'target' parameter of svo"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ParameterError) as exc:
        call()
    assert message in str(exc.value)


def test_preferred_option_maximizes_svo_utility():
    for item in range(6):
        for angle in (-45.0, 0.0, 30.0, 60.0, 90.0):
            th = math.radians(angle)
            values = [
                math.cos(th) * s + math.sin(th) * o for s, o in zip(*svo.ITEMS[item], strict=True)
            ]
            assert values[svo.preferred_option(item, angle)] == pytest.approx(max(values))


def test_rational_agents_reveal_their_targets():
    df = svo.run_experiment(n_agents=25, rationality=1000.0, neutral_pull=0.0, seed=3)
    assert (df["value_rationality"] == 1.0).all()
    assert df["correct"].all()
    matrix = svo.confusion_matrix(df)
    assert np.array_equal(matrix.to_numpy(), np.diag([25] * 4))
    assert svo.CATEGORY_TARGETS["altruistic"] == pytest.approx(61.39, abs=0.01)


def test_value_rationality_falls_as_the_pull_grows():
    pulls = [0.0, 0.25, 0.5, 0.75, 1.0]
    per_seed = []
    for seed in range(12):
        df_means = [
            svo.run_experiment(n_agents=10, rationality=1.0, neutral_pull=p, seed=seed)[
                "value_rationality"
            ].mean()
            for p in pulls
        ]
        per_seed.append(df_means)
    arr = np.array(per_seed)
    means = arr.mean(axis=0)
    assert all(a > b for a, b in itertools.pairwise(means))
    rho, pvalue = stats.spearmanr(np.tile(pulls, len(per_seed)), arr.ravel())
    assert rho < -0.8 and pvalue < 1e-6


def test_pull_moves_answers_toward_neutral():
    agent = SVOAgent(61.39, rationality=1000.0, neutral_pull=1.0)
    assert agent.effective_angle == pytest.approx(svo.NEUTRAL_ANGLE)
    measured = svo.svo_angle(agent.answer(np.random.default_rng(0)).choices)
    assert abs(measured - 22.45) < abs(measured - 61.39)


def test_same_seed_same_table():
    a = svo.run_experiment(n_agents=8, seed=11, rationality=0.5, neutral_pull=0.2)
    b = svo.run_experiment(n_agents=8, seed=11, rationality=0.5, neutral_pull=0.2)
    pd.testing.assert_frame_equal(a, b)
    c = svo.run_experiment(n_agents=8, seed=12, rationality=0.5, neutral_pull=0.2)
    assert not a["choices"].equals(c["choices"])


def test_value_rationality_definition():
    assert svo.value_rationality(10.0, 10.0) == 1.0
    assert svo.value_rationality(10.0, 10.0 + 77.65) == 0.0
    assert svo.value_rationality(0.0, 200.0) == 0.0  # clipped by definition
    assert svo.value_rationality(np.array([0.0, 7.765]), 0.0).tolist() == pytest.approx([1.0, 0.9])


def test_unparseable_answers_are_counted_not_guessed():
    class Garbled:
        def answer(self, rng, order):
            return svo.SVOAnswer(choices=["A", None, "I", "A", "A", "I"], source="llm", failures=1)

    df = svo.run_experiment(["prosocial"], n_agents=3, respondent=lambda angle: Garbled())
    assert df["measured_angle"].isna().all()
    assert (df["displayed"] == "A?IAAI").all()
    assert (df["choices"].str[1] == "?").all()
    s = svo.summarize(df)
    assert s.loc["prosocial", "unparseable_answers"] == 3
    assert s.loc["prosocial", "incomplete_agents"] == 3
    assert s.loc["prosocial", "category_accuracy"] == 0.0
    assert "unparsed" in svo.confusion_matrix(df).columns


def test_negotiation_study_shows_what_svo_does():
    s = scenarios.generate(6, 12, 4, 0.6, 0.3, seed=3)
    study = negotiation_study(s, seeds=15)
    assert set(study["mix"]) == set(svo.MIXES)
    rounds = study.groupby("mix")["rounds"].mean()
    assert rounds["prosocial"] < rounds["individualistic"] < rounds["one competitive"]
    assert (
        stats.mannwhitneyu(
            study.loc[study.mix == "prosocial", "rounds"],
            study.loc[study.mix == "individualistic", "rounds"],
            alternative="less",
        ).pvalue
        < 0.01
    )
    assert study.equals(negotiation_study(s, seeds=15))
    with pytest.raises(ParameterError, match="Unknown SVO mix 'saintly'"):
        negotiation_study(s, ["saintly"], seeds=1)


def test_cli_svo_json_and_out(tmp_path, capsys):
    assert main(["svo", "--agents", "6", "--rationality", "1000", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["target"] for r in records] == [
        "altruistic",
        "prosocial",
        "individualistic",
        "competitive",
    ]
    for r in records:
        assert {"target_angle", "mean_angle", "value_rationality", "category_accuracy"} <= set(r)
        assert r["value_rationality"] == 1.0 and r["category_accuracy"] == 1.0
        assert isinstance(r["agents"], int)
    out = tmp_path / "svo"
    assert (
        main(
            [
                "svo",
                "--agents",
                "4",
                "--out",
                str(out),
                "--negotiation",
                "montreal-streets",
                "--seeds",
                "2",
            ]
        )
        == 0
    )
    names = {p.name for p in out.iterdir()}
    assert {
        "svo_results.csv",
        "svo_summary.csv",
        "svo_confusion.csv",
        "svo_circle.png",
        "svo_confusion.png",
        "svo_negotiation.csv",
        "svo_negotiation.png",
    } <= names
    assert main(["svo", "--targets", "generous"]) == 2
    assert "must be a category" in capsys.readouterr().err


# -- shuffled options and baselines ----------------------------------------------------------


def test_chance_value_rationality_matches_a_simulation():
    rng = np.random.default_rng(0)
    sheets = rng.integers(0, 9, size=(20_000, 6))
    angles = np.array(
        [svo.svo_angle(list(s)) for s in sheets]
    )  # the scalar path, not the vector one
    for target in svo.CATEGORY_TARGETS.values():
        vr = svo.value_rationality(angles, target)
        exact = svo.chance_value_rationality(target)
        assert abs(vr.mean() - exact) < 4 * vr.std() / math.sqrt(len(vr))


def test_constant_answer_baseline_by_brute_force():
    rng = np.random.default_rng(1)
    orders = [svo.shuffled_order(rng) for _ in range(7)]
    for target in (61.39, 41.04, 7.82, -16.26, 30.0):
        by_letter = {
            letter: np.mean(
                [
                    svo.value_rationality(
                        svo.svo_angle([svo.OPTIONS[o[i][k]] for i in range(6)]), target
                    )
                    for o in orders
                ]
            )
            for k, letter in enumerate(svo.OPTIONS)
        }
        best = max(by_letter, key=by_letter.get)
        value, letter = svo.constant_answer_value_rationality(target, orders)
        assert letter == best and value == pytest.approx(by_letter[best])
    # unshuffled, "AAAAAA" averages about 0.64 over the four category targets
    unshuffled = [
        svo.value_rationality(svo.svo_angle("AAAAAA"), t) for t in svo.CATEGORY_TARGETS.values()
    ]
    assert np.mean(unshuffled) == pytest.approx(0.643, abs=0.001)


def test_position_bias_is_pearsons_chi_square():
    sheets = ["AABBCC", "ABCDEF", "AAAAAA", "IHGFED"]
    counts = np.array([sum(s.count(c) for s in sheets) for c in svo.OPTIONS])
    oracle = stats.chisquare(counts)
    bias = svo.position_bias([*sheets, "??????"])
    assert bias["chi2"] == pytest.approx(oracle.statistic)
    assert bias["p_value"] == pytest.approx(oracle.pvalue)
    assert bias["position"] == "A" and bias["share"] == pytest.approx(counts.max() / counts.sum())


def test_display_orders_round_trip_and_are_undone():
    rng = np.random.default_rng(2)
    for _ in range(20):
        order = svo.shuffled_order(rng)
        assert np.array_equal(svo.parse_order(svo.format_order(order)), order)
    df = svo.run_experiment(["altruistic"], n_agents=200, rationality=1000.0, seed=4)
    assert (df["choices"] == svo.ideal_type_choices()["altruistic"]).all()  # undone exactly
    # A respondent that reads the payoffs lands on every displayed position alike.
    assert svo.position_bias(df["displayed"])["p_value"] > 1e-3


def test_warnings_separate_values_from_noise():
    rational = svo.summarize(svo.run_experiment(n_agents=20, rationality=1.0, seed=0))
    assert (rational["warning"] == "").all()
    random_ = svo.summarize(svo.run_experiment(n_agents=20, rationality=0.0, seed=0))
    assert random_["warning"].str.contains("random answers").all()
    unshuffled = svo.summarize(
        svo.run_experiment(n_agents=20, rationality=0.0, seed=0, shuffle=False)
    )
    assert (unshuffled["constant_answer_position"].isin(["A", "I"])).all()
    with pytest.raises(
        ParameterError, match="'shuffle' parameter of run_experiment must be a bool"
    ):
        svo.run_experiment(shuffle=1)
