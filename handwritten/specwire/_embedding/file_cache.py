"""``FileEmbeddingCache``: one ``.npy`` file per vector in a directory that several
processes may share.

Safety comes from the file system, not from locks:
- a vector is written to a temporary file in the same directory and renamed over its
  final name, so a reader sees the old file, the new file, or none, never a torn one;
- a file that does not load as a 1-D float array (truncated, corrupt, foreign) is a
  miss and is removed;
- after each write the directory is scanned and the oldest files (by the write time the
  cache stamps on them) are removed until both limits hold. Processes evicting at once
  may remove a little more than needed, never less, so the limits hold afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .cache import EmbeddingCacheBase
from .vector import Embedding

_KEY = re.compile(r"[A-Za-z0-9_-]{1,200}")
_SUFFIX = ".npy"
_TEMP_SUFFIX = ".tmp"
_STALE_TEMP_NS = 3600 * 10**9  # a temp file this old belongs to a writer that died
_MB = 1024 * 1024


class FileEmbeddingCache(EmbeddingCacheBase):
    """Vectors as ``<key>.npy`` files in ``cache_dir``; at most ``max_file_number``
    files and ``max_cache_size`` megabytes (MiB), oldest evicted first (None: no limit)."""

    _clock_lock = threading.Lock()
    _last_stamp = 0

    def __init__(
        self,
        cache_dir: str | os.PathLike[str] = "./.cache/embeddings",
        max_file_number: int | None = None,
        max_cache_size: float | None = None,
    ) -> None:
        if max_file_number is not None and max_file_number < 0:
            raise ValueError("max_file_number must be >= 0")
        if max_cache_size is not None and max_cache_size < 0:
            raise ValueError("max_cache_size must be >= 0 (megabytes)")
        self.cache_dir = Path(cache_dir)
        self.max_file_number = max_file_number
        self.max_cache_size = max_cache_size
        self.cache_dir.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return (
            f"FileEmbeddingCache(cache_dir={str(self.cache_dir)!r}, "
            f"max_file_number={self.max_file_number}, max_cache_size={self.max_cache_size})"
        )

    # ------------------------------------------------------------------ async API
    async def store(self, key: str, embedding: Embedding) -> None:
        """Write the vector atomically, then evict past the limits."""
        await asyncio.to_thread(self._store_all, [(key, embedding)])

    async def retrieve(self, key: str) -> Embedding | None:
        """The vector, or None when absent or unreadable (an unreadable file is removed)."""
        return await asyncio.to_thread(self._read, key)

    async def remove(self, key: str) -> None:
        """Delete the key's file if present."""
        await asyncio.to_thread(self._unlink, self._path(key))

    async def clear(self) -> None:
        """Delete every vector file (and this cache's temporary files) in the directory."""
        await asyncio.to_thread(self._clear)

    async def store_many(self, items: Sequence[tuple[str, Embedding]]) -> None:
        """Write all, then evict once."""
        if items:
            await asyncio.to_thread(self._store_all, list(items))

    async def retrieve_many(self, keys: Sequence[str]) -> list[Embedding | None]:
        """Read all in one worker thread."""
        if not keys:
            return []
        return await asyncio.to_thread(lambda: [self._read(k) for k in keys])

    # ------------------------------------------------------------------ files
    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"cache keys are 1-200 characters of [A-Za-z0-9_-], got {key!r}")
        return self.cache_dir / f"{key}{_SUFFIX}"

    @classmethod
    def _stamp(cls) -> int:
        """A write time in ns, strictly increasing within the process. File systems
        stamp mtimes with a coarse clock; equal stamps would make "oldest" ambiguous."""
        with cls._clock_lock:
            cls._last_stamp = max(time.time_ns(), cls._last_stamp + 1)
            return cls._last_stamp

    def _store_all(self, items: list[tuple[str, Embedding]]) -> None:
        for key, embedding in items:
            self._write(self._path(key), np.asarray(embedding))
        self._evict()

    def _write(self, path: Path, array: Any) -> None:
        fd, temp = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=_TEMP_SUFFIX, dir=self.cache_dir
        )
        try:
            with os.fdopen(fd, "wb") as handle:
                np.save(handle, array, allow_pickle=False)
            stamp = self._stamp()
            os.utime(temp, ns=(stamp, stamp))
            os.replace(temp, path)
        except FileNotFoundError:
            # ``clear()`` in another process removed our temp file: the write is moot
            self._unlink(Path(temp))
        except BaseException:
            self._unlink(Path(temp))
            raise

    def _read(self, key: str) -> Embedding | None:
        path = self._path(key)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, inode kept for removal
        except FileNotFoundError:
            return None
        with handle:
            inode = os.fstat(handle.fileno()).st_ino
            try:
                array = np.load(handle, allow_pickle=False)
            except (ValueError, EOFError, OSError):
                array = None
        if (
            isinstance(array, np.ndarray)
            and array.ndim == 1
            and np.issubdtype(array.dtype, np.floating)
        ):
            array.flags.writeable = False
            return Embedding._of(array)
        self._remove_if_same(path, inode)
        return None

    def _remove_if_same(self, path: Path, inode: int) -> None:
        """Remove a bad file unless another writer has meanwhile replaced it."""
        try:
            if os.stat(path).st_ino == inode:
                path.unlink()
        except FileNotFoundError:
            pass

    @staticmethod
    def _unlink(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def _evict(self) -> None:
        max_files = self.max_file_number
        max_bytes = None if self.max_cache_size is None else int(self.max_cache_size * _MB)
        if max_files is None and max_bytes is None:
            return
        entries: list[tuple[int, str, int]] = []
        total = 0
        now = time.time_ns()
        with os.scandir(self.cache_dir) as listing:
            for entry in listing:
                name = entry.name
                try:
                    if name.endswith(_SUFFIX) and not name.startswith("."):
                        info = entry.stat()
                        entries.append((info.st_mtime_ns, name, info.st_size))
                        total += info.st_size
                    elif (
                        name.startswith(".")
                        and name.endswith(_TEMP_SUFFIX)
                        and now - entry.stat().st_mtime_ns > _STALE_TEMP_NS
                    ):
                        self._unlink(Path(entry.path))
                except FileNotFoundError:
                    continue  # removed by another process while we listed
        count = len(entries)
        if (max_files is None or count <= max_files) and (max_bytes is None or total <= max_bytes):
            return
        entries.sort()
        for _, name, size in entries:
            if (max_files is None or count <= max_files) and (
                max_bytes is None or total <= max_bytes
            ):
                break
            self._unlink(self.cache_dir / name)
            count -= 1
            total -= size

    def _clear(self) -> None:
        with os.scandir(self.cache_dir) as listing:
            for entry in listing:
                name = entry.name
                ours = (name.endswith(_SUFFIX) and not name.startswith(".")) or (
                    name.startswith(".") and name.endswith(_TEMP_SUFFIX)
                )
                if ours:
                    self._unlink(Path(entry.path))
