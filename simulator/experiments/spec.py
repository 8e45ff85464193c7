"""Sweep specifications: scenarios x mechanisms x parameter grid x seeds.

The smallest spec::

    scenarios: [montreal-streets]
    mechanisms: [negotiative, maximin]
    grid: {rounds: [10, 20]}
    seeds: {count: 4, root: 0}

A scenario is a built-in name, ``{path: file.yaml}`` (relative to the spec file),
``{generate: {n_groups: 6, ...}}``, or Pabulib elections: ``{path: "data/*.pb", groups:
age, utility: cost}`` (a glob gives one scenario per file, in name order; ``groups``
and ``utility`` as in :func:`plurisim.scenarios.load`). A mechanism is a name or ``{name: ..., params:
{...}}``. Grid keys are registered mechanism parameters (each mechanism takes the keys it
declares; one that declares none runs once per grid point of the others) or
scenario fields: ``budget`` for any scenario, and the generator's parameters for
generated ones. Every value is validated against the registry when the spec is
read, before any run starts or any results folder is created. Seeds are a list of
integers or ``{count, root}``, spawned through ``numpy.random.SeedSequence(root)``.

An optional ``llm`` mapping (keys: the fields of
:class:`~plurisim.agents.llm.LLMSettings`, checked as ``plurisim run --llm ...`` checks
them) makes the stakeholders and the mediator of every negotiative run LLM-backed, as
``plurisim run --llm`` does; the other rules ignore it::

    scenarios: [toy-park]
    mechanisms: [negotiative, maximin]
    llm: {model: scripted, temperature: 0, structured: auto}
    seeds: [0, 1]
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from plurisim.errors import InputError, PlurisimError, SpecError
from plurisim.files import load_yaml, read_text
from plurisim.validation import strip_union_tags
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

__all__ = ["MechanismSpec", "ScenarioSpec", "SeedSpec", "SweepSpec", "load_spec"]

DEFAULT_METRICS = (
    "total_utility",
    "worst_group_utility",
    "p20_satisfaction",
    "gini",
    "mean_utility",
    "utility_gap",
    "atkinson",
    "nash_welfare",
    "budget_used",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioSpec(_Model):
    """One scenario: exactly one of a built-in ``name``, a ``path`` or ``generate`` settings.

    A ``path`` may be a glob (one scenario per matching file); ``groups`` and
    ``utility`` apply to Pabulib ``.pb`` files.
    """

    name: str | None = None
    path: str | None = None
    generate: dict[str, Any] | None = None
    groups: str | None = None
    utility: Literal["cost", "cardinality"] | None = None

    @model_validator(mode="after")
    def _one(self) -> ScenarioSpec:
        if sum(v is not None for v in (self.name, self.path, self.generate)) != 1:
            raise ValueError(
                "a scenario is exactly one of: a name, {path: ...} or {generate: {...}}"
            )
        if (self.groups is not None or self.utility is not None) and not (
            self.path is not None and self.path.lower().endswith(".pb")
        ):
            raise ValueError("groups and utility apply to Pabulib files: {path: FILE.pb, ...}")
        return self


class MechanismSpec(_Model):
    """A mechanism and fixed parameters for it."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)


class SeedSpec(_Model):
    """``count`` seeds spawned from ``root``."""

    count: Annotated[int, Strict(), Field(ge=1, le=1_000_000)]
    root: Annotated[int, Strict(), Field(ge=0)] = 0


class SweepSpec(_Model):
    """A sweep: scenarios x mechanisms x grid x seeds (see the module docstring)."""

    scenarios: list[ScenarioSpec] = Field(min_length=1)
    mechanisms: list[MechanismSpec] = Field(min_length=1)
    grid: dict[str, list[Any]] = Field(default_factory=dict)
    seeds: SeedSpec | list[Annotated[int, Strict(), Field(ge=0)]]
    metrics: list[str] = Field(default_factory=lambda: list(DEFAULT_METRICS))
    transcripts: bool = False
    name: str | None = None
    llm: dict[str, Any] | None = None

    @field_validator("scenarios", "mechanisms", mode="before")
    @classmethod
    def _name_shorthand(cls, v: Any) -> Any:
        """A bare string in these lists stands for ``{name: string}``."""
        if isinstance(v, list):
            return [{"name": s} if isinstance(s, str) else s for s in v]
        return v

    @field_validator("grid")
    @classmethod
    def _grid(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in v.items():
            if not values:
                raise ValueError(f"grid.{key}: an empty list of values; give at least one")
            twice = _listed_twice(values)
            if twice:
                raise ValueError(f"{key} lists the value {twice[0]!r} twice; list each value once")
        return v

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, v: Any) -> Any:
        if isinstance(v, list) and not v:
            raise ValueError("seeds: an empty list; give at least one seed or {count: N, root: R}")
        twice = _listed_twice(v) if isinstance(v, list) else None
        if twice:
            raise ValueError(f"seed {twice[0]!r} is listed twice; list each seed once")
        return v

    @field_validator("metrics")
    @classmethod
    def _distinct_metrics(cls, v: list[str]) -> list[str]:
        from plurisim.evaluation import METRIC_KEYS

        for name in v:
            if name not in METRIC_KEYS:
                raise ValueError(f"unknown metric {name!r}; choose from {', '.join(METRIC_KEYS)}")
        twice = _listed_twice(list(v))
        if twice:
            raise ValueError(f"{twice[0]!r} is listed twice; list each metric once")
        return v

    @field_validator("scenarios")
    @classmethod
    def _distinct_scenarios(cls, v: list[ScenarioSpec]) -> list[ScenarioSpec]:
        twice = _listed_twice([s.model_dump(exclude_none=True) for s in v])
        if twice:
            what = twice[0].get("name") or twice[0]
            raise ValueError(f"{what!r} is listed twice; list each scenario once")
        return v

    @field_validator("mechanisms")
    @classmethod
    def _distinct_mechanisms(cls, v: list[MechanismSpec]) -> list[MechanismSpec]:
        twice = _listed_twice([m.model_dump() for m in v])
        if twice:
            name, params = twice[0]["name"], twice[0]["params"]
            raise ValueError(
                f"{name!r} is listed twice with the same params {params}; list each mechanism once"
            )
        return v

    @field_validator("llm")
    @classmethod
    def _llm(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        """Every setting checked by :class:`LLMSettings`; kept complete (defaults filled in)."""
        from plurisim.agents.llm.settings import LLMSettings

        if v is None:
            return None
        if "model" in v and not isinstance(v["model"], str):
            raise ValueError(
                "model: a sweep spec names its model as a string, 'PROVIDER:MODEL' or "
                f"'scripted[:options]', so that it can be saved and hashed. Got {v['model']!r} instead."
            )
        try:
            return LLMSettings().replace(**v).to_dict()
        except PlurisimError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _llm_needs_negotiation(self) -> SweepSpec:
        """``llm`` needs a negotiative mechanism whose stakeholders are groups."""
        if self.llm is None:
            return self
        names = [m.name for m in self.mechanisms]
        if "negotiative" not in names:
            raise ValueError(
                "llm: the LLM settings apply to the negotiative mechanism only, and this sweep "
                f"runs none (mechanisms: {', '.join(names)}); add negotiative or remove llm"
            )
        for k, m in enumerate(self.mechanisms):
            if m.name == "negotiative" and m.params.get("stakeholders", "groups") != "groups":
                raise ValueError(
                    f"llm: LLM agents speak for groups, but mechanisms[{k}].params.stakeholders "
                    f"is {m.params['stakeholders']!r}; use 'groups' or remove llm"
                )
        others = [v for v in self.grid.get("stakeholders", []) if v != "groups"]
        if others:
            raise ValueError(
                f"llm: LLM agents speak for groups, but grid.stakeholders lists {others[0]!r}; "
                "use 'groups' or remove llm"
            )
        return self

    @model_validator(mode="after")
    def _known(self) -> SweepSpec:
        """Every mechanism, parameter and grid value checked against the registry."""
        from plurisim import registry

        infos = []
        for k, m in enumerate(self.mechanisms):
            try:
                info = registry.get(m.name)
                info.resolve(m.params)
            except PlurisimError as exc:
                raise ValueError(f"mechanisms[{k}]: {exc}") from None
            infos.append(info)
        fields = scenario_fields(self)
        for key, values in self.grid.items():
            takers = [i for i in infos if i.param(key) is not None]
            field = fields.get(key)
            if not takers and field is None:
                allowed = sorted({p.name for i in infos for p in i.params} | set(fields))
                raise ValueError(
                    f"grid.{key}: no mechanism or scenario field of this sweep takes {key!r}; "
                    f"allowed: {', '.join(allowed)}"
                )
            for value in values:
                try:
                    for info in takers:
                        spec = info.param(key)
                        assert spec is not None
                        spec.validate(value, info.name)
                    if field is not None:
                        field.validate(value, "the scenario")
                except PlurisimError as exc:
                    raise ValueError(f"grid.{key}: {exc}") from None
        return self

    def seed_list(self) -> list[Any]:
        """One seed per index: the explicit integers, or SeedSequence children of ``root``."""
        import numpy as np

        if isinstance(self.seeds, list):
            return list(self.seeds)
        return list(np.random.SeedSequence(self.seeds.root).spawn(self.seeds.count))

    def combinations(self, mechanism: str) -> list[dict[str, Any]]:
        """The distinct grid points that matter to ``mechanism`` (its own parameters)."""
        from plurisim import registry

        info = registry.get(mechanism)
        keys = [k for k in self.grid if info.param(k) is not None]
        return _product(self.grid, keys)

    def scenario_points(self) -> list[dict[str, Any]]:
        """The distinct grid points of scenario fields (``budget``, generator settings)."""
        fields = scenario_fields(self)
        keys = [k for k in self.grid if k in fields]
        return _product(self.grid, keys)

    def digest(self, scenario_digests: list[str]) -> str:
        """A hash of the spec and of the exact scenarios it runs on.

        A spec without ``llm`` hashes as it did before ``llm`` existed, so that its
        results folders stay resumable.
        """
        spec = self.model_dump(mode="json", exclude={"llm"} if self.llm is None else None)
        doc = {"spec": spec, "scenarios": scenario_digests}
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _product(grid: Mapping[str, list[Any]], keys: list[str]) -> list[dict[str, Any]]:
    return [
        dict(zip(keys, values, strict=True))
        for values in itertools.product(*(grid[k] for k in keys))
    ]


def _listed_twice(values: list[Any]) -> tuple[Any] | None:
    """The first value listed twice (as a 1-tuple), comparing 10 and 10.0 as equal."""

    def canonical(x: Any) -> Any:
        if isinstance(x, float) and x.is_integer():
            return int(x)
        if isinstance(x, dict):
            return {str(k): canonical(y) for k, y in x.items()}
        if isinstance(x, list | tuple):
            return [canonical(y) for y in x]
        return x

    seen: set[str] = set()
    for value in values:
        key = json.dumps(canonical(value), sort_keys=True, default=str)
        if key in seen:
            return (value,)
        seen.add(key)
    return None


def scenario_fields(spec: SweepSpec) -> dict[str, Any]:
    """The scenario fields a grid of this spec may vary: budget, and the generator's."""
    from plurisim import registry
    from plurisim.scenarios.generate import GENERATOR_PARAMS

    out = {p.name: p for p in registry.SCENARIO_FIELDS}
    if any(s.generate is not None for s in spec.scenarios):
        out.update({p.name: p for p in GENERATOR_PARAMS})
    return out


def load_spec(
    source: str | os.PathLike[str] | Mapping[str, Any] | SweepSpec,
) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep spec; returns it with the folder paths are relative to.

    Raises
    ------
    SpecError
        With the file, the field and what is allowed.
    """
    if isinstance(source, SweepSpec):
        return source, Path.cwd()
    if isinstance(source, Mapping):
        data, where, base = dict(source), "<spec>", Path.cwd()
    else:
        path = Path(source)
        where = str(source)
        try:
            data = load_yaml(read_text(path, what="sweep spec"), source=where)
        except InputError as exc:
            raise SpecError.wrap(exc) from None
        if not isinstance(data, dict):
            raise SpecError(
                f"{where}: a sweep spec is a mapping with scenarios, mechanisms, grid and seeds"
            )
        base = path.resolve().parent
        data.setdefault("name", path.stem)
    try:
        return SweepSpec.model_validate(data), base
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        names = (ScenarioSpec.__name__, MechanismSpec.__name__, SeedSpec.__name__)
        loc = ".".join(str(p) for p in strip_union_tags(err["loc"], names))
        msg = str(err["msg"]).removeprefix("Value error, ")
        text = f"{loc}: {msg}" if loc else msg
        if err["type"] not in ("value_error",) and "input" in err:
            text += f"; got {err['input']!r}"
        raise SpecError(f"{where}: {text}") from None
