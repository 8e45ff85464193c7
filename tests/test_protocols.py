"""Protocols under private information: what the mediator may know, honest outcomes, Pareto.

The oracles here are independent of the negotiation's code: utilities recomputed by
plain enumeration (``tests/helpers.py``), and the privacy test permutes the private
data and checks the public side of the first round does not move.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import brute_force
from hypothesis import given, settings
from hypothesis import strategies as st
from plurisim import compile_scenario, negotiate, scenarios
from plurisim.agents import RuleBasedMediator, RuleBasedStakeholders
from plurisim.negotiation.engine import Negotiation
from plurisim.negotiation.estimator import Estimator

PROTOCOLS = ("mediated", "single-text", "alternating-offers")


def equal_size_problem(seed: int, n_groups: int = 4):
    """A generated problem whose groups are all the same size."""
    s = scenarios.generate(n_groups, 10, 4, 1.0, 0.4, seed=seed, group_size=(10, 10))
    return compile_scenario(s, seed=0)


def permuted(problem, order):
    """The same problem with the groups' private weights handed round by ``order``."""
    w = problem.weights[order]
    return dataclasses.replace(problem, weights=w, individual_weights=None, individual_group=None)


class Yes(RuleBasedStakeholders):
    """Stakeholders who accept every mutation: the text then shows what was proposed."""

    def vote(self, model, current, candidate):
        return np.ones(len(model.units), dtype=bool)


def first_round(problem, information, protocol="mediated", votes=True, **kw):
    n = Negotiation(
        problem,
        seed=0,
        protocol=protocol,
        information=information,
        disagreement="status-quo",
        stakeholder_policy=RuleBasedStakeholders() if votes else Yes(),
        mediator_policy=RuleBasedMediator(),
        **kw,
    )
    n.step()
    return n.history[0].proposal


@pytest.mark.parametrize("seed", range(6))
def test_round_one_under_private_information_ignores_private_weights(seed):
    p = equal_size_problem(seed)
    order = np.roll(np.arange(p.n_groups), 1)
    q = permuted(p, order)
    assert not np.allclose(p.weights, q.weights)
    # The mediator's first proposal (single text: its first mutation, drawn before any
    # vote) can only use public data.
    assert np.array_equal(first_round(p, "private"), first_round(q, "private"))
    kw = {"mutations": 1, "temperature": 0.0, "votes": False}
    assert np.array_equal(
        first_round(p, "private", "single-text", **kw),
        first_round(q, "private", "single-text", **kw),
    )


def test_round_one_under_public_information_uses_them():
    changed = 0
    for seed in range(10):
        p = equal_size_problem(seed)
        q = permuted(p, np.roll(np.arange(p.n_groups), 1))
        changed += not np.array_equal(first_round(p, "public"), first_round(q, "public"))
    assert changed >= 3


def test_the_private_mediator_starts_from_equal_weights_and_learns():
    p = compile_scenario(scenarios.generate(5, 10, 4, 0.8, 0.4, seed=11), seed=0)
    errors = []
    for seed in range(5):
        n = Negotiation(
            p,
            seed=seed,
            disagreement="status-quo",
            rounds=15,
            aspiration_floor=0.5,
            stakeholder_policy=RuleBasedStakeholders(),
            mediator_policy=RuleBasedMediator(),
        )
        assert np.allclose(n.view.group_weights(), 1 / p.n_criteria)
        n.run()
        table = n.records
        errors.append((table[0]["estimation_error"], table[-1]["estimation_error"]))
    first, last = np.array(errors).T
    assert last.mean() < first.mean()


def test_public_information_knows_the_weights(toy_problem):
    n = Negotiation(
        toy_problem,
        seed=0,
        information="public",
        stakeholder_policy=RuleBasedStakeholders(),
        mediator_policy=RuleBasedMediator(),
    )
    assert np.allclose(n.view.group_weights(), toy_problem.weights)
    n.step()
    assert n.records[-1]["estimation_error"] == 0.0


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_each_protocol_agrees_on_toy_park(toy, protocol):
    # From the status quo: from the best base design nothing else leaves every group
    # as well off (see test_accepting_the_disagreement_point_is_no_agreement).
    for information in ("private", "public"):
        r = negotiate(
            toy, seed=0, protocol=protocol, information=information, disagreement="status-quo"
        )
        assert r.agreement, (protocol, information)
        assert r.history[-1]["accepting"] == ["seniors", "families", "youth"]


def test_a_proposer_accepts_its_own_offer(toy):
    r = negotiate(toy, seed=1, protocol="alternating-offers", disagreement="status-quo")
    groups = ["seniors", "families", "youth"]
    for k, h in enumerate(r.history):
        assert groups[k % 3] in h["accepting"]


def _true_invariants(s, r):
    p = compile_scenario(s)  # group utilities do not depend on the individuals drawn
    x = p.mask(list(r.package))
    assert p.costs[x].sum() <= p.budget * (1 + 1e-9)
    assert p.is_feasible(x)
    d = p.mask(list(r.disagreement["package"]))
    u, ud = p.group_utilities(x), p.group_utilities(d)
    if r.agreement:
        assert np.all(u >= ud - 1e-9 * np.maximum(1, np.abs(ud)))
        assert not np.array_equal(x, d) or r.improvements
    else:
        assert np.array_equal(x, d)
    for h in r.history:
        assert p.is_feasible(p.mask(h["proposal"]))


@settings(max_examples=20)
@given(
    seed=st.integers(0, 10_000),
    pol=st.floats(0, 1),
    protocol=st.sampled_from(PROTOCOLS),
    information=st.sampled_from(["private", "public"]),
    disagreement=st.sampled_from(["best-base-design", "status-quo", "greedy"]),
    svo=st.sampled_from([-30.0, 0.0, 45.0]),
)
def test_invariants_every_protocol(seed, pol, protocol, information, disagreement, svo):
    s = scenarios.generate(4, 9, 3, pol, 0.35, seed=seed, group_size=(3, 12))
    r = negotiate(
        s,
        seed=seed,
        protocol=protocol,
        information=information,
        disagreement=disagreement,
        svo=svo,
        rounds=10,
    )
    _true_invariants(s, r)


@settings(max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    pol=st.floats(0, 1),
    d=st.sampled_from(["best-base-design", "status-quo"]),
)
def test_public_mediated_agreements_are_never_pareto_dominated(seed, pol, d):
    s = scenarios.generate(4, 9, 3, pol, 0.4, seed=seed, group_size=(3, 12))
    r = negotiate(s, seed=seed, information="public", disagreement=d, rounds=10)
    if not r.agreement:
        return
    p = compile_scenario(s)
    _x, utils = brute_force(p)  # every feasible package, independently
    u = p.group_utilities(p.mask(list(r.package)))
    dominated = np.all(utils >= u - 1e-9, axis=1) & np.any(utils > u + 1e-7, axis=1)
    assert not dominated.any()
    assert r.pareto_dominated is False


def test_pareto_flag_is_null_beyond_enumeration():
    s = scenarios.generate(3, 30, 3, 0.5, 0.3, seed=1)
    r = negotiate(s, seed=0, rounds=3, engine="milp")
    assert r.pareto_dominated is None


def test_the_improvement_phase_is_reported_apart(contested_for_improvements):
    r = contested_for_improvements
    assert r.agreement and r.improvements
    rounds = {h["round"] for h in r.history}
    assert len(rounds) == r.rounds  # improvements are not rounds
    for imp in r.improvements:
        assert set(imp) == {"package", "accepting", "adopted", "predicted_gain"}
        if imp["adopted"]:
            assert imp["accepting"] == list(r.group_utilities)


@pytest.fixture(scope="module")
def contested_for_improvements():
    # A single text that stops improving leaves room that the improvement phase takes.
    for seed in range(30):
        s = scenarios.generate(5, 10, 3, 0.7, 0.4, seed=seed % 8)
        r = negotiate(s, seed=seed, protocol="single-text", disagreement="status-quo")
        if any(i["adopted"] for i in r.improvements):
            return r
    pytest.fail("no negotiation of 30 needed an improvement")


def test_estimator_is_the_max_margin_point():
    est = Estimator(n_groups=1, n_criteria=3)
    assert np.allclose(est.estimate(), 1 / 3)
    est.add(0, np.array([1.0, -1.0, 0.0]))  # criterion 0 over criterion 1
    w = est.estimate()[0]
    assert w[0] > w[1] and w[2] == pytest.approx(w[1])
    est.add(0, np.array([-1.0, 1.0, 0.0]))  # a contradiction: the centre of what is left
    w = est.estimate()[0]
    assert w[0] == pytest.approx(w[1])
