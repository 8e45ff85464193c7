"""What a results folder holds, checked before a sweep writes into it.

A sweep writes only these names (and ``.NAME.xxxxxxxx.tmp`` temporaries on the way)::

    DIR/.lock                  held while a sweep writes (see plurisim.experiments.lock)
    DIR/manifest.json          spec, its hash, seeds, package versions, times, status
    DIR/parts/part-<h>.jsonl   finished runs of one batch; <h> hashes their run ids
    DIR/transcripts/<id>.md    per-run transcripts, when the spec asks for them
    DIR/metrics.parquet|csv    the table, rebuilt from the parts at the end
    DIR/failures.jsonl         runs that raised, rewritten at the end

Every file is replaced atomically, so a sweep killed at any instant leaves only
whole files and temporaries. What is found, and what is done about it:

==============================================  ========================================
found                                           done
==============================================  ========================================
a temporary file                                removed (a killed writer's)
no manifest; only the lock or an empty parts/   a new sweep starts
no manifest; anything else                      refused: not a sweep's folder
manifest that is not valid JSON                 refused: cannot tell which spec it was
manifest of another spec                        refused: use another folder
part that is not valid JSON lines, or whose     repaired: dropped, its runs done again
runs do not hash to its name (torn)             (every run is reproducible from its seed)
part with a run that is not in this spec        refused, naming the file
any other file, in DIR, parts/ or transcripts/  refused, naming the file
metrics table, failures file                    rewritten at the end, never read
==============================================  ========================================
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plurisim.errors import SpecError
from plurisim.experiments.lock import LOCK_NAME
from plurisim.outputs import remove_temporaries

__all__ = ["KNOWN_FILES", "FolderState", "inspect_folder", "part_name", "tidy"]

KNOWN_FILES = (LOCK_NAME, "manifest.json", "metrics.parquet", "metrics.csv", "failures.jsonl")
_FOLDERS = ("parts", "transcripts")
_PART = re.compile(r"^part-[0-9a-f]{16}\.jsonl$")
_TRANSCRIPT = re.compile(r"^([0-9a-f]{16})\.md$")
_IDENTITY = ("scenario", "mechanism", "seed")


def part_name(run_ids: Iterable[str]) -> str:
    """The file name of the part holding these runs (a hash of their sorted ids).

    Examples
    --------
    >>> part_name(["b" * 16, "a" * 16]) == part_name(["a" * 16, "b" * 16])
    True
    >>> part_name([])
    Traceback (most recent call last):
    ...
    ValueError: a part holds at least one run
    """
    ids = sorted(run_ids)
    if not ids:
        raise ValueError("a part holds at least one run")
    return f"part-{hashlib.sha1(','.join(ids).encode()).hexdigest()[:16]}.jsonl"


@dataclass
class FolderState:
    """A checked folder: its manifest (None for a new sweep), finished rows, repairs."""

    manifest: dict[str, Any] | None
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def _refuse(path: Path, what: str, todo: str) -> SpecError:
    return SpecError(f"{path}: {what}; {todo}.")


_ELSEWHERE = "move it out of the results folder, or give another --out folder"


def tidy(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files a writer left in a sweep's folder and its subfolders.

    Call it only under the folder's lock: when opening the folder, and on the way out
    of an interrupted or failed sweep (a signal can land between a temporary file's
    creation and the clean-up that would remove it).
    """
    folder = Path(folder)
    removed: list[Path] = []
    for sub in (folder, *(folder / name for name in _FOLDERS)):
        removed += remove_temporaries(sub)
    return removed


def inspect_folder(
    folder: str | Path, digest: str, runs: Mapping[str, Mapping[str, Any]]
) -> FolderState:
    """Check a results folder for a sweep of spec hash ``digest``; repair what is safe.

    Call it holding the folder's lock. ``runs`` maps each run id of the spec to its
    identity (``index``, ``scenario``, ``mechanism``, ``seed``).

    Raises
    ------
    SpecError
        Naming the file, what is wrong with it and what to do, for each refusal of
        the module's table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> inspect_folder(folder, "f" * 64, {}).manifest is None  # empty: a new sweep
    True
    >>> _ = (folder / "notes.txt").write_text("mine")
    >>> inspect_folder(folder, "f" * 64, {})
    Traceback (most recent call last):
    ...
    plurisim.errors.SpecError: .../notes.txt: is not a file a sweep writes, and the folder holds no manifest.json; give an empty or new --out folder.
    """
    folder = Path(folder)
    state = FolderState(manifest=None)
    state.removed += tidy(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        _check_new(folder)
        return state
    state.manifest = _read_manifest(manifest_path, digest)
    for child in sorted(folder.iterdir()):
        if child.name in _FOLDERS and child.is_dir():
            continue
        if child.name not in KNOWN_FILES or not child.is_file():
            raise _refuse(child, "is not a file a sweep writes", _ELSEWHERE)
    parts = folder / "parts"
    if parts.is_dir():
        for part in sorted(parts.iterdir()):
            _read_part(part, runs, state)
    transcripts = folder / "transcripts"
    if transcripts.is_dir():
        for child in sorted(transcripts.iterdir()):
            match = _TRANSCRIPT.match(child.name)
            if not (match and match.group(1) in runs and child.is_file()):
                raise _refuse(child, "is not a transcript of a run of this spec", _ELSEWHERE)
    return state


def _check_new(folder: Path) -> None:
    for child in sorted(folder.iterdir()):
        if child.name == LOCK_NAME or (child.name in _FOLDERS and _empty_dir(child)):
            continue
        raise _refuse(
            child,
            "is not a file a sweep writes, and the folder holds no manifest.json"
            if child.name not in (*KNOWN_FILES, *_FOLDERS)
            else "is a sweep's file, but the folder holds no manifest.json "
            "(it was removed or lost), so its runs cannot be checked",
            "give an empty or new --out folder",
        )


def _empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def _read_manifest(path: Path, digest: str) -> dict[str, Any]:
    damaged = "move the folder away (or delete it) to start over, or give another --out folder"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise _refuse(path, "is damaged (not UTF-8 text)", damaged) from None
    except json.JSONDecodeError as exc:
        raise _refuse(
            path,
            f"is damaged (not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}), "
            "so the spec its runs belong to is unknown",
            damaged,
        ) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("spec_hash"), str):
        raise _refuse(path, "is damaged (it has no spec_hash)", damaged)
    if manifest["spec_hash"] != digest:
        raise SpecError(
            f"{path.parent}: holds the results of a different sweep spec (hash "
            f"{manifest['spec_hash'][:12]}, this spec {digest[:12]}); "
            "use another --out directory or remove that one."
        )
    return manifest


def _read_part(path: Path, runs: Mapping[str, Mapping[str, Any]], state: FolderState) -> None:
    if not (_PART.match(path.name) and path.is_file()):
        raise _refuse(path, "is not a part file a sweep writes", _ELSEWHERE)
    rows, problem = _parse_part(path)
    if rows is not None:
        for n, row in enumerate(rows, 1):
            expected = runs.get(row["run_id"])
            if expected is None or any(row.get(k) != expected[k] for k in ("index", *_IDENTITY)):
                raise _refuse(
                    path,
                    f"line {n} holds run {row['run_id']!r}, which is not a run of this spec "
                    "(the file comes from another sweep)",
                    "remove that file (its runs will be done again), or give another --out folder",
                )
        if path.name != part_name(r["run_id"] for r in rows):
            problem = "its runs do not match its name (lines are missing)"
    if problem is not None:
        path.unlink()
        count = f"its {len(rows)} runs are" if rows else "its runs are"
        state.repairs.append(
            f"dropped torn {path.parent.name}/{path.name} ({problem}); {count} done again"
        )
        return
    for row in rows or ():
        state.rows.setdefault(row["run_id"], row)


def _parse_part(path: Path) -> tuple[list[dict[str, Any]] | None, str | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    if not text.endswith("\n"):
        return None, "cut off: no final newline"
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            return None, f"line {n} is not valid JSON"
        if not (
            isinstance(row, dict)
            and isinstance(row.get("run_id"), str)
            and isinstance(row.get("index"), int)
        ):
            return None, f"line {n} is not a run's row"
        rows.append(row)
    return rows, None
