"""Parameters of the negotiation protocol, validated in one place."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from plurisim.errors import ParameterError
from plurisim.problem import Problem
from plurisim.validation import check_choice, check_int, check_real

__all__ = ["CONCESSION_EXPONENTS", "NegotiationParams", "concession_exponent"]

OWNER = "negotiate"
# Aspiration a(t) = 1 - (t / R) ** (1 / e): e < 1 concedes late (Boulware), e > 1 early.
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


@dataclass(frozen=True)
class NegotiationParams:
    """Every setting of one negotiation (defaults from the scenario where it has them).

    See :func:`plurisim.negotiate` for what each one does.
    """

    rounds: int = 20
    quorum: float = 1.0
    patience: int | None = None
    eta: float = 1.0
    stakeholders: str = "groups"
    concession: tuple[float, ...] = ()
    concession_jitter: float = 0.2
    svo: tuple[float, ...] = ()
    svo_sd: float = 0.0
    max_demands: int = 8
    engine: str = "auto"
    time_limit: float = 10.0
    deliberation: Deliberation | None = None
    ideal_samples: int = 2
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def resolve(cls, problem: Problem, **kw: Any) -> NegotiationParams:
        """Fill defaults from the scenario, validate everything, expand per-group values."""
        defaults = problem.defaults
        g_n = problem.n_groups

        def pick(name: str, fallback: Any) -> Any:
            value = kw.pop(name, None)
            if value is None:
                value = defaults.get(name)
            return fallback if value is None else value

        rounds = check_int(pick("rounds", 20), "rounds", OWNER, low=1, high=1000)
        quorum = check_real(pick("quorum", 1.0), "quorum", OWNER, low=0, high=1, closed="right")
        patience_raw = kw.pop("patience", None)
        if patience_raw is None:
            patience_raw = defaults.get("patience")
        patience = (
            None
            if patience_raw is None
            else check_int(patience_raw, "patience", OWNER, low=1, high=1000)
        )
        eta = check_real(pick("eta", 1.0), "eta", OWNER, low=0, high=100, closed="right")
        stakeholders = check_choice(
            pick("stakeholders", "groups"), "stakeholders", OWNER, ("groups", "individuals")
        )

        concession_raw = kw.pop("concession", None)
        if concession_raw is None:
            styles: list[str | float] = list(problem.concession) or ["linear"] * g_n
        else:
            styles = _per_group(concession_raw, problem, "concession")
        concession = tuple(concession_exponent(s) for s in styles)
        jitter = check_real(
            kw.pop("concession_jitter", 0.2), "concession_jitter", OWNER, low=0, high=5
        )

        svo_raw = kw.pop("svo", None)
        if svo_raw is None:
            angles = problem.svo_angles if problem.svo_angles is not None else np.full(g_n, np.nan)
            svo = tuple(0.0 if math.isnan(a) else float(a) for a in angles)
        else:
            svo = tuple(float(a) for a in _per_group(svo_raw, problem, "svo"))
        for a in svo:
            check_real(a, "svo", OWNER, low=-180, high=180)
        svo_sd = check_real(kw.pop("svo_sd", 0.0), "svo_sd", OWNER, low=0, high=180)

        max_demands = check_int(kw.pop("max_demands", 8), "max_demands", OWNER, low=0, high=10_000)
        engine = check_choice(
            kw.pop("engine", "auto"), "engine", OWNER, ("auto", "enumerate", "milp")
        )
        time_limit = check_real(
            kw.pop("time_limit", 10.0), "time_limit", OWNER, low=0, closed="right"
        )
        ideal_samples = check_int(
            kw.pop("ideal_samples", 2), "ideal_samples", OWNER, low=1, high=10_000
        )

        delib = kw.pop("deliberation", None)
        deliberation: Deliberation | None
        if delib is None or delib is False:
            deliberation = None
        elif delib is True:
            deliberation = Deliberation()
        elif isinstance(delib, Deliberation):
            deliberation = delib
        elif isinstance(delib, Mapping):
            try:
                deliberation = Deliberation(**delib)
            except TypeError as exc:
                raise ParameterError(f"Unknown deliberation setting: {exc}.") from None
        else:
            raise ParameterError(
                "The 'deliberation' parameter of negotiate must be True, False, a mapping of "
                f"settings or a Deliberation. Got {delib!r} instead."
            )
        if deliberation is not None:
            if stakeholders != "individuals":
                raise ParameterError(
                    "Deliberation happens among individuals: pass stakeholders='individuals' "
                    "together with deliberation."
                )
            deliberation.check(problem.n_individuals)
        return cls(
            rounds=rounds,
            quorum=quorum,
            patience=patience,
            eta=eta,
            stakeholders=stakeholders,
            concession=concession,
            concession_jitter=jitter,
            svo=svo,
            svo_sd=svo_sd,
            max_demands=max_demands,
            engine=engine,
            time_limit=time_limit,
            deliberation=deliberation,
            ideal_samples=ideal_samples,
            extra=dict(kw),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the graph of a custom deliberation is summarized)."""
        out = asdict(self)
        out.pop("extra", None)
        if self.deliberation is not None:
            d = dict(out["deliberation"])
            d["graph"] = None if self.deliberation.graph is None else "custom"
            out["deliberation"] = d
        out["concession"] = list(self.concession)
        out["svo"] = list(self.svo)
        return out


def _per_group(value: Any, problem: Problem, name: str) -> list[Any]:
    g_n = problem.n_groups
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [value] * g_n
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in problem.groups]
        if unknown:
            raise ParameterError(
                f"The {name!r} parameter of negotiate names unknown group {unknown[0]!r}; "
                f"groups: {', '.join(problem.groups)}."
            )
        base: list[Any]
        if name == "svo":
            base = [
                0.0 if problem.svo_angles is None or math.isnan(a) else a
                for a in (
                    problem.svo_angles if problem.svo_angles is not None else [math.nan] * g_n
                )
            ]
        else:
            base = list(problem.concession) or ["linear"] * g_n
        return [value.get(g, base[i]) for i, g in enumerate(problem.groups)]
    if isinstance(value, Sequence) and len(value) == g_n:
        return list(value)
    raise ParameterError(
        f"The {name!r} parameter of negotiate must be one value, one per group "
        f"({g_n}), or a mapping of group id to value. Got {value!r} instead."
    )
