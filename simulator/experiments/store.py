"""The results folder of a sweep: parts written atomically, a manifest, the final table.

Layout::

    DIR/manifest.json          spec, its hash, seeds, package versions, times, status
    DIR/parts/part-*.jsonl     finished runs, one file per finished batch
    DIR/metrics.parquet        (or metrics.csv without pyarrow) one row per run
    DIR/transcripts/*.md       per-run transcripts, when the spec asks for them

Every file is written to a temporary name and renamed into place, so an interrupted
sweep leaves no half-written file. Re-running the same spec into the same folder
reads the parts and runs only what is missing; a different spec is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from plurisim.errors import SpecError
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
    """Identity first, then parameters, the outcome, its metrics, the reference's."""
    col = str(col)
    if col in _LEADING:
        return (0, _LEADING.index(col), "")
    if col.startswith("param_"):
        return (1, 0, col)
    if col in _MIDDLE:
        return (2, _MIDDLE.index(col), "")
    if col.startswith("reference_"):
        return (4, 0, col)
    return (3, 0, col)


class ResultStore:
    """Reads and writes one sweep's results folder."""

    def __init__(
        self, folder: str | os.PathLike[str], digest: str, spec: dict[str, Any], total: int
    ) -> None:
        self.folder = Path(folder)
        self.digest = digest
        self.spec = spec
        self.total = total
        self.parts = self.folder / "parts"
        self.manifest_path = self.folder / "manifest.json"

    # -- opening ------------------------------------------------------------------------

    def open(self, extra: dict[str, Any]) -> set[str]:
        """Create or reopen the folder; return the ids of runs already finished.

        Raises
        ------
        SpecError
            If the folder holds a sweep of a different spec, or is not a folder.
        """
        if self.folder.exists() and not self.folder.is_dir():
            raise SpecError(
                f"{self.folder}: exists and is not a directory; give a directory for --out."
            )
        if self.manifest_path.exists():
            old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if old.get("spec_hash") != self.digest:
                raise SpecError(
                    f"{self.folder}: holds the results of a different sweep spec (hash "
                    f"{str(old.get('spec_hash'))[:12]}, this spec {self.digest[:12]}); "
                    "use another --out directory or remove that one."
                )
            self.manifest = old
        elif self.folder.exists() and any(self.folder.iterdir()):
            raise SpecError(
                f"{self.folder}: is not empty and holds no sweep manifest; use an empty directory."
            )
        else:
            self.manifest = {
                "spec_hash": self.digest,
                "spec": self.spec,
                "runs": self.total,
                "created": _now(),
            }
        self.parts.mkdir(parents=True, exist_ok=True)
        done = set(self._rows_by_id())
        self.manifest.update(
            {
                **extra,
                "status": "running",
                "started": _now(),
                "finished": None,
                "completed": len(done),
                "package_versions": package_versions(),
            }
        )
        self._write_manifest()
        return done

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
        ids = ",".join(sorted(r["run_id"] for r in rows))
        name = f"part-{hashlib.sha1(ids.encode()).hexdigest()[:16]}.jsonl"
        body = "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
        write_text_atomic(self.parts / name, body)

    def finish(self) -> pd.DataFrame:
        """Assemble every run into the metrics table and mark the sweep complete."""
        table = self.table()
        if _parquet():
            with atomic_path(self.folder / "metrics.parquet") as tmp:
                table.to_parquet(tmp, index=False)
            stale = self.folder / "metrics.csv"
        else:
            write_text_atomic(self.folder / "metrics.csv", table.to_csv(index=False))
            stale = self.folder / "metrics.parquet"
        if stale.exists():
            stale.unlink()
        self.manifest.update(
            {
                "status": "complete" if len(table) == self.total else "incomplete",
                "finished": _now(),
                "completed": len(table),
                "table": "metrics.parquet" if _parquet() else "metrics.csv",
            }
        )
        self._write_manifest()
        return table

    def mark(self, status: str) -> None:
        """Record an interruption or failure in the manifest."""
        self.manifest.update(
            {"status": status, "finished": _now(), "completed": len(self._rows_by_id())}
        )
        self._write_manifest()

    # -- reading ------------------------------------------------------------------------

    def _rows_by_id(self) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        if not self.parts.is_dir():
            return rows
        for part in sorted(self.parts.glob("part-*.jsonl")):
            for line in part.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                rows.setdefault(row["run_id"], row)  # a run finished twice counts once
        return rows

    def table(self) -> pd.DataFrame:
        """Every finished run, one row each, in the spec's run order."""
        rows = sorted(self._rows_by_id().values(), key=lambda r: r["index"])
        frame = pd.DataFrame(rows)
        if not frame.empty:
            frame = frame.drop(columns=["index"]).reset_index(drop=True)
            frame = frame[sorted(frame.columns, key=_column_order)]
        return frame

    def _write_manifest(self) -> None:
        write_text_atomic(
            self.manifest_path, json.dumps(self.manifest, indent=2, sort_keys=True, default=str)
        )
