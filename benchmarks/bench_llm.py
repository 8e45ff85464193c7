"""LLM agents under real latency: a 200 ms test model, 6 groups, 10 rounds."""

from __future__ import annotations

import time

from plurisim import negotiate, scenarios

from benchmarks._goals import against


def latency_run(latency: float = 0.2, rounds: int = 10) -> str:
    from plurisim.agents.llm import ScriptedChatModel, llm_policies

    # Boulware negotiators on a contested scenario hold out to the last round.
    scenario = scenarios.generate(6, 12, 4, 0.6, 0.3, seed=3)
    stakeholders, mediator = llm_policies(ScriptedChatModel(latency=latency))
    start = time.perf_counter()
    result = negotiate(
        scenario,
        stakeholder_policy=stakeholders,
        mediator_policy=mediator,
        seed=0,
        rounds=rounds,
        concession="boulware",
        svo=-20.0,
    )
    wall = time.perf_counter() - start
    stats = result.details["llm"]
    sequential_per_round = 2  # the mediator's call, then the stakeholders' calls side by side
    critical = result.rounds * sequential_per_round * latency
    total = stats["calls"] * latency
    return (
        f"{result.rounds} rounds, {stats['calls']} calls of {latency * 1000:.0f} ms: wall time {wall:.2f} s; "
        f"critical path {critical:.2f} s; "
        f"{against(wall / critical, 1.5, f'wall / critical path {wall / critical:.2f}')}; "
        f"sum of all calls {total:.2f} s"
    )


def main() -> None:
    print(latency_run())


if __name__ == "__main__":
    main()
