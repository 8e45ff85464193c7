"""Fuzz suite: mutated scenario files, ``.pb`` files and command-line values.

Every case must exit 0 with valid output or exit 2 with one line on standard error;
never a traceback, never a hang, and never accept an input built to be meaningless.
The corpora are written by the tests from the built-in scenarios and the small ``.pb``
files of ``tests/data``; ``make test`` runs a sample, ``make test-long`` (marker
``long``) every case. Each test prints its tally (``pytest -s``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from fuzzing import (
    ANYTHING,
    NOT_NUMBERS,
    NOT_TEXT,
    TEXT_SPECIALS,
    Tally,
    Verdict,
    byte_mutation,
    dump,
    get,
    mutate,
    paths,
    run_cli,
)
from hypothesis import assume, given
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
BUILTIN = REPO / "scenarios" / "builtin"
PB_DIR = Path(__file__).parent / "data" / "pabulib"
PB_SOURCES = ["approval.pb", "cumulative.pb", "ordinal.pb", "scoring.pb"]
SCENARIO_SOURCES = ["toy-park.yaml", "dilemma-picnic-food.yaml"]
MECHANISMS = "utilitarian,maximin,nash,greedy,mes"


def _sample(cases: list[Any], size: int, seed: int) -> list[Any]:
    """All cases in the long run; a fixed sample of ``size`` in ``make test``."""
    if os.environ.get("PLURISIM_FUZZ_ALL") or len(cases) <= size:
        return cases
    rng = np.random.default_rng(seed)
    return [cases[i] for i in sorted(rng.choice(len(cases), size, replace=False))]


def _check_file(path: Path, must_refuse: bool, extra: tuple[str, ...] = ()) -> list[Verdict]:
    """Validate a file; if it is accepted, compare and negotiate on it too."""
    first = run_cli(["scenarios", "validate", str(path), *extra], must_refuse=must_refuse)
    verdicts = [first]
    if first.status == 0 and first.problem is None:
        verdicts.append(
            run_cli(
                ["compare", str(path), *extra, "--format", "json", "--mechanisms", MECHANISMS],
                json_output=True,
            )
        )
        verdicts.append(
            run_cli(["run", str(path), *extra, "--json", "--rounds", "4"], json_output=True)
        )
    return verdicts


def _report(tally: Tally) -> None:
    print(tally.summary())
    assert not tally.problems, tally.failures()


# -- scenario YAML -----------------------------------------------------------------------


def _must_refuse(original: Any, how: str, value: Any, key: Any = None) -> bool:
    """Is this structural mutation meaningless whatever field it hits?"""
    if how == "unknown":
        return True
    if how == "duplicate":
        return isinstance(original, dict) and "id" in original
    if how != "set" or isinstance(original, (dict, list)):
        return False
    if isinstance(original, bool):
        return value is None or isinstance(value, (list, dict, str))
    if isinstance(original, (int, float)):
        if isinstance(value, float):
            return math.isnan(value)
        return any(value is v for v in NOT_NUMBERS)
    if isinstance(original, str):
        # None leaves an optional text field unset; a concession may be a number (an exponent).
        if value is None or (key == "concession" and isinstance(value, (int, float))):
            return False
        return any(value is v for v in NOT_TEXT)
    return False


def _structural_cases() -> list[tuple[str, tuple[Any, ...], str, Any]]:
    cases: list[tuple[str, tuple[Any, ...], str, Any]] = []
    for source in SCENARIO_SOURCES:
        doc = yaml.safe_load((BUILTIN / source).read_text())
        for i, path in enumerate(paths(doc)):
            node = get(doc, path)
            pick = np.random.default_rng(i)
            if isinstance(node, dict):
                cases.append((source, path, "unknown", None))
            elif isinstance(node, (int, float)) and not isinstance(node, bool):
                cases.append(
                    (source, path, "set", NOT_NUMBERS[int(pick.integers(len(NOT_NUMBERS)))])
                )
            elif isinstance(node, str):
                cases.append((source, path, "set", NOT_TEXT[int(pick.integers(len(NOT_TEXT)))]))
            cases.append((source, path, "set", ANYTHING[int(pick.integers(len(ANYTHING)))]))
            cases.append((source, path, "delete", None))
            if isinstance(path[-1], int):
                cases.append((source, path, "duplicate", None))
    return cases


def test_mutated_scenario_files(tmp_path: Path) -> None:
    """One mutation at every place of two built-in scenarios (a sample in make test)."""
    tally = Tally("scenario YAML, structural")
    docs = {s: yaml.safe_load((BUILTIN / s).read_text()) for s in SCENARIO_SOURCES}
    for n, (source, path, how, value) in enumerate(_sample(_structural_cases(), 120, 1)):
        original = get(docs[source], path)
        doc = mutate(docs[source], path, how, value)
        file = tmp_path / f"case{n}.yaml"
        file.write_text(dump(doc), encoding="utf-8")
        for verdict in _check_file(file, _must_refuse(original, how, value, path[-1])):
            verdict.detail += f" [{source} {'/'.join(map(str, path))} {how} {value!r:.40}]"
            tally.add(verdict)
    _report(tally)


def _overwritten(
    refusing: list[tuple[Any, ...]], path: tuple[Any, ...], how: str
) -> list[tuple[Any, ...]]:
    """The meaningless places left once ``path`` is set or deleted: it and what is below it
    go; deleting a list item moves the later items' places up by one."""
    if how not in ("set", "delete"):
        return refusing
    kept = [p for p in refusing if p[: len(path)] != path]
    if how == "delete" and isinstance(path[-1], int):
        parent, k = path[:-1], path[-1]
        n = len(parent)
        kept = [
            (*p[:n], p[n] - 1, *p[n + 1 :])
            if p[:n] == parent and len(p) > n and isinstance(p[n], int) and p[n] > k
            else p
            for p in kept
        ]
    return kept


def _untouched(
    where: list[tuple[Any, ...]], touched: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The places not at or below a place an earlier mutation set: a mutation there would
    be judged against the earlier mutation's value instead of the field's own type."""
    return [p for p in where if not any(p[: len(t)] == t for t in touched)]


def _stacked_mutations(
    data: st.DataObject,
    doc: Any,
    judge: Callable[[Any, tuple[Any, ...], str, Any], bool],
) -> tuple[Any, bool]:
    """One to three mutations drawn by Hypothesis, and whether the result is meaningless.

    ``judge(original, path, how, value)`` says whether one mutation makes the document
    meaningless (an unknown field always does); a later mutation that sets or deletes
    the same place, or a place above it, undoes that.
    """
    refusing: list[tuple[Any, ...]] = []  # places holding a meaningless value
    touched: list[tuple[Any, ...]] = []  # places set by a mutation (judged on the original)
    for _ in range(data.draw(st.integers(1, 3))):
        where = _untouched(paths(doc), touched)
        if not where:
            break
        path = where[data.draw(st.integers(0, len(where) - 1))]
        how = data.draw(st.sampled_from(["set", "set", "delete", "unknown"]))
        if how == "unknown" and not isinstance(get(doc, path), dict):
            how = "set"
        value = data.draw(
            st.one_of(
                st.sampled_from(NOT_NUMBERS + NOT_TEXT + ANYTHING),
                st.floats(allow_nan=True, allow_infinity=True),
                st.integers(-(10**20), 10**20),
                st.text(max_size=30),
            )
        )
        refusing = _overwritten(refusing, path, how)
        touched = _overwritten(touched, path, how) + ([path] if how == "set" else [])
        if how == "unknown":  # the added field is the meaningless place, left alone after
            refusing.append((*path, "no_such_field"))
            touched.append((*path, "no_such_field"))
        elif judge(get(doc, path), path, how, value):
            refusing.append(path)
        doc = mutate(doc, path, how, value)
    return doc, bool(refusing)


@given(st.data())
def test_scenario_mutations_hypothesis(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Hypothesis picks the place and the value (a few mutations stacked)."""
    source = data.draw(st.sampled_from(SCENARIO_SOURCES))
    doc, refuse = _stacked_mutations(
        data,
        yaml.safe_load((BUILTIN / source).read_text()),
        lambda original, path, how, value: _must_refuse(original, how, value, path[-1]),
    )
    file = tmp_path_factory.mktemp("hyp") / "case.yaml"
    file.write_text(dump(doc), encoding="utf-8")
    for verdict in _check_file(file, refuse):
        assert verdict.problem is None, (
            verdict.problem,
            verdict.argv,
            verdict.detail,
            verdict.stderr,
        )


def test_byte_mutated_scenario_files(tmp_path: Path) -> None:
    """Random byte flips, insertions, deletions, truncations and splices."""
    tally = Tally("scenario YAML, bytes")
    rng = np.random.default_rng(7)
    count = 400 if os.environ.get("PLURISIM_FUZZ_ALL") else 40
    for n in range(count):
        source = SCENARIO_SOURCES[n % len(SCENARIO_SOURCES)]
        data = (BUILTIN / source).read_bytes()
        for _ in range(int(rng.integers(1, 4))):
            data = byte_mutation(data, rng)
        file = tmp_path / f"bytes{n}.yaml"
        file.write_bytes(data)
        for verdict in _check_file(file, False):
            tally.add(verdict)
    _report(tally)


@pytest.mark.parametrize("command", [["scenarios", "validate"], ["sweep"]])
@pytest.mark.parametrize("name", sorted(TEXT_SPECIALS))
def test_special_texts(tmp_path: Path, name: str, command: list[str]) -> None:
    """Alias bombs, deep nesting, tabs, NUL bytes, bad encodings, as a scenario or a
    sweep spec: refused in one line."""
    content = TEXT_SPECIALS[name]
    file = tmp_path / "special.yaml"
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content, encoding="utf-8")
    extra = (
        ["--out", str(tmp_path / "out"), "--executor", "inprocess"] if command == ["sweep"] else []
    )
    verdict = run_cli([*command, str(file), *extra], must_refuse=True, seconds=10)
    assert verdict.problem is None, (verdict.problem, verdict.detail, verdict.stderr)
    assert len(verdict.stderr) < 600  # an excerpt, never the expanded input


def _special_paths(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MiB of zeros
    return {
        "/dev/zero": Path("/dev/zero"),
        "a FIFO": fifo,
        "a symlink loop": loop,
        "a directory": folder,
        "a missing file": tmp_path / "missing.yaml",
        "a 200 MiB file": big,
        "a missing .pb": tmp_path / "missing.pb",
    }


@pytest.mark.parametrize(
    "kind",
    [
        "/dev/zero",
        "a FIFO",
        "a symlink loop",
        "a directory",
        "a missing file",
        "a 200 MiB file",
        "a missing .pb",
    ],
)
@pytest.mark.parametrize(
    "command", [["scenarios", "validate"], ["compare"], ["run"], ["scenarios", "show"], ["sweep"]]
)
def test_files_that_are_not_scenarios(tmp_path: Path, kind: str, command: list[str]) -> None:
    """Not a regular file, or too big (a scenario or a sweep spec): refused before reading,
    in one line."""
    path = _special_paths(tmp_path)[kind]
    verdict = run_cli([*command, str(path)], must_refuse=True, seconds=10)
    assert verdict.problem is None, (verdict.problem, verdict.detail, verdict.stderr)


# -- .pb files ----------------------------------------------------------------------------

PB_TOKENS = [
    "",
    "-1",
    "0",
    "nan",
    "inf",
    "1e308",
    "abc",
    "1.5",
    "99999999999999999999",
    ";",
    ",",
    '"',
    "p1,p1",
    "x" * 300,
]


def _pb_cases() -> list[tuple[str, int, int, str]]:
    cases = []
    for source in PB_SOURCES:
        lines = (PB_DIR / source).read_text().splitlines()
        for i, line in enumerate(lines):
            fields = line.split(";")
            for j in range(len(fields)):
                for _t, token in enumerate(PB_TOKENS):
                    cases.append((source, i, j, token))
            cases.append((source, i, -1, "delete"))
            cases.append((source, i, -2, "duplicate"))
    return cases


def _pb_must_refuse(field: str, token: str) -> bool:
    """A number replaced by text that is no number."""
    try:
        float(field)
    except ValueError:
        return False
    return token in ("abc", ";", '"', "x" * 300, "nan", "inf")


def _apply_pb(lines: list[str], i: int, j: int, token: str) -> tuple[list[str], bool]:
    lines = list(lines)
    if j == -1:
        del lines[i]
        return lines, False
    if j == -2:
        lines.insert(i, lines[i])
        return lines, False
    fields = lines[i].split(";")
    # Ids (the first column of PROJECTS and VOTES rows) are text, even when numeric.
    refuse = _pb_must_refuse(fields[j], token) and j > 0
    fields[j] = token
    lines[i] = ";".join(fields)
    return lines, refuse


def test_mutated_pb_files(tmp_path: Path) -> None:
    """Every field of four small .pb files replaced by bad tokens; lines deleted, repeated."""
    tally = Tally(".pb files, fields and lines")
    for n, (source, i, j, token) in enumerate(_sample(_pb_cases(), 120, 2)):
        lines = (PB_DIR / source).read_text().splitlines()
        mutated, refuse = _apply_pb(lines, i, j, token)
        file = tmp_path / f"case{n}.pb"
        file.write_text("\n".join(mutated) + "\n", encoding="utf-8")
        for verdict in _check_file(file, refuse):
            verdict.detail += f" [{source} line {i + 1} field {j} -> {token!r:.20}]"
            tally.add(verdict)
    _report(tally)


def test_byte_mutated_pb_files(tmp_path: Path) -> None:
    tally = Tally(".pb files, bytes")
    rng = np.random.default_rng(11)
    count = 400 if os.environ.get("PLURISIM_FUZZ_ALL") else 40
    for n in range(count):
        data = (PB_DIR / PB_SOURCES[n % len(PB_SOURCES)]).read_bytes()
        for _ in range(int(rng.integers(1, 4))):
            data = byte_mutation(data, rng)
        file = tmp_path / f"bytes{n}.pb"
        file.write_bytes(data)
        for verdict in _check_file(file, False):
            tally.add(verdict)
    _report(tally)


@given(
    st.sampled_from(PB_SOURCES),
    st.integers(0, 40),
    st.integers(0, 12),
    st.one_of(
        st.sampled_from(PB_TOKENS),
        st.text(max_size=12),
        st.integers().map(str),
        st.floats().map(repr),
    ),
)
def test_pb_mutations_hypothesis(
    tmp_path_factory: pytest.TempPathFactory, source: str, line: int, column: int, token: str
) -> None:
    lines = (PB_DIR / source).read_text().splitlines()
    i = line % len(lines)
    j = column % len(lines[i].split(";"))
    mutated, refuse = _apply_pb(lines, i, j, token)
    file = tmp_path_factory.mktemp("pb") / "case.pb"
    file.write_text("\n".join(mutated) + "\n", encoding="utf-8")
    for verdict in _check_file(file, refuse):
        assert verdict.problem is None, (
            verdict.problem,
            verdict.argv,
            verdict.detail,
            verdict.stderr,
        )


# -- sweep specs ----------------------------------------------------------------------

MAX_FUZZ_SEEDS = 40  # a sweep's seeds count kept within the hang limit
# Generated scenarios' sizes kept within the hang limit (the generator takes up to 100,000;
# a valid negotiation among 2,790 groups took over 20 s on a loaded machine).
MAX_FUZZ_SIZE = {"n_groups": 200, "n_interventions": 200, "n_criteria": 100}
SWEEP_SPEC: dict[str, Any] = {
    "name": "fuzz",
    "scenarios": [
        "toy-park",
        {"generate": {"n_groups": 3, "n_interventions": 6, "polarization": 0.5, "seed": 1}},
    ],
    "mechanisms": ["greedy", {"name": "negotiative", "params": {"quorum": 1.0}}],
    "grid": {"rounds": [2, 4], "budget": [150, 300]},
    "seeds": {"count": 1, "root": 0},
    "metrics": ["total_utility", "worst_group_utility"],
    "transcripts": False,
}
# Lists whose entries a sweep refuses to see twice (the same run twice).
NO_DUPLICATES = {"scenarios", "mechanisms", "grid", "seeds", "metrics"}


def _sweep_cases() -> list[tuple[tuple[Any, ...], str, Any]]:
    cases: list[tuple[tuple[Any, ...], str, Any]] = []
    for i, path in enumerate(paths(SWEEP_SPEC)):
        node = get(SWEEP_SPEC, path)
        pick = np.random.default_rng(100 + i)
        if isinstance(node, dict):
            cases.append((path, "unknown", None))
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            cases.append((path, "set", NOT_NUMBERS[int(pick.integers(len(NOT_NUMBERS)))]))
        elif isinstance(node, str):
            cases.append((path, "set", NOT_TEXT[int(pick.integers(len(NOT_TEXT)))]))
        cases.append((path, "set", ANYTHING[int(pick.integers(len(ANYTHING)))]))
        cases.append((path, "delete", None))
        if isinstance(path[-1], int):
            cases.append((path, "duplicate", None))
    return cases


def _sweep_must_refuse(original: Any, path: tuple[Any, ...], how: str, value: Any) -> bool:
    """Is this mutation of a sweep spec meaningless (``original``: the value it replaces)?"""
    if how == "duplicate":
        return path[0] in NO_DUPLICATES
    if path[0] == "name" and isinstance(value, str):
        return False  # any text names a sweep
    if path[0] in ("grid", "mechanisms") and value is None:
        return False  # None is the scenario's own value for parameters such as rounds
    return _must_refuse(original, how, value, path[-1])


def _too_long(doc: Any) -> bool:
    """Does the spec generate a scenario valid but too large to run within the hang limit?"""
    entries = doc.get("scenarios") if isinstance(doc, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        block = entry.get("generate") if isinstance(entry, dict) else None
        for key, most in MAX_FUZZ_SIZE.items():
            size = block.get(key) if isinstance(block, dict) else None
            if type(size) is int and most < size <= (1000 if key == "n_criteria" else 100_000):
                return True
    return False


def test_mutated_sweep_specs(tmp_path: Path) -> None:
    """One mutation at every place of a sweep spec, run in this process (a sample in make test).

    A spec the sweep accepts must run to the end: a run that fails after validation
    (exit 1) counts as a crash, since the spec should have been refused up front.
    """
    tally = Tally("sweep specs, structural")
    for n, (path, how, value) in enumerate(_sample(_sweep_cases(), 40, 2)):
        doc = mutate(SWEEP_SPEC, path, how, value)
        file = tmp_path / f"spec{n}.yaml"
        file.write_text(dump(doc), encoding="utf-8")
        argv = ["sweep", str(file), "--out", str(tmp_path / f"out{n}"), "--executor", "inprocess"]
        refuse = _sweep_must_refuse(get(SWEEP_SPEC, path), path, how, value)
        verdict = run_cli(argv, must_refuse=refuse)
        verdict.detail += f" [{'/'.join(map(str, path))} {how} {value!r:.40}]"
        tally.add(verdict)
    _report(tally)


@given(st.data())
def test_sweep_spec_mutations_hypothesis(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Hypothesis picks the places and the values (a few mutations stacked)."""
    doc, refuse = _stacked_mutations(data, SWEEP_SPEC, _sweep_must_refuse)
    # A valid sweep of thousands of seeds is long, not hung, but would outlast the hang
    # limit: such draws are left out (counts above 1,000,000 are still refused here).
    seeds = doc.get("seeds") if isinstance(doc, dict) else None
    count = seeds.get("count") if isinstance(seeds, dict) else None
    assume(not (type(count) is int and MAX_FUZZ_SEEDS < count <= 1_000_000))
    assume(not _too_long(doc))
    folder = tmp_path_factory.mktemp("hyp")
    file = folder / "spec.yaml"
    file.write_text(dump(doc), encoding="utf-8")
    argv = ["sweep", str(file), "--out", str(folder / "out"), "--executor", "inprocess"]
    verdict = run_cli(argv, must_refuse=refuse)
    assert verdict.problem is None, (verdict.problem, verdict.detail, verdict.stderr)


# -- command-line values ----------------------------------------------------------------

BAD_VALUES = [
    "-1",
    "abc",
    "",
    "nan",
    "inf",
    "1e309",
    "99999999999999999999",
    "1.5",
    "0x10",
    " 3",
    "--",
]
OPTIONS: dict[str, list[tuple[str, list[str]]]] = {
    "compare": [
        ("--seed", [*BAD_VALUES, "0", "7"]),
        ("--format", ["table", "csv", "json", "xml", ""]),
        ("--mechanisms", ["utilitarian", "nope", "", ",", "utilitarian,utilitarian", "mes,greedy"]),
        ("--percentile", [*BAD_VALUES, "20", "100", "0"]),
        ("--time-limit", [*BAD_VALUES, "1", "0"]),
        ("--disagreement", ["status-quo", "nope", "", "maximin", "green"]),
        (
            "--param",
            [
                "mes.completion=add1",
                "mes.nope=1",
                "nope.x=1",
                "mes.completion",
                "=",
                "utilitarian.engine=exact",
            ],
        ),
    ],
    "run": [
        ("--seed", [*BAD_VALUES, "0"]),
        ("--rounds", [*BAD_VALUES, "1", "3"]),
        ("--protocol", ["mediated", "single-text", "alternating-offers", "single_text", ""]),
        ("--information", ["private", "public", "nope"]),
        ("--quorum", [*BAD_VALUES, "0.5", "1"]),
        ("--concession", ["linear", "nope", ""]),
        ("--param", ["patience=2", "patience=-1", "nope=1", "patience", "rounds=abc"]),
        ("--mechanism", ["negotiative", "utilitarian", "nope"]),
    ],
}
SCENARIO_ARGS = ["toy-park", "no-such-scenario", "toy_park", "", "-", "montreal-street"]


def _cli_cases(count: int, seed: int) -> list[tuple[list[str], bool]]:
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        command = str(rng.choice(list(OPTIONS)))
        argv = [command, str(rng.choice(SCENARIO_ARGS)) if rng.random() < 0.3 else "toy-park"]
        refuse = argv[1] != "toy-park"
        for k in rng.choice(len(OPTIONS[command]), int(rng.integers(1, 4)), replace=False):
            option, values = OPTIONS[command][int(k)]
            value = str(rng.choice(values))
            argv += [option, value]
            meaningless = {"-1", "abc", "", "nan", "1e309", "nope", "xml", ","}
            if option != "--seed":  # a seed may be any int below 2**128
                meaningless.add("99999999999999999999")
            refuse = refuse or value in meaningless
        if command == "compare":
            argv += ["--format", "json"] if "--format" not in argv else []
        else:
            argv += ["--json"]
        cases.append((argv, refuse))
    return cases


def test_command_line_values() -> None:
    """Random option values for compare and run: valid output or one error line."""
    tally = Tally("command-line values")
    count = 600 if os.environ.get("PLURISIM_FUZZ_ALL") else 80
    for argv, refuse in _cli_cases(count, 3):
        json_out = (
            argv[argv.index("--format") + 1] == "json" if "--format" in argv else "--json" in argv
        )
        tally.add(run_cli(argv, must_refuse=refuse, json_output=json_out))
    _report(tally)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nope"],
        ["compare"],
        ["compare", "toy-park", "--nope"],
        ["run", "toy-park", "--rounds"],
        ["run", "toy-park", "--seed", "-1"],
        ["compare", "toy-park", "--seed", "-1"],
        ["compare", "toy-park", "--format", "xml"],
        ["scenarios"],
        ["scenarios", "show"],
        ["scenarios", "show", "montreal-street"],
        ["sweep"],
        ["study", "nope"],
        ["svo", "--agents", "-3"],
    ],
)
def test_usage_errors_are_one_line(argv: list[str]) -> None:
    verdict = run_cli(argv, must_refuse=True)
    assert verdict.problem is None, (verdict.problem, verdict.detail, verdict.stderr)


@pytest.mark.long
def test_every_fuzz_case() -> None:
    """The whole corpus and 500 Hypothesis examples per test (``make test-long``)."""
    import subprocess
    import sys

    env = {**os.environ, "PLURISIM_FUZZ_ALL": "1", "HYPOTHESIS_PROFILE": "thorough"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "-m",
            "not long",
            __file__,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    tallies = [line for line in done.stdout.splitlines() if " cases, " in line]
    print("\n".join(tallies))
    assert done.returncode == 0, done.stdout[-3000:]
