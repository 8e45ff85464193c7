"""Mutation machinery for the fuzz suite: mutated inputs and the command-line contract.

Every case runs the command line in this process with a time limit and checks the
contract of the tool: it exits 0 with valid output, or exits 2 with exactly one line
on standard error, ``plurisim: error: ...``. A Python exception escaping ``main`` is a
crash; passing the time limit is a hang; a case built to be meaningless (a number
replaced by a string, an unknown field, a duplicate id, a negative cost) that exits 0
is a silent acceptance.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from plurisim.cli import main

CASE_SECONDS = 20.0  # a case that runs longer is a hang


class Hang(Exception):
    """A case ran past its time limit."""


@dataclass
class Verdict:
    """What one case did."""

    argv: list[str]
    status: int | None
    stdout: str
    stderr: str
    problem: str | None = None  # "crash", "hang", "silent", "output" or "message"
    detail: str = ""


@dataclass
class Tally:
    """Cases per input kind and what went wrong, for the report."""

    kind: str
    cases: int = 0
    accepted: int = 0
    refused: int = 0
    problems: list[Verdict] = field(default_factory=list)

    def add(self, verdict: Verdict) -> None:
        self.cases += 1
        if verdict.problem is not None:
            self.problems.append(verdict)
        elif verdict.status == 0:
            self.accepted += 1
        else:
            self.refused += 1

    def count(self, problem: str) -> int:
        return sum(v.problem == problem for v in self.problems)

    def summary(self) -> str:
        return (
            f"{self.kind}: {self.cases} cases, {self.accepted} accepted, {self.refused} refused; "
            f"crashes {self.count('crash')}, hangs {self.count('hang')}, "
            f"silent acceptances {self.count('silent')}, "
            f"bad messages {self.count('message') + self.count('output')}"
        )

    def failures(self) -> str:
        lines = [self.summary()]
        for v in self.problems[:10]:
            lines.append(f"  {v.problem}: plurisim {' '.join(v.argv)} -> {v.status}: {v.detail}")
        return "\n".join(lines)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in this thread when ``seconds`` pass."""

    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(
    argv: Sequence[str],
    *,
    must_refuse: bool = False,
    json_output: bool = False,
    seconds: float = CASE_SECONDS,
) -> Verdict:
    """Run ``plurisim argv`` in this process and judge it against the contract."""
    out, err = io.StringIO(), io.StringIO()
    argv = list(argv)
    try:
        with (
            time_limit(seconds),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            status: int | None = main(argv)
    except Hang as exc:
        return Verdict(argv, None, out.getvalue(), err.getvalue(), "hang", str(exc))
    except SystemExit as exc:  # argparse's own exits (--help, errors)
        status = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:
        return Verdict(
            argv, None, out.getvalue(), err.getvalue(), "crash", f"{type(exc).__name__}: {exc}"
        )
    verdict = Verdict(argv, status, out.getvalue(), err.getvalue())
    lines = verdict.stderr.splitlines()
    if status == 0:
        if must_refuse:
            verdict.problem, verdict.detail = "silent", "accepted a meaningless input"
        elif json_output:
            try:
                json.loads(verdict.stdout)
            except ValueError as exc:
                verdict.problem, verdict.detail = "output", f"stdout is not JSON: {exc}"
    elif status == 2:
        if len(lines) != 1 or not lines[0].startswith("plurisim: error: "):
            verdict.problem = "message"
            verdict.detail = f"stderr is not one error line: {verdict.stderr[:300]!r}"
        elif "Traceback" in verdict.stderr:
            verdict.problem, verdict.detail = "message", "a traceback on stderr"
    else:
        verdict.problem = "crash"
        verdict.detail = f"exit status {status}: {verdict.stderr[:300]!r}"
    return verdict


# -- structural mutations of a YAML document -----------------------------------------

# Replacements that make any numeric field meaningless.
NOT_NUMBERS: list[Any] = ["0.5", True, None, [], {}, "", float("nan"), "x"]
# Replacements that make any text field (ids, labels) meaningless.
NOT_TEXT: list[Any] = [12, 1.5, True, None, [], {}]
# Replacements that may or may not be meaningful: the tool decides, but must not crash.
ANYTHING: list[Any] = [
    0,
    -1,
    1,
    1e308,
    -1e308,
    1e-308,
    10**30,
    float("inf"),
    "",
    "x" * 5000,
    "\u0085title\u2028",
    [[[]]],
    {"a": {"b": {"c": None}}},
]


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``doc`` (keys of mappings, indices of lists), the root excluded."""
    found: list[tuple[Any, ...]] = []
    if isinstance(doc, dict):
        items: Any = doc.items()
    elif isinstance(doc, list):
        items = enumerate(doc)
    else:
        return found
    for key, value in items:
        here = (*prefix, key)
        found.append(here)
        found.extend(paths(value, here))
    return found


def get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def mutate(doc: Any, path: tuple[Any, ...], how: str, value: Any = None) -> Any:
    """A copy of ``doc`` with one mutation at ``path``.

    ``how`` is ``"set"`` (replace by ``value``), ``"delete"``, ``"unknown"`` (add an
    unknown field to the mapping at ``path``) or ``"duplicate"`` (repeat a list
    element).
    """
    doc = copy.deepcopy(doc)
    parent = get(doc, path[:-1])
    key = path[-1]
    if how == "set":
        parent[key] = value
    elif how == "delete":
        del parent[key]
    elif how == "unknown":
        get(doc, path)["no_such_field"] = 1
    elif how == "duplicate":
        parent.insert(key, copy.deepcopy(parent[key]))
    else:  # pragma: no cover - a typo in a test
        raise ValueError(how)
    return doc


def dump(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10_000)


# -- text mutations ------------------------------------------------------------------


def alias_bomb(levels: int = 9) -> str:
    """A short YAML document whose aliases expand to 9**levels nodes."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def deep_nesting(depth: int = 100_000) -> str:
    return "title: " + "[" * depth + "]" * depth + "\n"


TEXT_SPECIALS: dict[str, str | bytes] = {
    "alias bomb": alias_bomb(),
    "deep nesting": deep_nesting(),
    "deep mapping": "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v\n",
    "tab indentation": "schema_version: 1\nname: x\n\tgroups: []\n",
    "empty": "",
    "only a comment": "# nothing here\n",
    "a list at the top": "- 1\n- 2\n",
    "a scalar at the top": "42\n",
    "NUL bytes": b"schema_version: 1\x00\x00name: x\n",
    "invalid UTF-8": b"schema_version: 1\nname: \xff\xfe\xfa\n",
    "UTF-16": "schema_version: 1\nname: x\n".encode("utf-16"),
    "huge number": "schema_version: 1e999999\n",
    "duplicate keys": "schema_version: 1\nschema_version: 1\nname: a\nname: b\n",
    "python tag": "!!python/object/apply:os.system ['true']\n",
    "merge keys": "base: &b {x: 1}\nother:\n  <<: *b\n",
}


def byte_mutation(data: bytes, rng: Any) -> bytes:
    """One random byte-level change: flip, insert, delete, truncate or splice."""
    if not data:
        return bytes(rng.integers(0, 256, 8).tolist())
    kind = int(rng.integers(0, 5))
    i = int(rng.integers(0, len(data)))
    if kind == 0:  # flip one byte
        return data[:i] + bytes([int(rng.integers(0, 256))]) + data[i + 1 :]
    if kind == 1:  # insert a structural character
        return (
            data[:i]
            + rng.choice([b":", b"-", b"[", b"{", b"&", b"*", b"\t", b"'", b"\n"])
            + data[i:]
        )
    if kind == 2:  # delete a run
        return data[:i] + data[i + int(rng.integers(1, 40)) :]
    if kind == 3:  # truncate
        return data[:i]
    j = int(rng.integers(0, len(data)))  # splice a piece elsewhere
    return data[:i] + data[j : j + int(rng.integers(1, 80))] + data[i:]
