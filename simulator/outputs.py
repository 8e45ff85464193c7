"""Writing result files without leaving half-written ones behind.

A file is written to a temporary name in its own folder, flushed to disk and renamed
onto its final name, so a reader (or a process that resumes after a crash) sees the
old file or the complete new one, never a part. The temporary file is removed on
every exit path that runs Python code (an exception, Ctrl-C, or SIGTERM inside
:func:`plurisim.interrupts.sigterm_raises`); a process killed outright can leave
one behind, which :func:`remove_temporaries` clears at the next open of the folder.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_path",
    "ensure_dir",
    "is_temporary",
    "remove_temporaries",
    "save_figure",
    "write_text_atomic",
]

# ".<final name>.<8 random characters from mkstemp>.tmp"
_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def _file_mode() -> int:
    """The mode ``open()`` would give a new file (mkstemp's are private to the owner)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


_MODE = _file_mode()


def ensure_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and parents) if needed; refuse a path that is a file."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        from plurisim.errors import ParameterError

        raise ParameterError(f"{p}: exists and is not a directory; give a directory for --out.")
    p.mkdir(parents=True, exist_ok=True)
    return p


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the platform allows opening folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(target: str | os.PathLike[str], *, durable: bool = True) -> Iterator[str]:
    """A temporary path beside ``target``, renamed onto it if the block succeeds.

    Parameters
    ----------
    target : path
        The final file name.
    durable : bool, default True
        Flush the file and the rename to disk, so a power cut cannot leave a torn
        file under the final name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.txt") as tmp:
    ...     _ = pathlib.Path(tmp).write_text("done")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt']
    >>> with atomic_path(folder / "b.txt") as tmp:
    ...     raise ValueError("failed half-way")
    Traceback (most recent call last):
    ...
    ValueError: failed half-way
    >>> sorted(p.name for p in folder.iterdir())  # no b.txt, no temporary file
    ['a.txt']
    """
    final = Path(target)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, _MODE)
        finally:
            os.close(fd)
        yield tmp
        if durable:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        os.replace(tmp, final)
        if durable:
            _fsync_folder(final.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: str | os.PathLike[str], text: str, *, durable: bool = True) -> Path:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = write_text_atomic(pathlib.Path(tempfile.mkdtemp()) / "a.txt", "done")
    >>> path.read_text()
    'done'
    >>> write_text_atomic(path.parent / "missing" / "b.txt", "x")
    Traceback (most recent call last):
    ...
    FileNotFoundError: ...
    """
    with atomic_path(path, durable=durable) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(path)


def is_temporary(name: str) -> bool:
    """Whether a file name is one of :func:`atomic_path`'s temporary names.

    Examples
    --------
    >>> is_temporary(".manifest.json.k3j_x9a2.tmp"), is_temporary("manifest.json")
    (True, False)
    >>> is_temporary(".notes.tmp")  # not the pattern: never touched
    False
    """
    return bool(_TEMPORARY.match(name))


def remove_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files a killed writer left in ``folder``; return their paths.

    Only names that match :func:`atomic_path`'s pattern are removed. Call it only
    when no other process writes the folder (under a lock).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".part-1.jsonl.abcd1234.tmp").write_text("{\\"torn")
    >>> _ = (folder / "keep.txt").write_text("mine")
    >>> [p.name for p in remove_temporaries(folder)], sorted(p.name for p in folder.iterdir())
    (['.part-1.jsonl.abcd1234.tmp'], ['keep.txt'])
    >>> remove_temporaries(folder / "missing")
    []
    """
    p = Path(folder)
    if not p.is_dir():
        return []
    removed = []
    for child in sorted(p.iterdir()):
        if is_temporary(child.name) and child.is_file():
            try:
                child.unlink()
            except FileNotFoundError:  # pragma: no cover - removed meanwhile
                continue
            removed.append(child)
    return removed


def save_figure(fig: Any, path: str | os.PathLike[str], dpi: int = 130) -> Path:
    """Save a matplotlib Figure as PNG atomically."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    return Path(path)
