"""The scenario file's schema: pydantic models of criteria, groups, interventions, designs.

A scenario describes who negotiates (groups with value vectors), over what
(interventions with costs and effects on criteria) and under which budget. It is
the user-facing contract of plurisim: a YAML file with a ``schema_version``.

Examples
--------
>>> from plurisim.scenario import Scenario
>>> s = Scenario.from_yaml('''
... schema_version: 1
... name: tiny
... title: A tiny example
... criteria: [{id: comfort, scale: [1, 5]}]
... groups: [{id: everyone, size: 3, weights: {comfort: 1}, baseline: {comfort: 2}}]
... interventions: [{id: bench, cost: 10, effects: {comfort: 1.5}}]
... budget: 10
... ''')
>>> s.group_ids
['everyone']
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from plurisim.errors import InputError, ScenarioError
from plurisim.files import dump_yaml, load_yaml
from plurisim.scenario.checks import WEIGHT_SUM_TOL, semantic_problems, values_to_weights
from plurisim.scenario.messages import validation_error
from plurisim.values import normalize
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    StringConstraints,
    ValidationError,
    model_validator,
)

if TYPE_CHECKING:  # SciPy's sparse arrays load only with ballots
    from plurisim.ballots import Ballots

__all__ = [
    "SCHEMA_VERSION",
    "BaseDesign",
    "Criterion",
    "Group",
    "Intervention",
    "NegotiationDefaults",
    "Provenance",
    "Scenario",
    "Source",
    "UtilitySpec",
    "ValueSpec",
    "ValueToCriteria",
    "scenario_json_schema",
]

SCHEMA_VERSION = 1

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=80),
]
# Numbers are strict (a string "0.5" or a boolean is not a number) and bounded, so
# that sums of costs and effects stay finite.
LIMIT = 1e12
Finite = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-LIMIT, le=LIMIT)]
NonNegative = Annotated[float, Strict(), Field(ge=0, le=LIMIT, allow_inf_nan=False)]
Count = Annotated[int, Strict(), Field(ge=1, le=10_000_000)]
ConcessionName = Literal["boulware", "linear", "conceder"]


class _Model(BaseModel):
    # defer_build: a model's validator is built on first use, so importing the schema
    # does not build each nested model again on its own: importing it takes about 40 ms
    # less, the first validation about 25-40 ms more, about 15 ms less in all.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


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
    size: Count = 1
    weights: dict[str, NonNegative] | None = None
    values: ValueSpec | None = None
    baseline: dict[str, Finite]
    svo_angle: Annotated[float, Strict(), Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    concession: ConcessionName | Annotated[float, Strict(), Field(gt=0, le=100)] | None = None
    dispersion: Annotated[float, Strict(), Field(gt=0, le=LIMIT, allow_inf_nan=False)] | None = None

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

    rounds: Annotated[int, Strict(), Field(ge=1, le=1000)] = 20
    quorum: Annotated[float, Strict(), Field(gt=0, le=1)] = 1.0
    patience: Annotated[int, Strict(), Field(ge=1, le=1000)] | None = None
    eta: Annotated[float, Strict(), Field(gt=0, le=100)] = 1.0
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
    :func:`scenario_json_schema` for every field. A scenario built from real ballots
    (a Pabulib ``.pb`` file) also carries its voters' utilities, privately: see
    :attr:`ballots` and :meth:`with_ballots`.
    """

    _ballots: Ballots | None = PrivateAttr(default=None)
    _ballot_notes: tuple[str, ...] = PrivateAttr(default=())
    _origin: dict[str, Any] | None = PrivateAttr(default=None)

    schema_version: Annotated[int, Strict()]
    name: Id
    title: str
    description: str = ""
    criteria: list[Criterion] = Field(min_length=1)
    groups: list[Group] = Field(min_length=1)
    interventions: list[Intervention] = Field(min_length=1)
    budget: Annotated[float, Strict(), Field(gt=0, le=LIMIT, allow_inf_nan=False)]
    base_designs: list[BaseDesign] = Field(default_factory=list)
    value_to_criteria: ValueToCriteria | None = None
    utility: UtilitySpec = Field(default_factory=UtilitySpec)
    negotiation: NegotiationDefaults = Field(default_factory=NegotiationDefaults)
    provenance: Provenance = Field(default_factory=Provenance)
    normalize_weights: bool = Field(
        default=False,
        description="rescale each group's weights to sum to 1 (otherwise they must, within 1e-3)",
    )

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
        problems = semantic_problems(self)
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

    @property
    def ballots(self) -> Ballots | None:
        """The voters' ballot utilities, for a scenario built from real ballots (else None)."""
        return self._ballots

    @property
    def origin(self) -> dict[str, Any] | None:
        """How to rebuild a ballot scenario (its file and options), or None."""
        return None if self._origin is None else dict(self._origin)

    def with_ballots(
        self,
        ballots: Ballots,
        *,
        notes: tuple[str, ...] = (),
        origin: Mapping[str, Any] | None = None,
    ) -> Scenario:
        """This scenario carrying voters' ballots (one row per voter of its groups).

        Its one criterion is each voter's ballot utility; ``ballots.voter_group``
        indexes :attr:`groups`, and each group's ``size`` is its number of voters.

        Raises
        ------
        ScenarioError
            If the ballots do not fit the scenario's interventions and groups.

        Examples
        --------
        >>> from scipy import sparse
        >>> from plurisim.ballots import Ballots
        >>> s = Scenario.from_yaml('''
        ... schema_version: 1
        ... name: two-voters
        ... title: Two voters
        ... criteria: [{id: utility}]
        ... groups: [{id: all, size: 2, weights: {utility: 1}, baseline: {utility: 0}}]
        ... interventions: [{id: bench, cost: 1, group_effects: {all: {utility: 0.5}}}]
        ... budget: 1
        ... ''')
        >>> b = Ballots(sparse.csr_array([[1.0], [0.0]]), [0, 0], [1.0], "approval-cardinality")
        >>> s.with_ballots(b).ballots.n_voters, s.ballots is None
        (2, True)
        >>> s.with_ballots(Ballots(sparse.csr_array([[1.0]]), [0], [1.0], "x"))
        Traceback (most recent call last):
        ...
        plurisim.errors.ScenarioError: two-voters: ballots of 1 voters over 1 projects do not fit a scenario of 1 interventions, one criterion and groups of sizes [2]
        """
        n, m = ballots.utilities.shape
        sizes = np.bincount(ballots.voter_group, minlength=len(self.groups))
        if (
            m != len(self.interventions)
            or sizes.size != len(self.groups)
            or any(int(k) != g.size for k, g in zip(sizes, self.groups, strict=True))
            or len(self.criteria) != 1
        ):
            raise ScenarioError(
                f"{self.name}: ballots of {n} voters over {m} projects do not fit a scenario "
                f"of {len(self.interventions)} interventions, one criterion and groups of "
                f"sizes {[g.size for g in self.groups]}",
                source=self.name,
            )
        out = self.model_copy()
        out._ballots = ballots
        out._ballot_notes = tuple(notes)
        out._origin = None if origin is None else dict(origin)
        return out

    def notes(self) -> list[str]:
        """What was adjusted on the way in (weights rescaled with ``normalize_weights``,
        and for ballots what a reader of the data file should know)."""
        out = list(self._ballot_notes)
        if self.normalize_weights:
            for i, g in enumerate(self.groups):
                if g.weights is not None:
                    total = sum(g.weights.values())
                    if abs(total - 1.0) > WEIGHT_SUM_TOL:
                        out.append(
                            f"groups[{i}].weights: summed to {total:g}; rescaled to sum to 1 "
                            "(normalize_weights: true)"
                        )
        return out

    def group_weights(self) -> np.ndarray:
        """Criteria weights of every group, shape (n_groups, n_criteria), rows sum to 1."""
        crit = self.criterion_ids
        rows = []
        for g in self.groups:
            if g.weights is not None:
                rows.append(normalize([g.weights.get(c, 0.0) for c in crit]))
            else:
                assert g.values is not None
                rows.append(values_to_weights(self, g.values))
        return np.vstack(rows)

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<string>") -> Scenario:
        """Parse and validate a scenario from YAML text.

        Raises
        ------
        ScenarioError
            With the source, the field path, the bad value and what is allowed.
        """
        try:
            data = load_yaml(text, source=source)
        except InputError as exc:
            raise ScenarioError.wrap(exc) from None
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
            raise validation_error(exc, source, MODELS) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain data, ready for YAML or JSON; round-trips through :meth:`from_dict`."""
        return self.model_dump(mode="json", exclude_defaults=False)

    def to_yaml(self) -> str:
        """The scenario as YAML text."""
        return dump_yaml(self.to_dict())

    def digest(self) -> str:
        """A SHA-256 of the scenario's canonical JSON (and ballots), identifying its content."""
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        if self._ballots is not None:
            blob += "|ballots:" + self._ballots.digest()
        return hashlib.sha256(blob.encode()).hexdigest()

    def with_budget(self, budget: float) -> tuple[Scenario, list[str]]:
        """The scenario with another budget, and the base designs it had to drop.

        A base design that no longer fits the budget drops out (a design must fit);
        the returned list names them so a caller can say so.

        Examples
        --------
        >>> from plurisim import scenarios
        >>> s, dropped = scenarios.load("toy-park").with_budget(150)
        >>> s.budget, dropped
        (150.0, ['green', 'active'])
        """
        data = self.to_dict()
        data["budget"] = budget
        cost = {i.id: i.cost for i in self.interventions}
        keep: list[dict[str, Any]] = []
        dropped: list[dict[str, Any]] = []
        for design in data.get("base_designs", []):
            spent = sum(cost[i] for i in set(design["interventions"]))
            (keep if spent <= budget * (1 + 1e-12) else dropped).append(design)
        data["base_designs"] = keep
        out = type(self).from_dict(data, source=f"{self.name} (budget {budget:g})")
        if self._ballots is not None:
            origin = None if self._origin is None else {**self._origin, "budget": budget}
            out = out.with_ballots(self._ballots, notes=self._ballot_notes, origin=origin)
        return out, [d["id"] for d in dropped]

    def base_design_cost(self, design: BaseDesign) -> float:
        """Total cost of a base design."""
        cost = {i.id: i.cost for i in self.interventions}
        return float(sum(cost[i] for i in design.interventions))


MODELS: tuple[type[BaseModel], ...] = (
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
