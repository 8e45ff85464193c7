"""What a sweep did: its table, its failures, the files it wrote, and a summary to print."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from plurisim.formatting import table as text_table

__all__ = ["SweepResult"]


@dataclass(frozen=True)
class SweepResult:
    """A finished (or resumed) sweep: its table, manifest and folder.

    Attributes
    ----------
    table : DataFrame
        One row per finished run, in run order.
    manifest : dict
        The manifest as written to ``manifest.json``.
    folder : Path
    ran : int
        Runs done by this call (failed ones included).
    skipped : int
        Runs reused from an earlier, interrupted call.
    failures : DataFrame
        Runs that raised in this call, with ``error`` and ``traceback``; they are
        also in ``failures.jsonl`` and are tried again by the next call.
    repairs : tuple of str
        What was repaired in the folder before resuming (torn part files dropped).
    written : tuple of str
        The files this call wrote, relative to ``folder``.
    seconds : float
        Wall time of the call.

    Examples
    --------
    >>> import pandas as pd
    >>> r = SweepResult(pd.DataFrame({"mechanism": ["maximin"], "gini": [0.1]}),
    ...                 {"spec_hash": "ab" * 32, "completed": 1, "runs": 1,
    ...                  "status": "complete"}, Path("out"), ran=0, skipped=1)
    >>> print(r)
    sweep abababababab: 1 of 1 runs (complete); ran 0, reused 1; results in out
    >>> r.failed
    0
    """

    table: pd.DataFrame
    manifest: dict[str, Any]
    folder: Path
    ran: int
    skipped: int
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    repairs: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        """How many runs raised in this call."""
        return len(self.failures)

    def __str__(self) -> str:
        m = self.manifest
        return (
            f"sweep {m['spec_hash'][:12]}: {m['completed']} of {m['runs']} runs ({m['status']}); "
            f"ran {self.ran}, reused {self.skipped}; results in {self.folder}"
        )

    def summary(self, metrics: list[str] | None = None) -> str:
        """Runs done, failed and resumed; metric means by mechanism; files written.

        Parameters
        ----------
        metrics : list of str, optional
            The metrics to average (default: those the spec asked for).

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"mechanism": ["maximin", "mes", "mes"],
        ...                   "gini": [0.1, 0.2, 0.4]})
        >>> r = SweepResult(t, {"spec_hash": "ab" * 32, "completed": 3, "runs": 3,
        ...                     "status": "complete"}, Path("out"), ran=2, skipped=1,
        ...                 written=("metrics.parquet", "manifest.json"))
        >>> print(r.summary(["gini"]))
        runs  done  ran now  resumed  failed  left
        ----  ----  -------  -------  ------  ----
           3     3        2        1       0     0
        <BLANKLINE>
        mean by mechanism  maximin  mes
        -----------------  -------  ---
        runs                     1    2
        gini                   0.1  0.3
        <BLANKLINE>
        wrote out/metrics.parquet, out/manifest.json
        >>> r.summary(["speed"])
        Traceback (most recent call last):
        ...
        ValueError: The 'metrics' parameter of summary must name columns of the table; 'speed' is not one of them.
        """
        m = self.manifest
        wanted = (
            list(metrics) if metrics is not None else list(m.get("spec", {}).get("metrics", []))
        )
        missing = [k for k in wanted if k not in self.table.columns]
        if metrics is not None and missing:
            raise ValueError(
                "The 'metrics' parameter of summary must name columns of the table; "
                f"{missing[0]!r} is not one of them."
            )
        done = int(m["completed"])
        counts = [[m["runs"], done, self.ran, self.skipped, self.failed, m["runs"] - done]]
        out = [text_table(counts, ["runs", "done", "ran now", "resumed", "failed", "left"])]
        keep = [k for k in wanted if k in self.table.columns]
        if not self.table.empty and "mechanism" in self.table.columns:
            groups = self.table.groupby("mechanism", sort=False)
            sizes = groups.size()
            names = [str(n) for n in sizes.index]
            rows: list[list[Any]] = [["runs", *(int(n) for n in sizes)]]
            means = groups[keep].mean(numeric_only=True) if keep else pd.DataFrame()
            rows += [[k, *(_number(means.at[n, k]) for n in names)] for k in means.columns]
            out.append(text_table(rows, ["mean by mechanism", *names]))
        notes = [f"repaired: {line}" for line in self.repairs]
        if self.written:
            notes.append("wrote " + ", ".join(str(self.folder / w) for w in self.written))
        if notes:
            out.append("\n".join(notes))
        return "\n\n".join(out)


def _number(value: Any) -> Any:
    return None if pd.isna(value) else float(value)
