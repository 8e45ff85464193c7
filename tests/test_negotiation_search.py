"""The negotiation's fast paths against independent oracles: certified ideals against
enumeration, the pruned demand search against the plain one and against each
stakeholder's own ranking, the sparse estimator against a dense SciPy LP, and results
whose figures are computed on first use."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from plurisim import compile_scenario, negotiate, scenarios
from plurisim.agents import RuleBasedMediator, RuleBasedStakeholders
from plurisim.agents import stakeholder as st
from plurisim.negotiation.engine import Negotiation
from plurisim.negotiation.estimator import CENTRE, SLACK_COST, Estimator
from plurisim.negotiation.result import NegotiationResult
from plurisim.negotiation.search import PackageSearch
from plurisim.negotiation.support import GroupSupport
from plurisim.packages import space_of


def small(seed: int, m: int = 12, groups: int = 3):
    return compile_scenario(scenarios.generate(groups, m, 4, 0.7, 0.4, seed=seed), seed=0)


@pytest.mark.parametrize("seed", range(4))
def test_ideals_by_milp_with_certificates_equal_enumeration(seed):
    p = small(seed)
    milp, enum = PackageSearch(p, "milp"), PackageSearch(p, "enumerate")
    rng = np.random.default_rng(seed)
    centre = rng.dirichlet(np.ones(p.n_criteria), size=p.n_groups)
    groups = np.arange(p.n_groups)
    for _ in range(25):  # estimates that wander around a point, as the mediator's do
        w = np.abs(centre + rng.normal(scale=0.03, size=centre.shape))
        w /= w.sum(axis=1, keepdims=True)
        ours, _ = milp.ideal_for(w, groups)
        exact, is_exact = enum.ideal_for(w, groups)
        assert is_exact
        np.testing.assert_allclose(ours, exact, rtol=1e-7, atol=1e-9)
    assert sum(s.certified for s in milp._support.values()) > 0  # some answers proved


@pytest.mark.parametrize("seed", range(3))
def test_a_certificate_is_never_wrong(seed):
    p = small(seed, m=10)
    space = space_of(p)
    levels = space.levels(p)[:, 0, :]  # every package's levels for group 0
    support = GroupSupport(levels.min(axis=0), levels.max(axis=0))
    rng = np.random.default_rng(seed)
    proved = 0
    centre = rng.dirichlet(np.ones(p.n_criteria))
    for k in range(60):
        w = np.abs(centre + rng.normal(scale=0.05, size=centre.size))
        w /= w.sum()
        index = support.known(w)
        best = float((levels @ w).max())
        if index is not None:
            proved += 1
            assert float(support.levels[index] @ w) == pytest.approx(best, rel=1e-9)
        elif k % 2 == 0:  # learn from half the misses
            row = int(np.argmax(levels @ w))
            support.add(w, space.mask(row), levels[row])
    assert proved > 0


def units_for(n: int, seed: int = 0, zero_weight: bool = False):
    per = n // 6
    s = scenarios.generate(6, 40, 4, 0.7, 0.3, seed=seed, group_size=(per, per), dispersion=50.0)
    p = compile_scenario(s, seed=0)
    neg = Negotiation(
        p,
        seed=0,
        stakeholders="individuals",
        stakeholder_policy=RuleBasedStakeholders(),
        mediator_policy=RuleBasedMediator(),
    )
    units = neg.units
    if zero_weight:  # some stakeholders care nothing for one criterion
        units.weights[::3, 1] = 0.0
        units.weights /= units.weights.sum(axis=1, keepdims=True)
    return p, units


def random_package(p, rng):
    x = np.zeros(p.n_interventions, dtype=bool)
    for j in rng.permutation(p.n_interventions):
        x[j] = True
        if not p.is_feasible(x):
            x[j] = False
    return x


@pytest.mark.parametrize("zero_weight", [False, True])
def test_pruned_demands_equal_the_plain_search(monkeypatch, zero_weight):
    p, units = units_for(1200, zero_weight=zero_weight)
    rng = np.random.default_rng(1)
    for _ in range(4):
        x = random_package(p, rng)
        who = np.flatnonzero(rng.random(len(units)) < 0.7)
        monkeypatch.setattr(st, "PRUNE_ABOVE", 0)
        pruned = st.compute_demands(p, units, x, who)
        monkeypatch.setattr(st, "PRUNE_ABOVE", 10**18)
        plain = st.compute_demands(p, units, x, who)
        for a, b in zip(pruned, plain, strict=True):
            np.testing.assert_array_equal(a, b)


def test_each_demand_is_the_stakeholder_s_own_best_option(monkeypatch):
    monkeypatch.setattr(st, "PRUNE_ABOVE", 0)
    p, units = units_for(300, seed=2, zero_weight=True)
    rng = np.random.default_rng(2)
    x = random_package(p, rng)
    who = np.arange(0, len(units), 7)
    add, drop, gain, _ = st.compute_demands(p, units, x, who)
    for k, i in enumerate(who):
        options = st.demand_options(p, units, x, int(i), k=1)
        if not options:
            assert add[k] == -1
            continue
        best = options[0]
        assert (add[k], drop[k]) == (best.add, -1 if best.drop is None else best.drop)
        assert gain[k] == pytest.approx(best.gain, rel=1e-12)


def dense_point(deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The max-margin point of ``w . delta >= 0`` (each ``count`` times), built densely
    and solved by SciPy, as the estimator's LP used to be."""
    from scipy.optimize import linprog

    n, d = deltas.shape
    face = np.sqrt(1.0 - 1.0 / d)
    nv = d + 2 + n
    c = np.zeros(nv)
    c[d], c[d + 1] = -1.0, -CENTRE
    c[d + 2 :] = SLACK_COST * counts / counts.max()
    a = np.zeros((n + 2 * d, nv))
    a[:n, :d], a[:n, d] = -deltas, 1.0
    a[np.arange(n), d + 2 + np.arange(n)] = -1.0
    a[n + np.arange(d), np.arange(d)], a[n : n + d, d] = -1.0, face
    a[n + d + np.arange(d), np.arange(d)], a[n + d :, d + 1] = -1.0, face
    eq = np.zeros((1, nv))
    eq[0, :d] = 1.0
    bounds = [(0.0, 1.0)] * d + [(-1.0, 1.0), (0.0, 1.0)] + [(0.0, None)] * n
    res = linprog(c, a, np.zeros(len(a)), eq, [1.0], bounds=bounds, method="highs")
    w = np.clip(res.x[:d], 0.0, None)
    return w / w.sum()


def dense_estimate(est: Estimator, groups: list[int]) -> np.ndarray:
    """The estimator's rows, solved densely per group."""
    out = []
    for g in groups:
        rows = list(est._rows[g].values())
        deltas = np.array([r[0] for r in rows], dtype=float)
        counts = np.array([r[1] for r in rows], dtype=float)
        out.append(dense_point(deltas, counts))
    return np.array(out)


def test_the_sparse_estimator_solves_the_dense_lp():
    rng = np.random.default_rng(0)
    est = Estimator(n_groups=2, n_criteria=4)
    truth = np.array([[0.5, 0.3, 0.1, 0.1], [0.1, 0.1, 0.2, 0.6]])
    for _ in range(40):
        g = int(rng.integers(2))
        delta = rng.normal(size=4) * (rng.random(4) < 0.8)
        est.add(g, delta if delta @ truth[g] >= 0 else -delta, float(rng.integers(1, 4)))
    ours = est.estimate()
    np.testing.assert_allclose(ours, dense_estimate(est, [0, 1]), atol=1e-7)


def dense_from_answers(answers: list[tuple[int, np.ndarray, float]], g: int) -> np.ndarray:
    """Group ``g``'s max-margin point from the raw answers, without the estimator's rows.

    Each answer ``w . delta >= 0`` counts ``count`` times; answers equal up to a positive
    factor are one inequality whose count is their sum (as ``Estimator.add`` documents).
    """
    merged: dict[bytes, list] = {}
    for h, delta, count in answers:
        if h != g:
            continue
        unit = np.round(delta / np.linalg.norm(delta - delta.mean()), 9)
        merged.setdefault(unit.tobytes(), [unit, 0.0])[1] += count
    deltas = np.array([u for u, _ in merged.values()])
    return dense_point(deltas, np.array([c for _, c in merged.values()]))


def test_the_warm_started_estimator_solves_the_dense_lp_after_every_answer():
    """The LP kept across answers (rows added, slack costs changed, groups joining
    late) gives, after each answer, the point a fresh dense solve of the raw answers
    gives; it is one LP, kept and re-solved warm (far fewer simplex iterations than
    solving each time from scratch)."""
    from plurisim.negotiation.estimator import _MarginLP

    rng = np.random.default_rng(1)
    est = Estimator(n_groups=3, n_criteria=4)
    truth = rng.dirichlet(np.ones(4), size=3)
    answers: list[tuple[int, np.ndarray, float]] = []
    kept, warm_iterations, cold_iterations = None, 0, 0
    for step in range(60):
        g = int(rng.integers(2 if step < 20 else 3))  # group 2 answers only later
        earlier = [a for a in answers if a[0] == g]
        if step % 7 == 3 and earlier:  # the same answer again, scaled: a larger count
            answers.append((g, earlier[0][1] * 2.5, 2.0))
        else:
            delta = rng.normal(size=4) * (rng.random(4) < 0.8)
            if np.linalg.norm(delta - delta.mean()) < 1e-6:
                continue
            # now and then an answer against the truth: the soft margin must give way
            wrong = rng.random() < 0.1
            answers.append((g, -delta if (delta @ truth[g] >= 0) == wrong else delta, 1.0))
        est.add(*answers[-1])
        ours = est.estimate()
        kept = kept or est._lp
        assert est._lp is kept  # one LP for the whole sequence, not one per answer
        warm_iterations += kept._h.getInfo().simplex_iteration_count
        solved = sorted({a[0] for a in answers})
        cold = _MarginLP(4)
        cold.solve([(h, list(est._rows[h].values())) for h in solved])
        cold_iterations += cold._h.getInfo().simplex_iteration_count
        for h in solved:
            np.testing.assert_allclose(ours[h], dense_from_answers(answers, h), atol=1e-7)
    assert warm_iterations * 3 < cold_iterations, (warm_iterations, cold_iterations)


def test_a_result_computes_its_figures_on_first_use_and_keeps_them():
    r = negotiate(scenarios.load("montreal-streets"), seed=3)
    assert r.evaluated is None and "_evaluation" not in r.__dict__
    assert r.metrics["total_utility"] == pytest.approx(sum(r.group_utilities.values()))
    assert "_evaluation" in r.__dict__
    copy = pickle.loads(pickle.dumps(r))
    assert copy.evaluator is None and copy.summary() == r.summary()
    again = NegotiationResult.from_json(r.to_json())
    assert again.summary() == r.summary()


@pytest.mark.parametrize("seed", range(8))
def test_proposals_by_the_persistent_milp_equal_enumeration(seed):
    """The mediator's questions (floors, forced items, excluded packages) in sequence."""
    p = small(seed, m=11)
    milp, enum = PackageSearch(p, "milp"), PackageSearch(p, "enumerate")
    assert enum.levels is not None
    rng = np.random.default_rng(seed)
    for _ in range(6):
        w = rng.dirichlet(np.ones(p.n_criteria), size=p.n_groups)
        coefs = w * rng.uniform(0.2, 2.0, size=(p.n_groups, 1))
        d = random_package(p, rng) if rng.random() < 0.5 else np.zeros(p.n_interventions, bool)
        floors = (p.levels(d) * w).sum(axis=1)
        forced = rng.random(p.n_interventions) < 0.1
        ask = {"floors": floors, "floor_weights": w, "forced": forced, "exclude": [d]}
        try:
            expect = enum.best(coefs, **ask)
        except Exception as exc:  # no package meets the constraints: both must say so
            with pytest.raises(type(exc)):
                milp.best(coefs, **ask)
            continue
        got = milp.best(coefs, **ask)
        value = float((p.levels(got) * coefs).sum())
        assert value == pytest.approx(float((p.levels(expect) * coefs).sum()), rel=1e-6)
        assert np.all((p.levels(got) * w).sum(axis=1) >= floors - 1e-7)
        assert np.all(got[forced]) and not np.array_equal(got, d)


def test_a_copied_estimator_solves_afresh_to_the_same_point():
    est = Estimator(n_groups=2, n_criteria=3)
    est.add(0, np.array([1.0, -1.0, 0.0]))
    est.add(1, np.array([0.0, 1.0, -0.5]))
    before = est.estimate()
    copy = pickle.loads(pickle.dumps(est))
    assert copy._lp is None
    np.testing.assert_allclose(copy.estimate(), before, atol=1e-12)
    copy.add(0, np.array([0.0, 1.0, -1.0]))
    est.add(0, np.array([0.0, 1.0, -1.0]))
    np.testing.assert_allclose(copy.estimate(), est.estimate(), atol=1e-9)


def test_a_failed_warm_solve_is_redone_from_scratch(monkeypatch):
    est = Estimator(n_groups=1, n_criteria=3)
    est.add(0, np.array([1.0, -1.0, 0.0]))
    est.estimate()
    first = est._lp
    monkeypatch.setattr(first, "solve", lambda rows: None)  # this solver now fails
    est.add(0, np.array([0.0, 1.0, -1.0]))
    w = est.estimate()
    assert est._lp is not None and est._lp is not first
    np.testing.assert_allclose(w[0], dense_estimate(est, [0])[0], atol=1e-7)
