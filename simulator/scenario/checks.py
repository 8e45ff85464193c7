"""Cross-field checks of a scenario, and turning a group's values into criteria weights.

Each message starts with the path of the field at fault, so the loader can name it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from plurisim.errors import ParameterError
from plurisim.values import get_space, normalize, value_to_criteria

if TYPE_CHECKING:
    from plurisim.scenario.schema import Scenario, ValueSpec

__all__ = ["WEIGHT_SUM_TOL", "semantic_problems", "values_to_weights"]

WEIGHT_SUM_TOL = 1e-3
"""How far a group's weights may sum from 1 (unless the scenario rescales them)."""


def semantic_problems(s: Scenario) -> list[str]:
    """Cross-field checks, each message starting with the field path."""
    out: list[str] = []
    crit = s.criterion_ids
    crit_set = set(crit)
    scales = {c.id: c.scale for c in s.criteria}

    def dupes(kind: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for n, i in enumerate(ids):
            if i in seen:
                out.append(f"{kind}[{n}].id: duplicate id {i!r}; ids must be unique")
            seen.add(i)

    dupes("criteria", crit)
    dupes("groups", s.group_ids)
    dupes("interventions", s.intervention_ids)
    dupes("base_designs", [b.id for b in s.base_designs])
    allowed_crit = ", ".join(crit)

    for gi, g in enumerate(s.groups):
        where = f"groups[{gi}]"
        if (g.weights is None) == (g.values is None):
            out.append(f"{where}: give exactly one of 'weights' or 'values'")
        if g.weights is not None:
            for k in g.weights:
                if k not in crit_set:
                    out.append(
                        f"{where}.weights.{k}: unknown criterion {k!r}; allowed: {allowed_crit}"
                    )
            total = sum(g.weights.values())
            if all(v == 0 for v in g.weights.values()):
                out.append(f"{where}.weights: all weights are zero; at least one must be > 0")
            elif abs(total - 1.0) > WEIGHT_SUM_TOL and not s.normalize_weights:
                out.append(
                    f"{where}.weights: sum to {total:g}; they must sum to 1 (within "
                    f"{WEIGHT_SUM_TOL:g}), or set normalize_weights: true at the top of the "
                    "scenario to rescale them"
                )
        if g.values is not None:
            out.extend(_value_spec_problems(s, g.values, f"{where}.values"))
        for k in crit:
            if k not in g.baseline:
                out.append(f"{where}.baseline.{k}: missing; every criterion needs a baseline")
        for k, v in g.baseline.items():
            if k not in crit_set:
                out.append(
                    f"{where}.baseline.{k}: unknown criterion {k!r}; allowed: {allowed_crit}"
                )
                continue
            sc = scales[k]
            if sc is not None and v > sc[1]:
                out.append(
                    f"{where}.baseline.{k}: baseline {v:g} is above the cap {sc[1]:g} "
                    f"(top of the scale {list(sc)}); it must lie within the scale"
                )
            elif sc is not None and v < sc[0]:
                out.append(
                    f"{where}.baseline.{k}: baseline {v:g} is below the scale minimum "
                    f"{sc[0]:g}; it must lie within {list(sc)}"
                )

    ids = set(s.intervention_ids)
    groups = set(s.group_ids)
    for ii, iv in enumerate(s.interventions):
        where = f"interventions[{ii}]"
        for k in iv.effects:
            if k not in crit_set:
                out.append(
                    f"{where}.effects.{k}: effect on unknown criterion {k!r}; "
                    f"allowed: {allowed_crit}"
                )
        for gid, eff in iv.group_effects.items():
            if gid not in groups:
                out.append(
                    f"{where}.group_effects.{gid}: unknown group {gid!r}; "
                    f"allowed: {', '.join(s.group_ids)}"
                )
            for k in eff:
                if k not in crit_set:
                    out.append(
                        f"{where}.group_effects.{gid}.{k}: effect on unknown criterion "
                        f"{k!r}; allowed: {allowed_crit}"
                    )
        for field in ("excludes", "requires"):
            for other in getattr(iv, field):
                if other not in ids:
                    out.append(f"{where}.{field}: unknown intervention {other!r}")
                elif other == iv.id:
                    out.append(f"{where}.{field}: an intervention cannot name itself")

    by_id = {i.id: i for i in s.interventions}
    for bi, b in enumerate(s.base_designs):
        where = f"base_designs[{bi}]"
        unknown = [i for i in b.interventions if i not in ids]
        for i in unknown:
            out.append(f"{where}.interventions: unknown intervention {i!r}")
        if unknown:
            continue
        if len(set(b.interventions)) != len(b.interventions):
            out.append(f"{where}.interventions: lists an intervention twice")
        cost = sum(by_id[i].cost for i in set(b.interventions))
        if cost > s.budget * (1 + 1e-12):
            out.append(
                f"{where}: costs {cost:g}, over the budget {s.budget:g}; "
                "a base design must fit the budget"
            )
        chosen = set(b.interventions)
        for i in b.interventions:
            for other in by_id[i].excludes:
                if other in chosen:
                    out.append(f"{where}: {i!r} excludes {other!r}, yet both are chosen")
            for other in by_id[i].requires:
                if other not in chosen and other in ids:
                    out.append(f"{where}: {i!r} requires {other!r}, which is not chosen")
    if s.value_to_criteria is not None:
        out.extend(_mapping_problems(s))
    return out


def _value_spec_problems(s: Scenario, spec: ValueSpec, where: str) -> list[str]:
    out: list[str] = []
    if spec.space == "criteria":
        dims: tuple[str, ...] = tuple(s.criterion_ids)
    else:
        try:
            dims = get_space(spec.space).dimensions
        except ParameterError as exc:
            return [f"{where}.space: {exc}"]
        if s.value_to_criteria is None:
            out.append(
                f"{where}: a group given by 'values' over {spec.space!r} needs the "
                "scenario-level 'value_to_criteria' mapping"
            )
        elif s.value_to_criteria.space != spec.space:
            out.append(
                f"{where}.space: {spec.space!r} differs from value_to_criteria.space "
                f"{s.value_to_criteria.space!r}"
            )
    resolved: list[str | None] = []
    for k in spec.vector:
        try:
            resolved.append(get_space(spec.space).resolve(k) if spec.space != "criteria" else k)
        except ParameterError:
            resolved.append(None)
        if resolved[-1] is None or resolved[-1] not in dims:
            out.append(f"{where}.vector.{k}: unknown value {k!r}; allowed: {', '.join(dims)}")
    if spec.vector and all(v == 0 for v in spec.vector.values()):
        out.append(f"{where}.vector: all zero; at least one value must be > 0")
    return out


def _mapping_problems(s: Scenario) -> list[str]:
    assert s.value_to_criteria is not None
    out: list[str] = []
    vtc = s.value_to_criteria
    try:
        space = get_space(vtc.space)
    except ParameterError as exc:
        return [f"value_to_criteria.space: {exc}"]
    crit = set(s.criterion_ids)
    for value, row in vtc.matrix.items():
        try:
            space.resolve(value)
        except ParameterError:
            out.append(
                f"value_to_criteria.matrix.{value}: unknown value; allowed: "
                f"{', '.join(space.dimensions)}"
            )
        for k in row:
            if k not in crit:
                out.append(f"value_to_criteria.matrix.{value}.{k}: unknown criterion {k!r}")
    return out


def values_to_weights(s: Scenario, spec: ValueSpec) -> np.ndarray:
    crit = s.criterion_ids
    if spec.space == "criteria":
        return normalize([spec.vector.get(c, 0.0) for c in crit])
    assert s.value_to_criteria is not None
    space = get_space(spec.space)
    vec = space.vector(spec.vector)
    mat = np.zeros((space.n_dims, len(crit)))
    for value, row in s.value_to_criteria.matrix.items():
        for k, w in row.items():
            mat[space.index(value), crit.index(k)] = w
    return value_to_criteria(vec, mat)
