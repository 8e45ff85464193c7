"""Writing result files without leaving half-written ones behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["atomic_path", "ensure_dir", "save_figure", "write_text_atomic"]


def ensure_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and parents) if needed; refuse a path that is a file."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        from plurisim.errors import ParameterError

        raise ParameterError(f"{p}: exists and is not a directory; give a directory for --out.")
    p.mkdir(parents=True, exist_ok=True)
    return p


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[str]:
    """A temporary path beside ``target``, renamed onto it if the block succeeds.

    A reader sees the old file or the complete new one, never a part; on failure the
    temporary file is removed.
    """
    final = Path(target)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(path)


def save_figure(fig: Any, path: str | os.PathLike[str], dpi: int = 130) -> Path:
    """Save a matplotlib Figure as PNG atomically."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    return Path(path)
