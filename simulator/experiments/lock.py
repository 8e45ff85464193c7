"""An exclusive lock on a results folder, held while one sweep writes it.

The lock is ``fcntl.flock`` on ``DIR/.lock`` (``msvcrt.locking`` on Windows), taken
without waiting: a second sweep into the same folder is refused at once instead of
interleaving its files with the first one's. The operating system releases the lock
when the holder ends, however it ends, so a killed sweep never leaves the folder
locked. The file keeps the holder's pid, for the refusal message; it is never
deleted (deleting it would let two processes lock two different files).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType

from plurisim.errors import SpecError

__all__ = ["LOCK_NAME", "FolderLock"]

LOCK_NAME = ".lock"


class FolderLock:
    """Exclusive, non-blocking lock on ``folder/.lock``.

    Parameters
    ----------
    folder : path
        An existing folder.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with FolderLock(folder):
    ...     FolderLock(folder).acquire()  # a second writer, here in the same process
    Traceback (most recent call last):
    ...
    plurisim.errors.SpecError: ...: is locked by another sweep (pid ...) that is still writing it; wait for it to end, or give another --out folder.
    >>> with FolderLock(folder) as lock:  # released on leaving the block
    ...     lock.held
    True
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> FolderLock:
        """Take the lock or raise :class:`~plurisim.errors.SpecError` naming the holder.

        Raises
        ------
        SpecError
            If another process (or another lock object) holds the folder.
        """
        if self._fd is not None:
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError:
            holder = _holder(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "pid unknown"
            raise SpecError(
                f"{self.folder}: is locked by another sweep ({who}) that is still writing it; "
                "wait for it to end, or give another --out folder."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Release the lock (closing the file releases it)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _holder(fd: int, patience: float = 0.2) -> int | None:
    """The pid the holder wrote, once it is there and names a live process."""
    deadline = time.monotonic() + patience
    while True:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            pid = int(os.read(fd, 32).decode().strip())
            if _alive(pid):
                return pid
        except (OSError, ValueError):
            pass  # the holder has the lock but has not written its pid yet
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
