"""Value spaces: geometry facts, vector operations and their bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from plurisim.errors import ParameterError
from plurisim.values import (
    MFT,
    SCHWARTZ10,
    VALUELEX,
    conflict,
    cosine_similarity,
    criteria_space,
    get_space,
    normalize,
    signed_alignment,
    value_to_criteria,
)

# Schwartz (1992, 2012): the motivational oppositions across the circle.
CANONICAL_OPPOSITIONS = [
    ("self_direction", "conformity"),
    ("self_direction", "tradition"),
    ("self_direction", "security"),
    ("stimulation", "conformity"),
    ("stimulation", "tradition"),
    ("stimulation", "security"),
    ("hedonism", "conformity"),
    ("hedonism", "tradition"),
    ("universalism", "power"),
    ("universalism", "achievement"),
    ("benevolence", "power"),
    ("benevolence", "achievement"),
]
# Neighbours on the circle share motivational goals.
CANONICAL_NEIGHBOURS = [
    ("self_direction", "stimulation"),
    ("stimulation", "hedonism"),
    ("hedonism", "achievement"),
    ("achievement", "power"),
    ("power", "security"),
    ("security", "conformity"),
    ("conformity", "tradition"),
    ("tradition", "benevolence"),
    ("benevolence", "universalism"),
    ("universalism", "self_direction"),
]


@pytest.mark.parametrize(("a", "b"), CANONICAL_OPPOSITIONS)
def test_schwartz_opposed_pairs(a, b):
    assert SCHWARTZ10.opposed(a, b)
    assert SCHWARTZ10.opposed(b, a)
    assert not SCHWARTZ10.adjacent(a, b)


@pytest.mark.parametrize(("a", "b"), CANONICAL_NEIGHBOURS)
def test_schwartz_neighbours_are_adjacent_not_opposed(a, b):
    assert SCHWARTZ10.relation(a, b) == "adjacent"


def test_schwartz_structure():
    assert SCHWARTZ10.n_dims == 10
    assert SCHWARTZ10.circular
    # conformity and tradition share one wedge; the circle has nine positions
    assert len(set(SCHWARTZ10.angles)) == 9
    assert SCHWARTZ10.angles[SCHWARTZ10.index("CO")] == SCHWARTZ10.angles[SCHWARTZ10.index("TR")]
    assert {a for a, _ in SCHWARTZ10.axes} == {"openness_to_change", "self_enhancement"}
    # hedonism belongs to both openness and self-enhancement
    ho = SCHWARTZ10.higher_order
    assert "hedonism" in ho["openness_to_change"] and "hedonism" in ho["self_enhancement"]
    # no value is opposed to itself or to a neighbour
    pairs = set(SCHWARTZ10.opposed_pairs())
    assert all(a != b for a, b in pairs)
    assert not pairs & set(CANONICAL_NEIGHBOURS)
    assert ("self_direction", "power") not in pairs  # orthogonal axes, not opposed


def test_codes_and_case_are_accepted():
    assert SCHWARTZ10.resolve("UN") == "universalism"
    assert SCHWARTZ10.resolve("Benevolence") == "benevolence"
    with pytest.raises(ParameterError, match="not a dimension of the value space 'schwartz10'"):
        SCHWARTZ10.resolve("wealth")


def test_valuelex_and_mft_structure():
    assert VALUELEX.n_dims == 6
    assert set(VALUELEX.higher_order) == {"competence", "character", "integrity"}
    assert all(len(v) == 2 for v in VALUELEX.higher_order.values())
    assert VALUELEX.relation("professional", "ethical") == "adjacent"
    assert VALUELEX.relation("social", "ethical") == "unrelated"
    assert MFT.dimensions == ("care", "fairness", "loyalty", "authority", "purity")
    assert MFT.resolve("sanctity") == "purity"
    assert get_space("moral_foundations") is MFT


def test_kernel_is_symmetric_psd_with_unit_diagonal():
    k = SCHWARTZ10.kernel()
    assert np.allclose(k, k.T)
    assert np.allclose(np.diag(k), 1.0)
    assert np.linalg.eigvalsh(k).min() > -1e-12


def test_conflict_grows_with_distance_on_the_circle():
    one = {d: SCHWARTZ10.vector({d: 1.0}) for d in SCHWARTZ10.dimensions}
    sd = one["self_direction"]
    order = ["self_direction", "stimulation", "hedonism", "achievement", "power"]
    values = [conflict(sd, one[d], SCHWARTZ10) for d in order]
    assert values[0] == pytest.approx(0.0, abs=1e-12)
    assert all(a < b for a, b in itertools.pairwise(values))
    # opposed poles conflict more than neighbours
    assert conflict(one["power"], one["universalism"], SCHWARTZ10) > conflict(
        one["power"], one["achievement"], SCHWARTZ10
    )


weights = st.lists(st.floats(0, 10), min_size=10, max_size=10).filter(lambda v: sum(v) > 1e-3)


@given(weights, weights)
def test_conflict_is_symmetric_and_in_unit_interval(a, b):
    u, v = SCHWARTZ10.vector(a), SCHWARTZ10.vector(b)
    c = conflict(u, v, SCHWARTZ10)
    assert 0.0 <= c <= 1.0
    assert c == pytest.approx(conflict(v, u, SCHWARTZ10))
    assert conflict(u, u, SCHWARTZ10) == pytest.approx(0.0, abs=1e-9)


@given(
    st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=5, max_size=5),
    st.lists(st.floats(0, 1), min_size=5, max_size=5).filter(lambda v: sum(v) > 1e-6),
)
def test_signed_alignment_in_range(valence, target):
    a = signed_alignment(valence, target)
    assert -1.0 - 1e-12 <= a <= 1.0 + 1e-12
    assert signed_alignment(np.abs(valence), target) >= a - 1e-12


def test_signed_alignment_extremes_and_errors():
    t = MFT.vector({"care": 2, "fairness": 1})
    assert signed_alignment([1, 1, 0, 0, 0], t) == pytest.approx(1.0)
    assert signed_alignment([-1, -1, 1, 1, 1], t) == pytest.approx(-1.0)
    with pytest.raises(ParameterError, match="cannot be all zero"):
        signed_alignment([1, 0], [0, 0])
    with pytest.raises(ParameterError, match="different lengths"):
        signed_alignment([1, 0], [1, 0, 0])


def test_vector_normalizes_and_rejects_bad_input():
    v = MFT.vector({"care": 1, "loyalty": 3})
    assert v.sum() == pytest.approx(1.0)
    assert v[MFT.index("loyalty")] == pytest.approx(0.75)
    with pytest.raises(ParameterError, match="non-negative; got -0.5 for 'fairness'"):
        MFT.vector({"fairness": -0.5})
    with pytest.raises(ParameterError, match="all zero"):
        MFT.vector({"care": 0})
    with pytest.raises(ParameterError, match="needs 5 numbers; got 3"):
        MFT.vector([1, 2, 3])
    with pytest.raises(ParameterError, match="finite"):
        MFT.vector([1, np.nan, 0, 0, 0])
    with pytest.raises(ParameterError, match=r"Valence must lie in \[-1, 1\]"):
        MFT.vector({"care": 2}, kind="valence")
    assert MFT.vector({"care": -1}, kind="valence")[0] == -1


def test_normalize_cosine_and_mapping():
    assert normalize([2, 2]).tolist() == [0.5, 0.5]
    with pytest.raises(ParameterError, match="non-negative"):
        normalize([1, -1])
    assert cosine_similarity([1, 0], [0, 1]) == pytest.approx(0.0)
    with pytest.raises(ParameterError, match="all-zero"):
        cosine_similarity([0, 0], [1, 0])
    w = value_to_criteria([0.25, 0.75], [[1, 0, 0], [0, 1, 1]])
    assert w.tolist() == pytest.approx([0.25, 0.375, 0.375])
    with pytest.raises(ParameterError, match="all-zero criteria weights"):
        value_to_criteria([1, 0], [[0, 0], [1, 1]])
    with pytest.raises(ParameterError, match="one row per value"):
        value_to_criteria([1, 0], [[1, 1]])


def test_top_and_higher_order_scores():
    v = SCHWARTZ10.vector({"UN": 3, "BE": 2, "PO": 1})
    assert [lab for lab, _ in SCHWARTZ10.top(v, 2)] == ["Universalism", "Benevolence"]
    s = SCHWARTZ10.higher_order_scores(v)
    assert s["self_transcendence"] == pytest.approx(5 / 6)
    assert s["self_enhancement"] == pytest.approx(1 / 6)


def test_criteria_space_and_unknown_space():
    space = criteria_space(["a_b", "c"])
    assert space.labels == ("A B", "C")
    with pytest.raises(ParameterError, match="Unknown value space 'x'"):
        get_space("x")
