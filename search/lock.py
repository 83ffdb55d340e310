"""One reindex at a time per index folder, with a lock the kernel frees if the process dies."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "reindex.lock"
_held: set[Path] = set()  # POSIX locks do not exclude the process that holds them


class ReindexRunning(Exception):
    """Another process is reindexing the same folder."""


class ReindexLock:
    """An exclusive POSIX lock on index_dir/reindex.lock that records the holder's pid.

    A killed reindex leaves no stale lock: the kernel drops the lock with the process, and
    (unlike flock) worker processes forked from it do not inherit it.
    """

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / LOCK_FILE
        self.handle = None

    def __enter__(self) -> "ReindexLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.resolve() in _held:
            raise ReindexRunning(f"another reindex is running (pid {os.getpid()}) on {self.path.parent}/")
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            pid = handle.read().strip() or "unknown"
            handle.close()
            raise ReindexRunning(f"another reindex is running (pid {pid}) on {self.path.parent}/") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        _held.add(self.path.resolve())
        return self

    def __exit__(self, *exc) -> None:
        _held.discard(self.path.resolve())
        self.handle.seek(0)
        self.handle.truncate()
        fcntl.lockf(self.handle, fcntl.LOCK_UN)
        self.handle.close()
