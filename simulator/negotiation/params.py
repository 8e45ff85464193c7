"""The negotiation's parameters, declared once as data, and their resolution.

:data:`NEGOTIATION_PARAMS` declares every setting (name, type, default, range,
help); the mechanism registry, the command line, sweeps and the app read it.
:meth:`NegotiationParams.resolve` fills defaults (the scenario's, where it has
them), validates every value and expands per-group settings.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> prm = NegotiationParams.resolve(p, rounds=5, svo={"youth": 45})
>>> prm.rounds, prm.protocol, prm.information, prm.svo
(5, 'mediated', 'private', (35.0, 25.0, 45.0))
>>> NegotiationParams.resolve(p, protocol="auction")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'protocol' parameter of negotiate must be one of 'mediated', 'single-text', 'alternating-offers'. Got 'auction' instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from plurisim.errors import ParameterError
from plurisim.mechanisms import DISAGREEMENT
from plurisim.params import Param, resolve_params
from plurisim.problem import Problem
from plurisim.validation import check_real

__all__ = [
    "CONCESSION_EXPONENTS",
    "NEGOTIATION_PARAMS",
    "PROTOCOLS",
    "Deliberation",
    "NegotiationParams",
    "concession_exponent",
]

OWNER = "negotiate"
PROTOCOLS = ("mediated", "single-text", "alternating-offers")
# Aspiration a(t) = phi + (1 - phi)(1 - (t / R) ** (1 / e)): e < 1 concedes late
# (Boulware), e > 1 early (conceder).
CONCESSION_EXPONENTS = {"boulware": 0.4, "linear": 1.0, "conceder": 2.5}


def concession_exponent(style: str | float, owner: str = OWNER) -> float:
    """The exponent ``e`` of a concession style name or number.

    Examples
    --------
    >>> concession_exponent("boulware"), concession_exponent(3)
    (0.4, 3.0)
    >>> concession_exponent("stubborn")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'concession' parameter of negotiate must be one of 'boulware', 'linear', 'conceder' or a number in (0, 100]. Got 'stubborn' instead.
    """
    if isinstance(style, str):
        if style not in CONCESSION_EXPONENTS:
            raise ParameterError(
                f"The 'concession' parameter of {owner} must be one of 'boulware', 'linear', "
                f"'conceder' or a number in (0, 100]. Got {style!r} instead."
            )
        return CONCESSION_EXPONENTS[style]
    return check_real(style, "concession", owner, low=0, high=100, closed="right")


@dataclass(frozen=True)
class Deliberation:
    """Settings of deliberation on a social graph between rounds.

    Parameters
    ----------
    degree_in, degree_out : float
        Expected number of neighbours inside and outside one's group in the default
        stochastic block model (homophily: ``degree_in > degree_out``).
    stubbornness : float in [0, 1]
        Friedkin-Johnsen anchoring of values to their initial state.
    belief_noise : float >= 0
        Spread of the initial beliefs about how well each intervention works (log
        scale; the truth is 1).
    graph : networkx.Graph, optional
        Any graph over the individuals (nodes 0..n-1) instead of the default.
    """

    degree_in: float = 8.0
    degree_out: float = 0.5
    stubbornness: float = 0.6
    belief_noise: float = 0.5
    graph: Any = None

    def check(self, n: int) -> None:
        """Validate against ``n`` individuals."""
        owner = "deliberation"
        check_real(self.degree_in, "degree_in", owner, low=0, high=1e6)
        check_real(self.degree_out, "degree_out", owner, low=0, high=1e6)
        check_real(self.stubbornness, "stubbornness", owner, low=0, high=1)
        check_real(self.belief_noise, "belief_noise", owner, low=0, high=10)
        if self.graph is not None:
            nodes = set(self.graph.nodes)
            if nodes != set(range(n)):
                raise ParameterError(
                    f"The deliberation graph must have the individuals 0..{n - 1} as nodes; "
                    f"it has {len(nodes)} nodes."
                )


def _deliberation(value: Any, owner: str) -> Deliberation | None:
    if value is None or value is False:
        return None
    if value is True:
        return Deliberation()
    if isinstance(value, Deliberation):
        return value
    if isinstance(value, Mapping):
        known = {f.name for f in fields(Deliberation)}
        unknown = [k for k in value if k not in known]
        if unknown:
            raise ParameterError(
                f"The 'deliberation' parameter of {owner} has no setting {unknown[0]!r}; "
                f"settings: {', '.join(sorted(known))}."
            )
        return Deliberation(**value)
    raise ParameterError(
        f"The 'deliberation' parameter of {owner} must be true, false, a mapping of "
        f"settings or a Deliberation. Got {value!r} instead."
    )


def _per_group(value: Any, owner: str) -> Any:
    """Accept one value, a sequence (one per group) or a mapping of group id to value."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Sequence | Mapping):
        raise ParameterError(
            f"The value must be one value, one per group or a mapping of group id to "
            f"value (for {owner}). Got {value!r} instead."
        )
    return value


NEGOTIATION_PARAMS: tuple[Param, ...] = (
    Param(
        "protocol",
        "mediated",
        "how offers are made: the mediator proposes and prices demands, mutates one "
        "text, or stakeholders take turns offering",
        kind="str",
        choices=PROTOCOLS,
    ),
    Param(
        "information",
        "private",
        "'private': the mediator sees only public data and what stakeholders say; "
        "'public': it knows every weight (the full-information benchmark)",
        kind="str",
        choices=("private", "public"),
    ),
    DISAGREEMENT,
    Param(
        "rounds",
        None,
        "bargaining rounds before the disagreement point stands (the scenario's, else 20)",
        kind="int",
        low=1,
        high=1000,
        nullable=True,
    ),
    Param(
        "quorum",
        None,
        "share of the population whose acceptance is an agreement (the scenario's, else 1)",
        low=0,
        high=1,
        closed="right",
        nullable=True,
    ),
    Param(
        "patience",
        None,
        "stop without agreement after this many rounds without change",
        kind="int",
        low=1,
        high=1000,
        nullable=True,
    ),
    Param(
        "aspiration_floor",
        0.0,
        "the satisfaction aspirations concede to by the last round (phi)",
        low=0,
        high=1,
        closed="left",
    ),
    Param(
        "acceptance",
        "weak",
        "accept only packages at least as good as the disagreement point ('weak') or "
        "strictly better for every group that can gain ('strict')",
        kind="str",
        choices=("weak", "strict"),
    ),
    Param(
        "eta",
        None,
        "how fast the mediator's weights follow rejecting stakeholders' shortfalls",
        low=0,
        high=100,
        closed="right",
        nullable=True,
    ),
    Param(
        "stakeholders",
        None,
        "one agent per group, or one per individual (the scenario's, else groups)",
        kind="str",
        choices=("groups", "individuals"),
        nullable=True,
    ),
    Param(
        "concession",
        None,
        "'boulware', 'linear', 'conceder' or an exponent, for all groups, per group or "
        "by group id (the scenario's, else linear)",
        kind="any",
        nullable=True,
        check=_per_group,
        allowed="a style or an exponent, one per group, or a mapping of group id to one",
    ),
    Param(
        "concession_jitter",
        0.2,
        "each stakeholder's exponent is multiplied by exp(jitter * N(0, 1))",
        low=0,
        high=5,
    ),
    Param(
        "svo",
        None,
        "SVO angles in degrees, for all groups, per group or by group id (the scenario's, else 0)",
        kind="any",
        nullable=True,
        check=_per_group,
        allowed="an angle, one per group, or a mapping of group id to an angle",
    ),
    Param("svo_sd", 0.0, "spread of individuals' angles around their group's", low=0, high=180),
    Param(
        "max_demands",
        8,
        "distinct demands the mediator prices per round",
        kind="int",
        low=0,
        high=10_000,
    ),
    Param(
        "temperature",
        0.1,
        "single-text: initial tolerance for a worse text, in satisfaction units "
        "(decays to 0 by the last round; 0 is a hill-climber)",
        low=0,
        high=10,
    ),
    Param(
        "mutations",
        5,
        "single-text: mutations of the text voted on per round",
        kind="int",
        low=1,
        high=1000,
    ),
    Param(
        "improvements",
        3,
        "Pareto improvements the mediator may propose after agreement (0: none)",
        kind="int",
        low=0,
        high=100,
    ),
    Param(
        "engine",
        "auto",
        "enumerate every feasible package or solve MILPs",
        kind="str",
        choices=("auto", "enumerate", "milp"),
    ),
    Param("time_limit", 10.0, "seconds per MILP (large problems only)", low=0, closed="right"),
    Param(
        "deliberation",
        None,
        "deliberation on a social graph between rounds (needs individuals): true or "
        "settings such as {stubbornness: 0.6}",
        kind="any",
        nullable=True,
        check=_deliberation,
        allowed="true, false or a mapping of deliberation settings",
        const="true",
    ),
    Param(
        "ideal_samples",
        2,
        "beyond enumeration: members per group whose ideal package is solved exactly",
        kind="int",
        low=1,
        high=10_000,
    ),
)
"""Every parameter of the negotiation, in the order ``--help`` shows them."""


@dataclass(frozen=True)
class NegotiationParams:
    """Every setting of one negotiation, resolved (see :data:`NEGOTIATION_PARAMS`)."""

    protocol: str = "mediated"
    information: str = "private"
    disagreement: str = "best-base-design"
    rounds: int = 20
    quorum: float = 1.0
    patience: int | None = None
    aspiration_floor: float = 0.0
    acceptance: str = "weak"
    eta: float = 1.0
    stakeholders: str = "groups"
    concession: tuple[float, ...] = ()
    concession_jitter: float = 0.2
    svo: tuple[float, ...] = ()
    svo_sd: float = 0.0
    max_demands: int = 8
    temperature: float = 0.1
    mutations: int = 5
    improvements: int = 3
    engine: str = "auto"
    time_limit: float = 10.0
    deliberation: Deliberation | None = None
    ideal_samples: int = 2

    @classmethod
    def resolve(cls, problem: Problem, **given: Any) -> NegotiationParams:
        """Fill defaults (the scenario's first), validate everything, expand per-group values."""
        raw = resolve_params(OWNER, NEGOTIATION_PARAMS, given, who=OWNER)
        defaults = problem.defaults
        for name, fallback in (
            ("rounds", 20),
            ("quorum", 1.0),
            ("eta", 1.0),
            ("stakeholders", "groups"),
        ):
            if raw[name] is None:
                raw[name] = defaults.get(name, fallback)
        if raw["patience"] is None:
            raw["patience"] = defaults.get("patience")
        raw["concession"] = tuple(
            concession_exponent(s) for s in _expand(raw["concession"], problem, "concession")
        )
        raw["svo"] = tuple(
            check_real(a, "svo", OWNER, low=-180, high=180)
            for a in _expand(raw["svo"], problem, "svo")
        )
        delib = raw["deliberation"]
        if delib is not None:
            if raw["stakeholders"] != "individuals":
                raise ParameterError(
                    "Deliberation happens among individuals: pass stakeholders='individuals' "
                    "together with deliberation."
                )
            delib.check(problem.n_individuals)
        return cls(**raw)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the graph of a custom deliberation is summarized)."""
        out = asdict(self)
        if self.deliberation is not None:
            d = dict(out["deliberation"])
            d["graph"] = None if self.deliberation.graph is None else "custom"
            out["deliberation"] = d
        out["concession"] = list(self.concession)
        out["svo"] = list(self.svo)
        return out


def _scenario_default(problem: Problem, name: str) -> list[Any]:
    g_n = problem.n_groups
    if name == "svo":
        angles = problem.svo_angles if problem.svo_angles is not None else np.full(g_n, np.nan)
        return [0.0 if math.isnan(a) else float(a) for a in angles]
    return list(problem.concession) or ["linear"] * g_n


def _expand(value: Any, problem: Problem, name: str) -> list[Any]:
    """One value per group from a single value, a sequence or a mapping by group id."""
    g_n = problem.n_groups
    base = _scenario_default(problem, name)
    if value is None:
        return base
    if isinstance(value, str | int | float):
        return [value] * g_n
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in problem.groups]
        if unknown:
            raise ParameterError(
                f"The {name!r} parameter of {OWNER} names unknown group {unknown[0]!r}; "
                f"groups: {', '.join(problem.groups)}."
            )
        return [value.get(g, base[i]) for i, g in enumerate(problem.groups)]
    if isinstance(value, Sequence) and len(value) == g_n:
        return list(value)
    raise ParameterError(
        f"The {name!r} parameter of {OWNER} must be one value, one per group "
        f"({g_n}), or a mapping of group id to value. Got {value!r} instead."
    )
