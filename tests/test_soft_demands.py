"""Soft demands: a committed demand stays only while a group that asked still gains from it.

The negotiations are stepped by hand and the mediator's commitments read between
rounds; the release rule is then checked on the real records, with answers changed
to the two cases the rule separates.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from plurisim import NegotiationModel as Negotiation
from plurisim import compile_scenario, scenarios


def _stepped(seed: int, until_commitments: bool = True) -> Negotiation:
    """A competitive negotiation stepped until the mediator holds a commitment."""
    p = compile_scenario(scenarios.generate(4, 12, 3, 0.8, 0.35, seed=seed), seed=0)
    n = Negotiation(p, seed=seed, svo=-30.0, rounds=20)
    while n.running and not (until_commitments and n.view.commitments):
        n.step()
    return n


def test_commitments_are_made_and_released_during_negotiations():
    made = released = 0
    for seed in range(6):
        p = compile_scenario(scenarios.generate(4, 12, 3, 0.8, 0.35, seed=seed), seed=0)
        n = Negotiation(p, seed=seed, svo=-30.0, rounds=20)
        while n.running:
            before = set(n.view.commitments)
            n.step()
            record = n.history[-1]
            after = set(n.view.commitments)
            made += len(after - before)
            gone = before - after
            released += len(record.details.get("released", []))
            # Whatever left the commitments was reported: released, or dropped in a swap.
            swapped = {
                pr.demand.drop
                for pr in record.details.get("pricings", [])
                if pr.admitted and pr.demand.drop is not None
            }
            names = {p.interventions[j] for j in gone - swapped}
            assert names <= set(record.details.get("released", [])), (seed, record.round)
    assert made > 0 and released > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_commitment_nobody_still_asks_for_is_released(seed):
    n = _stepped(seed)
    assert n.view.commitments, "the negotiation made no commitment"
    record = n.history[-1]
    everyone_accepts = dataclasses.replace(
        record.responses,
        accept=np.ones_like(record.responses.accept),
        demand_add=np.full_like(record.responses.demand_add, -1),
        demand_drop=np.full_like(record.responses.demand_drop, -1),
    )
    held = sorted(n.problem.interventions[j] for j in n.view.commitments)
    probe = dataclasses.replace(record, responses=everyone_accepts, details={})
    n.protocol._release(n, probe)
    assert not n.view.commitments
    assert probe.details["released"] == held


def test_a_commitment_is_kept_while_an_asking_group_rejects_and_gains():
    checked = 0
    for seed in range(8):
        n = _stepped(seed)
        n.step()  # a proposal made under the commitment
        if not (n.running and n.view.commitments):
            continue
        record = n.history[-1]
        view = n.view
        # Every group rejects and asks for nothing to be dropped.
        rejecting = dataclasses.replace(
            record.responses,
            accept=np.zeros_like(record.responses.accept),
            demand_drop=np.full_like(record.responses.demand_drop, -1),
        )
        x = record.proposal
        u = view.utilities(x)
        expected = set()
        for j, groups in view.commitments.items():
            without = x.copy()
            without[j] = False
            gain = u - view.utilities(without)
            if any(gain[g] > 1e-9 for g in groups):
                expected.add(j)
        probe = dataclasses.replace(record, responses=rejecting, details={})
        n.protocol._release(n, probe)
        assert set(n.view.commitments) == expected, seed
        checked += bool(expected)
    assert checked >= 2, "too few commitments that an asking group gains from"
