"""The results folder of a sweep: locked while written, parts written atomically, the table.

Layout and what a damaged folder gets are in :mod:`plurisim.experiments.folder`.
Re-running the same spec into the same folder reads the parts and runs only what
is missing (runs that failed are tried again); a different spec is refused, and so
is a second sweep while the first one still writes the folder.

The order of writes makes a kill at any instant safe: the lock and the manifest
come first, then one part per finished batch (its transcripts before it), then
the table and the final manifest, each file replaced atomically. The table is built
from the parts alone, so a resumed sweep ends in the same table as one never
interrupted.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd
from plurisim.errors import SpecError
from plurisim.experiments.folder import inspect_folder, part_name, tidy
from plurisim.experiments.lock import FolderLock
from plurisim.experiments.tasks import Task
from plurisim.interrupts import interrupts_deferred
from plurisim.outputs import atomic_path, write_text_atomic

__all__ = ["ResultStore", "package_versions"]

PACKAGES = (
    "plurisim",
    "numpy",
    "scipy",
    "pandas",
    "networkx",
    "pydantic",
    "mesa",
    "dask",
    "distributed",
    "langchain-core",
    "pyarrow",
)


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages a run depends on."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _parquet() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


_LEADING = ("run_id", "scenario", "mechanism", "seed")
_MIDDLE = ("params", "agreement", "rounds", "status", "package", "cost", "reference")


def _column_order(col: Any) -> tuple[int, int, str]:
    """Identity first, then parameters, the outcome, its LLM calls, its metrics, the reference's."""
    col = str(col)
    if col in _LEADING:
        return (0, _LEADING.index(col), "")
    if col.startswith("param_"):
        return (1, 0, col)
    if col in _MIDDLE:
        return (2, _MIDDLE.index(col), "")
    if col.startswith("llm_"):
        return (2, len(_MIDDLE), col)
    if col.startswith("reference_"):
        return (4, 0, col)
    return (3, 0, col)


class ResultStore:
    """Reads and writes one sweep's results folder (use it as a context manager).

    Parameters
    ----------
    folder : path
    digest : str
        The spec's hash (:meth:`SweepSpec.digest`).
    spec : dict
        The spec as JSON data, kept in the manifest.
    tasks : sequence of Task
        Every run of the spec, in run order.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        digest: str,
        spec: dict[str, Any],
        tasks: Sequence[Task],
    ) -> None:
        self.folder = Path(folder)
        self.digest = digest
        self.spec = spec
        self.total = len(tasks)
        self.parts = self.folder / "parts"
        self.manifest_path = self.folder / "manifest.json"
        self.manifest: dict[str, Any] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, dict[str, Any]] = {}
        self.repairs: list[str] = []
        self.parts_written = 0
        self.transcripts_written = 0
        self._lock = FolderLock(self.folder)
        self._runs = {
            t.run_id: {
                "index": t.index,
                "scenario": t.scenario_label,
                "mechanism": t.mechanism,
                "seed": t.seed_index,
            }
            for t in tasks
        }

    # -- opening and closing -----------------------------------------------------------

    def open(self, extra: dict[str, Any]) -> set[str]:
        """Lock and check the folder (creating it if needed); return the finished run ids.

        Raises
        ------
        SpecError
            If the folder is a file, is locked by another sweep, holds another
            spec's results or is damaged beyond a safe repair.
        """
        if self.folder.exists() and not self.folder.is_dir():
            raise SpecError(
                f"{self.folder}: exists and is not a directory; give a directory for --out."
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock.acquire()
        try:
            state = inspect_folder(self.folder, self.digest, self._runs)
        except BaseException:
            self._lock.release()
            raise
        self.rows = state.rows
        self.repairs = state.repairs
        self.manifest = state.manifest or {
            "spec_hash": self.digest,
            "spec": self.spec,
            "runs": self.total,
            "created": _now(),
        }
        self.manifest.update(
            {
                **extra,
                "status": "running",
                "started": _now(),
                "finished": None,
                "completed": len(self.rows),
                "failed": 0,
                "package_versions": package_versions(),
            }
        )
        self.manifest.pop("error", None)
        if self.repairs:
            self.manifest["repairs"] = [*self.manifest.get("repairs", []), *self.repairs]
        self._write_manifest()
        self.parts.mkdir(exist_ok=True)
        return set(self.rows)

    def close(self) -> None:
        """Release the folder's lock."""
        self._lock.release()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------

    def write_part(self, rows: list[dict[str, Any]]) -> None:
        """Store finished runs (and their transcripts) atomically."""
        if not rows:
            return
        for row in rows:
            text = row.pop("_transcript", None)
            if text is not None:
                folder = self.folder / "transcripts"
                folder.mkdir(exist_ok=True)
                write_text_atomic(folder / f"{row['run_id']}.md", text)
                self.transcripts_written += 1
        lines = [json.dumps(r, sort_keys=True) for r in rows]
        # Written and counted together: an interruption's manifest counts what is on disk.
        with interrupts_deferred():
            write_text_atomic(
                self.parts / part_name(r["run_id"] for r in rows),
                "".join(f"{x}\n" for x in lines),
            )
            self.parts_written += 1
            for line in lines:  # keep what a reader of the file would get back
                row = json.loads(line)
                self.rows.setdefault(row["run_id"], row)
                self.failures.pop(row["run_id"], None)

    def add_failures(self, failures: list[dict[str, Any]]) -> None:
        """Record runs that raised (written to ``failures.jsonl`` at the end)."""
        for failure in failures:
            self.failures[failure["run_id"]] = failure

    def finish(self) -> pd.DataFrame:
        """Assemble every finished run into the metrics table and close the manifest."""
        table = self.table()
        name = "metrics.parquet" if _parquet() else "metrics.csv"
        if name == "metrics.parquet":
            with atomic_path(self.folder / name) as tmp:
                table.to_parquet(tmp, index=False)
        else:
            write_text_atomic(self.folder / name, table.to_csv(index=False))
        stale = self.folder / ("metrics.csv" if name == "metrics.parquet" else "metrics.parquet")
        if stale.exists():
            stale.unlink()
        self._write_failures()
        complete = len(table) == self.total
        self.manifest.update(
            {
                "status": "complete" if complete else "incomplete",
                "finished": _now(),
                "completed": len(table),
                "failed": len(self.failures),
                "table": name,
            }
        )
        self._write_manifest()
        return table

    def mark(self, status: str, error: str | None = None) -> None:
        """Record an interruption or failure in the manifest (the folder stays resumable)."""
        self._write_failures()
        self.manifest.update(
            {
                "status": status,
                "finished": _now(),
                "completed": len(self.rows),
                "failed": len(self.failures),
            }
        )
        if error:
            self.manifest["error"] = error
        self._write_manifest()
        tidy(self.folder)  # a temporary file the interruption caught between creation and removal

    # -- reading ------------------------------------------------------------------------

    def table(self) -> pd.DataFrame:
        """Every finished run, one row each, in the spec's run order."""
        rows = sorted(self.rows.values(), key=lambda r: r["index"])
        frame = pd.DataFrame(rows)
        if not frame.empty:
            frame = frame.drop(columns=["index"]).reset_index(drop=True)
            frame = frame[sorted(frame.columns, key=_column_order)]
        return frame

    def failure_table(self) -> pd.DataFrame:
        """The runs that raised, in run order, with their error messages."""
        failed: list[dict[str, Any]] = sorted(self.failures.values(), key=lambda r: r["index"])
        return pd.DataFrame(failed)

    @property
    def failures_path(self) -> Path:
        """Where the failed runs and their errors are written."""
        return self.folder / "failures.jsonl"

    def _write_failures(self) -> None:
        if self.failures:
            body = "".join(
                json.dumps(f, sort_keys=True) + "\n"
                for f in sorted(self.failures.values(), key=lambda r: r["index"])
            )
            write_text_atomic(self.failures_path, body)
        elif self.failures_path.exists():
            self.failures_path.unlink()

    def _write_manifest(self) -> None:
        write_text_atomic(
            self.manifest_path, json.dumps(self.manifest, indent=2, sort_keys=True, default=str)
        )
