"""Scenario files: the pydantic schema, safe YAML loading, and compilation to arrays.

A scenario describes who negotiates (groups with value vectors), over what
(interventions with costs and effects on criteria) and under which budget. It is
the user-facing contract of plurisim: a YAML file with a ``schema_version``. This
module validates such files with messages that name the file, the field, the bad
value and what is allowed; :func:`compile` turns a scenario into the numeric
:class:`~plurisim.problem.Problem` every solver works on.

Examples
--------
>>> from plurisim.scenario import Scenario, compile
>>> s = Scenario.from_yaml('''
... schema_version: 1
... name: tiny
... title: A tiny example
... criteria: [{id: comfort, scale: [1, 5]}]
... groups: [{id: everyone, size: 3, weights: {comfort: 1}, baseline: {comfort: 2}}]
... interventions: [{id: bench, cost: 10, effects: {comfort: 1.5}}]
... budget: 10
... ''')
>>> compile(s).group_utilities([1])
array([3.5])
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from plurisim.errors import ParameterError, ScenarioError
from plurisim.problem import Problem
from plurisim.validation import strip_union_tags
from plurisim.values import get_space, normalize, value_to_criteria
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

__all__ = [
    "SCHEMA_VERSION",
    "BaseDesign",
    "Criterion",
    "Group",
    "Intervention",
    "NegotiationDefaults",
    "Provenance",
    "Scenario",
    "ValueSpec",
    "ValueToCriteria",
    "compile",
    "load_scenario",
    "scenario_json_schema",
]

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 20_000_000

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=80),
]
Finite = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
ConcessionName = Literal["boulware", "linear", "conceder"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Criterion(_Model):
    """A criterion stakeholders rate outcomes on, such as accessibility."""

    id: Id
    label: str | None = None
    description: str = ""
    scale: tuple[Finite, Finite] | None = Field(
        default=None, description="[min, max] of the rating scale; max is the cap."
    )

    @model_validator(mode="after")
    def _scale_order(self) -> Criterion:
        if self.scale is not None and not self.scale[0] < self.scale[1]:
            raise ValueError(
                f"scale: the minimum must be below the maximum; got {list(self.scale)}"
            )
        return self

    @property
    def name(self) -> str:
        """The label, or the id made readable."""
        return self.label or self.id.replace("_", " ").capitalize()


class ValueSpec(_Model):
    """A group's values as a vector over a value space (instead of criteria weights)."""

    space: str = Field(description="schwartz10, valuelex, mft, or criteria")
    vector: dict[str, NonNegative]


class Group(_Model):
    """A stakeholder group: size, what it values, and how things stand for it today."""

    id: Id
    label: str | None = None
    description: str = ""
    size: Annotated[int, Field(ge=1, le=10_000_000)] = 1
    weights: dict[str, NonNegative] | None = None
    values: ValueSpec | None = None
    baseline: dict[str, Finite]
    svo_angle: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    concession: ConcessionName | Annotated[float, Field(gt=0, le=100)] | None = None
    dispersion: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None

    @property
    def name(self) -> str:
        """The label, or the id made readable."""
        return self.label or self.id.replace("_", " ").capitalize()


class Intervention(_Model):
    """Something that can be funded: a cost and its effect on each criterion."""

    id: Id
    label: str | None = None
    description: str = ""
    category: str | None = None
    cost: NonNegative
    effects: dict[str, Finite] = Field(default_factory=dict)
    group_effects: dict[str, dict[str, Finite]] = Field(default_factory=dict)
    excludes: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)

    @property
    def name(self) -> str:
        """The label, or the id made readable."""
        return self.label or self.id.replace("_", " ").capitalize()


class BaseDesign(_Model):
    """A ready-made package of interventions, such as a designer's proposal."""

    id: Id
    label: str | None = None
    description: str = ""
    interventions: list[str]

    @property
    def name(self) -> str:
        """The label, or the id made readable."""
        return self.label or self.id.replace("_", " ").capitalize()


class ValueToCriteria(_Model):
    """How much each value of a space cares about each criterion (non-negative)."""

    space: str
    matrix: dict[str, dict[str, NonNegative]]


class NegotiationDefaults(_Model):
    """Default settings of the negotiation protocol for this scenario."""

    rounds: Annotated[int, Field(ge=1, le=1000)] = 20
    quorum: Annotated[float, Field(gt=0, le=1)] = 1.0
    patience: Annotated[int, Field(ge=1, le=1000)] | None = None
    eta: Annotated[float, Field(gt=0, le=100)] = 1.0
    stakeholders: Literal["groups", "individuals"] = "groups"


class Source(_Model):
    """A cited source of the numbers in a scenario."""

    title: str
    url: str | None = None
    license: str | None = None
    note: str = ""


class Provenance(_Model):
    """Where a scenario's numbers come from."""

    sources: list[Source | str] = Field(default_factory=list)
    license: str | None = None
    derived_by: str | None = None
    notes: str = ""


class UtilitySpec(_Model):
    """The utility model; one is defined: capped additive levels, weighted."""

    model: Literal["capped-additive"] = "capped-additive"


class Scenario(_Model):
    """A negotiation scenario, as read from a YAML file (``schema_version: 1``).

    See the README section "Writing a scenario file" and
    :func:`scenario_json_schema` for every field.
    """

    schema_version: int
    name: Id
    title: str
    description: str = ""
    criteria: list[Criterion] = Field(min_length=1)
    groups: list[Group] = Field(min_length=1)
    interventions: list[Intervention] = Field(min_length=1)
    budget: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    base_designs: list[BaseDesign] = Field(default_factory=list)
    value_to_criteria: ValueToCriteria | None = None
    utility: UtilitySpec = Field(default_factory=UtilitySpec)
    negotiation: NegotiationDefaults = Field(default_factory=NegotiationDefaults)
    provenance: Provenance = Field(default_factory=Provenance)

    @model_validator(mode="before")
    @classmethod
    def _version_first(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "schema_version" in data:
            v = data["schema_version"]
            if v != SCHEMA_VERSION or isinstance(v, bool):
                raise ValueError(
                    f"schema_version: unknown version {v!r}; this plurisim reads "
                    f"schema_version {SCHEMA_VERSION}"
                )
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = _semantic_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    # -- convenience ---------------------------------------------------------

    @property
    def criterion_ids(self) -> list[str]:
        """Criterion ids in file order."""
        return [c.id for c in self.criteria]

    @property
    def group_ids(self) -> list[str]:
        """Group ids in file order."""
        return [g.id for g in self.groups]

    @property
    def intervention_ids(self) -> list[str]:
        """Intervention ids in file order."""
        return [i.id for i in self.interventions]

    def group_weights(self) -> np.ndarray:
        """Criteria weights of every group, shape (n_groups, n_criteria), rows sum to 1."""
        crit = self.criterion_ids
        rows = []
        for g in self.groups:
            if g.weights is not None:
                rows.append(normalize([g.weights.get(c, 0.0) for c in crit]))
            else:
                assert g.values is not None
                rows.append(_values_to_weights(self, g.values))
        return np.vstack(rows)

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<string>") -> Scenario:
        """Parse and validate a scenario from YAML text.

        Raises
        ------
        ScenarioError
            With the source, the field path, the bad value and what is allowed.
        """
        data = _safe_yaml(text, source)
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<dict>") -> Scenario:
        """Validate a scenario from plain Python data (as parsed from YAML or JSON)."""
        if data is None:
            raise ScenarioError(
                f"{source}: the file is empty; a scenario needs fields", source=source
            )
        if not isinstance(data, Mapping):
            raise ScenarioError(
                f"{source}: a scenario file must hold a mapping of fields at the top "
                f"level; got {type(data).__name__}",
                source=source,
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise _scenario_error(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain data, ready for YAML or JSON; round-trips through :meth:`from_dict`."""
        return self.model_dump(mode="json", exclude_defaults=False)

    def to_yaml(self) -> str:
        """The scenario as YAML text."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)

    def digest(self) -> str:
        """A SHA-256 of the scenario's canonical JSON, identifying its exact content."""
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def base_design_cost(self, design: BaseDesign) -> float:
        """Total cost of a base design."""
        cost = {i.id: i.cost for i in self.interventions}
        return float(sum(cost[i] for i in design.interventions))


def _semantic_problems(s: Scenario) -> list[str]:
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
            if all(v == 0 for v in g.weights.values()):
                out.append(f"{where}.weights: all weights are zero; at least one must be > 0")
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


def _values_to_weights(s: Scenario, spec: ValueSpec) -> np.ndarray:
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


# -- loading -------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing duplicate keys instead of keeping the last."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in out:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark
            )
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _safe_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = exc.problem or exc.context or "cannot parse"
        raise ScenarioError(f"{where}: YAML syntax error: {problem}", source=source) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source}: YAML syntax error: {exc}", source=source) from None


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or path-like
        A YAML (or JSON) file.

    Raises
    ------
    ScenarioError
        If the path does not exist, is not a file, cannot be read, or holds an
        invalid scenario.

    Examples
    --------
    >>> load_scenario("no/such/file.yaml")
    Traceback (most recent call last):
    ...
    plurisim.errors.ScenarioError: no/such/file.yaml: no such file
    """
    p = Path(path)
    src = str(path)
    if not p.exists():
        raise ScenarioError(f"{src}: no such file", source=src)
    if p.is_dir():
        raise ScenarioError(
            f"{src}: is a directory; give the path of a scenario file (.yaml)", source=src
        )
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"{src}: file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                "a scenario file is expected",
                source=src,
            )
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{src}: not a UTF-8 text file", source=src) from None
    except OSError as exc:
        raise ScenarioError(f"{src}: cannot read: {exc.strerror}", source=src) from None
    return Scenario.from_yaml(text, source=src)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _scenario_error(exc: ValidationError, source: str) -> ScenarioError:
    # Collect one message per field path; a field typed as a union yields one pydantic
    # error per alternative, which are joined into a single message.
    by_path: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for err in exc.errors(include_url=False):
        loc = strip_union_tags(err["loc"], (m.__name__ for m in _MODELS))
        path = _loc(loc)
        kind = err["type"]
        value = err.get("input")
        if kind == "value_error":
            # Our own cross-field checks: messages already start with the field path.
            text = str(err["msg"]).removeprefix("Value error, ")
            for line in text.split("\n"):
                key = path if path else line.split(":", 1)[0]
                by_path.setdefault(key, []).append(line if not path else f"{path}: {line}")
            continue
        if kind == "missing":
            text = "required field is missing"
        elif kind == "extra_forbidden":
            text = f"unknown field {loc[-1]!r}; allowed fields: {_allowed(loc[:-1])}"
        elif kind == "finite_number":
            text = "must be a finite number"
        else:
            text = f"{err['msg'][0].lower()}{err['msg'][1:]}"
        by_path.setdefault(path, []).append(text)
        values.setdefault(path, value)
    messages: list[str] = []
    for path, texts in by_path.items():
        if path in values:
            joined = "; or ".join(dict.fromkeys(texts))
            got = (
                ""
                if texts[0] == "required field is missing" or texts[0].startswith("unknown field")
                else f"; got {_show(values[path])}"
            )
            messages.append(f"{path}: {joined}{got}")
        else:
            messages.extend(texts)
    head = f"{source}: {messages[0]}"
    more = len(messages) - 1
    if more:
        head += "\n" + "\n".join(f"{source}: {m}" for m in messages[1:5])
        if more > 4:
            head += f"\n({more - 4} more problems)"
    return ScenarioError(head, source=source, field=next(iter(by_path), None))


def _show(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _allowed(parent: tuple[Any, ...]) -> str:
    model: type[BaseModel] = Scenario
    for part in parent:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            break
        ann = field.annotation
        inner = _first_model(ann)
        if inner is None:
            break
        model = inner
    return ", ".join(model.model_fields)


def _first_model(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _first_model(arg)
        if found is not None:
            return found
    return None


_MODELS: tuple[type[BaseModel], ...] = (
    Criterion,
    ValueSpec,
    Group,
    Intervention,
    BaseDesign,
    ValueToCriteria,
    NegotiationDefaults,
    Source,
    Provenance,
    UtilitySpec,
    Scenario,
)


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (what ``plurisim scenarios schema`` prints).

    Examples
    --------
    >>> scenario_json_schema()["title"]
    'Scenario'
    """
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["properties"]["schema_version"]["const"] = SCHEMA_VERSION
    return schema


# -- compilation ----------------------------------------------------------------


def compile(scenario: Scenario, seed: int | np.random.Generator | None = None) -> Problem:
    """Compile a scenario into the numeric :class:`~plurisim.problem.Problem`.

    Group weights come from ``weights`` (normalized) or from ``values`` through the
    scenario's ``value_to_criteria`` mapping. Each group contributes ``size``
    individuals: with ``dispersion`` their weights are drawn from a Dirichlet
    centred on the group's weights (concentration = dispersion); without it, every
    individual holds the group's weights.

    Parameters
    ----------
    scenario : Scenario
    seed : int, numpy Generator or None
        Seeds the draw of individuals' weights.

    Returns
    -------
    Problem

    Examples
    --------
    >>> from plurisim import scenarios
    >>> p = compile(scenarios.load("toy-park"), seed=0)
    >>> p.n_groups, p.n_interventions, p.budget
    (3, 6, 300.0)
    """
    rng = np.random.default_rng(seed)
    crit = scenario.criterion_ids
    groups = scenario.group_ids
    ivs = scenario.intervention_ids
    d, g_n, m = len(crit), len(groups), len(ivs)
    weights = scenario.group_weights()
    baseline = np.array([[g.baseline[c] for c in crit] for g in scenario.groups], dtype=float)
    effects = np.zeros((g_n, m, d))
    for j, iv in enumerate(scenario.interventions):
        for k, c in enumerate(crit):
            effects[:, j, k] = iv.effects.get(c, 0.0)
        for gid, eff in iv.group_effects.items():
            gi = groups.index(gid)
            for c, v in eff.items():
                effects[gi, j, crit.index(c)] = v
    caps = np.array(
        [c.scale[1] if c.scale is not None else np.inf for c in scenario.criteria], dtype=float
    )
    floors = np.array(
        [c.scale[0] if c.scale is not None else -np.inf for c in scenario.criteria], dtype=float
    )
    sizes = np.array([g.size for g in scenario.groups], dtype=np.int64)
    ind_w, ind_g = _sample_individuals(weights, sizes, [g.dispersion for g in scenario.groups], rng)
    idx = {i: n for n, i in enumerate(ivs)}
    excl = sorted(
        {tuple(sorted((idx[iv.id], idx[o]))) for iv in scenario.interventions for o in iv.excludes}
    )
    reqs = sorted({(idx[iv.id], idx[o]) for iv in scenario.interventions for o in iv.requires})
    designs = {}
    for b in scenario.base_designs:
        mask = np.zeros(m, dtype=bool)
        mask[[idx[i] for i in b.interventions]] = True
        designs[b.id] = mask
    return Problem(
        name=scenario.name,
        criteria=tuple(crit),
        groups=tuple(groups),
        interventions=tuple(ivs),
        costs=np.array([iv.cost for iv in scenario.interventions], dtype=float),
        budget=float(scenario.budget),
        baseline=baseline,
        effects=effects,
        weights=weights,
        caps=caps,
        floors=floors,
        sizes=sizes,
        exclusions=tuple((int(a), int(b)) for a, b in excl),
        requirements=tuple((int(a), int(b)) for a, b in reqs),
        base_designs=designs,
        individual_weights=ind_w,
        individual_group=ind_g,
        has_individuals=any(g.dispersion is not None for g in scenario.groups),
        svo_angles=np.array(
            [np.nan if g.svo_angle is None else g.svo_angle for g in scenario.groups], dtype=float
        ),
        concession=tuple(
            g.concession if g.concession is not None else "linear" for g in scenario.groups
        ),
        scenario=scenario,
    )


def _sample_individuals(
    weights: np.ndarray,
    sizes: np.ndarray,
    dispersion: list[float | None],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    blocks, owners = [], []
    for gi, (w, n, conc) in enumerate(zip(weights, sizes, dispersion, strict=True)):
        n = int(n)
        if conc is None:
            blocks.append(np.repeat(w[None, :], n, axis=0))
        else:
            support = w > 0
            draw = np.zeros((n, w.size))
            # Dirichlet needs positive concentrations: criteria a group gives no
            # weight stay at zero for each of its members.
            draw[:, support] = rng.dirichlet(conc * w[support], size=n)
            blocks.append(draw)
        owners.append(np.full(n, gi, dtype=np.int64))
    return np.vstack(blocks), np.concatenate(owners)
