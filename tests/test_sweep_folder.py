"""The results folder: one writer at a time, atomic files, damage refused or repaired."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from plurisim.cli import main
from plurisim.errors import SpecError
from plurisim.experiments import sweep
from plurisim.experiments.lock import FolderLock
from plurisim.outputs import atomic_path, is_temporary, write_text_atomic

SPEC = {
    "scenarios": ["toy-park"],
    "mechanisms": ["maximin", "negotiative"],
    "grid": {"rounds": [5, 10]},
    "seeds": {"count": 3, "root": 4},
}
RUNS = 3 + 2 * 3


def _sweep(folder: Path, spec: dict | None = None):
    return sweep(spec or SPEC, folder, executor="inprocess", progress=False, batch_size=2)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    result = _sweep(folder)
    return result.table, (folder / "metrics.parquet").read_bytes()


@pytest.fixture
def done(tmp_path, reference):
    """A finished sweep's folder."""
    _sweep(tmp_path)
    return tmp_path


def _parts(folder: Path) -> list[Path]:
    return sorted((folder / "parts").glob("part-*.jsonl"))


# -- the lock ------------------------------------------------------------------------------


def test_a_second_writer_is_refused_with_the_holders_pid(tmp_path, capsys):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    out = tmp_path / "out"
    out.mkdir()
    with FolderLock(out):
        with pytest.raises(SpecError, match=rf"locked by another sweep \(pid {os.getpid()}\)"):
            _sweep(out)
        assert main(["sweep", str(spec), "--out", str(out), "--executor", "inprocess"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is locked by another sweep" in err
        assert not (out / "manifest.json").exists()  # the refused sweep wrote nothing
    assert len(_sweep(out).table) == RUNS  # the lock is released with its holder


def _cli_child(args: list[str], err_path: str, start) -> None:
    sys.stderr = open(err_path, "w")  # noqa: SIM115 - the forked child exits right after
    start.wait()
    code = main(args)
    sys.stderr.flush()
    os._exit(code)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_concurrent_writers_end_in_the_reference_table_or_a_clean_refusal(tmp_path, reference):
    """Two sweeps start together on one folder, 15 times: one writes, the other is refused."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    fork = multiprocessing.get_context("fork")
    outcomes = {"one refused": 0, "one after the other": 0}
    _sweep(tmp_path / "warm")  # imports and caches, shared by the forked children
    for k in range(15):
        out = tmp_path / f"out-{k}"
        args = [
            "sweep",
            str(spec),
            "--out",
            str(out),
            "--executor",
            "inprocess",
            "--batch-size",
            "1",
        ]
        start = fork.Event()
        errs = [tmp_path / f"err-{k}-{i}.txt" for i in range(2)]
        children = [fork.Process(target=_cli_child, args=(args, str(e), start)) for e in errs]
        for c in children:
            c.start()
        start.set()
        for c in children:
            c.join(60)
        codes = sorted(c.exitcode for c in children)
        texts = [e.read_text() for e in errs]
        if codes == [0, 2]:
            outcomes["one refused"] += 1
            refused = children[[c.exitcode for c in children].index(2)]
            other = next(c for c in children if c is not refused)
            line = texts[children.index(refused)]
            assert line.count("\n") == 1 and f"locked by another sweep (pid {other.pid})" in line
        else:
            assert codes == [0, 0], texts
            outcomes["one after the other"] += 1
        assert (out / "metrics.parquet").read_bytes() == reference[1]
        manifest = json.loads((out / "manifest.json").read_text())
        assert (manifest["completed"], manifest["runs"]) == (RUNS, RUNS)
    print("\n15 concurrent pairs:", outcomes)


# -- atomic writes and temporaries -----------------------------------------------------------


def test_atomic_write_leaves_nothing_on_interruption(tmp_path):
    target = tmp_path / "table.csv"
    write_text_atomic(target, "old\n")

    def interrupted() -> None:
        with atomic_path(target) as tmp:
            Path(tmp).write_text("half")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode


def test_an_interrupted_sweep_leaves_no_temporary_file(tmp_path, monkeypatch):
    """Ctrl-C can land between a temporary file's creation and its removal (inside
    ``mkstemp``, or just before the unlink): the way out removes what it left."""
    from plurisim.experiments.store import ResultStore

    def interrupted(self, rows):
        (self.parts / ".part-0123456789abcdef.jsonl.x1y2z3w4.tmp").write_text("{torn")
        raise KeyboardInterrupt

    monkeypatch.setattr(ResultStore, "write_part", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _sweep(tmp_path / "out")
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["status"] == "interrupted"
    assert not [p for p in (tmp_path / "out").rglob("*") if is_temporary(p.name)]


def test_an_interruption_right_after_a_part_is_written_still_counts_it(tmp_path, monkeypatch):
    """Ctrl-C between a part's write and its count: the manifest counts what is on disk."""
    import signal

    from plurisim.experiments import store as store_module

    original = store_module.write_text_atomic

    def write_then_interrupt(path, text, **kw):
        out = original(path, text, **kw)
        if Path(path).parent.name == "parts":
            os.kill(os.getpid(), signal.SIGINT)
        return out

    monkeypatch.setattr(store_module, "write_text_atomic", write_then_interrupt)
    # SIGINT raises KeyboardInterrupt here (a test runner's worker may ignore it).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            _sweep(tmp_path / "out")
    finally:
        signal.signal(signal.SIGINT, previous)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    on_disk = sum(
        len(p.read_text().splitlines()) for p in (tmp_path / "out" / "parts").glob("part-*")
    )
    assert manifest["status"] == "interrupted"
    assert manifest["completed"] == on_disk > 0


def test_leftover_temporaries_are_removed_at_the_next_open(done, reference):
    junk = [
        done / ".manifest.json.abcd1234.tmp",
        done / "parts" / ".part-0123456789abcdef.jsonl.x1y2z3w4.tmp",
        done / ".metrics.parquet.k9k9k9k9.tmp",
    ]
    for p in junk:
        p.write_text("{torn")
    result = _sweep(done)
    assert result.ran == 0
    assert not [p for p in done.rglob("*") if is_temporary(p.name)]
    assert (done / "metrics.parquet").read_bytes() == reference[1]


def test_a_folder_left_before_its_manifest_was_written_starts_afresh(tmp_path, reference):
    (tmp_path / "parts").mkdir()
    (tmp_path / ".lock").write_text("12345\n")
    (tmp_path / ".manifest.json.abcd1234.tmp").write_text('{"spec_ha')
    assert _sweep(tmp_path).ran == RUNS
    assert (tmp_path / "metrics.parquet").read_bytes() == reference[1]


# -- damage: refused or repaired --------------------------------------------------------------


def test_a_torn_part_is_dropped_and_its_runs_done_again(done, reference):
    part = _parts(done)[1]
    text = part.read_text()
    runs = len(text.splitlines())
    part.write_text(text[: len(text) // 2])  # cut inside a line
    result = _sweep(done)
    assert result.ran == runs and result.skipped == RUNS - runs
    assert result.repairs and part.name in result.repairs[0] and "torn" in result.repairs[0]
    assert (done / "metrics.parquet").read_bytes() == reference[1]
    manifest = json.loads((done / "manifest.json").read_text())
    assert part.name in manifest["repairs"][0]


def test_a_part_missing_whole_lines_is_dropped(done, reference):
    part = next(p for p in _parts(done) if len(p.read_text().splitlines()) == 2)
    part.write_text(part.read_text().splitlines(keepends=True)[0])
    result = _sweep(done)
    assert result.ran == 2 and "do not match its name" in result.repairs[0]
    assert (done / "metrics.parquet").read_bytes() == reference[1]


def test_a_part_of_another_spec_is_refused(done, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    _sweep(other, {**SPEC, "seeds": [100]})
    stranger = _parts(other)[0]
    (done / "parts" / stranger.name).write_bytes(stranger.read_bytes())
    with pytest.raises(SpecError) as exc:
        _sweep(done)
    text = str(exc.value)
    assert stranger.name in text and "not a run of this spec" in text and "remove that file" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"spec_hash": "ab', "is damaged (not valid JSON"),
        ("[1, 2]", "is damaged (it has no spec_hash)"),
        (b"\xff\xfe", "is damaged (not UTF-8 text)"),
    ],
)
def test_a_damaged_manifest_is_refused(done, content, message, capsys):
    path = done / "manifest.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(SpecError) as exc:
        _sweep(done)
    assert f"{path}: {message}" in str(exc.value)
    spec = done.parent / f"{done.name}.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    assert main(["sweep", str(spec), "--out", str(done), "--executor", "inprocess"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "start over" in err


@pytest.mark.parametrize("where", [".", "parts", "transcripts"])
def test_an_unknown_file_is_refused(done, where):
    folder = done / where
    folder.mkdir(exist_ok=True)
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(
        SpecError, match=r"notes\.txt: is not a .*; move it out of the results folder"
    ):
        _sweep(done)


def test_parts_without_a_manifest_are_refused(done):
    (done / "manifest.json").unlink()
    with pytest.raises(SpecError, match="holds no manifest.json"):
        _sweep(done)


def test_a_stale_table_is_rebuilt_from_the_parts(done, reference):
    (done / "metrics.parquet").write_bytes(b"not parquet")
    assert _sweep(done).ran == 0
    assert (done / "metrics.parquet").read_bytes() == reference[1]
    pd.testing.assert_frame_equal(pd.read_parquet(done / "metrics.parquet"), reference[0])


def test_the_lock_is_released_when_the_folder_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SpecError):
        _sweep(tmp_path)
    with FolderLock(tmp_path) as lock:  # free again
        assert lock.held


@pytest.mark.slow
def test_concurrent_command_line_sweeps_on_process_pools(tmp_path, reference):
    """The real command, twice at once on one folder, each with two worker processes."""
    import subprocess

    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    outcomes: dict[str, int] = {}
    for k in range(5):
        out = tmp_path / f"out-{k}"
        args = [sys.executable, "-m", "plurisim", "sweep", str(spec), "--out", str(out)]
        procs = [
            subprocess.Popen(
                [*args, "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        results = [(p.communicate(timeout=300)[1], p.returncode) for p in procs]
        results = [(code, err) for err, code in results]
        codes = sorted(code for code, _ in results)
        assert codes in ([0, 0], [0, 2]), results
        outcomes[str(codes)] = outcomes.get(str(codes), 0) + 1
        for code, err in results:
            assert code == 0 or (err.count("\n") == 1 and "is locked by another sweep" in err)
        assert (out / "metrics.parquet").read_bytes() == reference[1]
    print("\n5 concurrent command-line pairs, exit statuses:", outcomes)
