"""FileEmbeddingCache: atomic writes, corrupt files as misses, eviction by age past
either limit, several processes on one directory, and dict-like behaviour."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specwire.embedding import Embedding, FileEmbeddingCache

DIMS = 16
FILE_BYTES = 128 + DIMS * 4  # .npy header + float32 data


def npy_stems(folder: Path) -> list[str]:
    """The keys with a file in ``folder``, sorted."""
    return sorted(p.stem for p in folder.glob("*.npy"))


def npy_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.npy"))


def vec(seed: int, dims: int = DIMS) -> Embedding:
    return Embedding(np.full(dims, seed, dtype=np.float32) + np.arange(dims, dtype=np.float32))


async def test_store_retrieve_remove_clear(tmp_path: Path) -> None:
    cache = FileEmbeddingCache(tmp_path)
    await cache.store("k1", vec(1))
    got = await cache.retrieve("k1")
    assert got == vec(1) and got is not None and got.dtype == np.float32
    assert await cache.retrieve("missing") is None
    await cache.remove("k1")
    await cache.remove("k1")  # absent: no error
    assert await cache.retrieve("k1") is None
    await cache.store_many([("a", vec(1)), ("b", vec(2))])
    (tmp_path / "notes.txt").write_text("not ours")
    await cache.clear()
    assert os.listdir(tmp_path) == ["notes.txt"]


async def test_keys_cannot_escape_the_directory(tmp_path: Path) -> None:
    cache = FileEmbeddingCache(tmp_path)
    with pytest.raises(ValueError):
        await cache.store("../evil", vec(1))


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated data
        lambda raw: raw[:40],  # truncated header
        lambda raw: b"",  # empty
        lambda raw: b"garbage" * 30,  # not .npy
    ],
)
async def test_corrupt_files_are_misses_and_removed(tmp_path: Path, damage: Any) -> None:
    cache = FileEmbeddingCache(tmp_path)
    await cache.store("k", vec(3))
    path = tmp_path / "k.npy"
    path.write_bytes(damage(path.read_bytes()))
    assert await cache.retrieve("k") is None
    assert not path.exists()


async def test_non_vector_arrays_are_misses(tmp_path: Path) -> None:
    np.save(tmp_path / "k.npy", np.zeros((2, 2)))
    assert await FileEmbeddingCache(tmp_path).retrieve("k") is None


async def test_evicts_oldest_past_max_file_number(tmp_path: Path) -> None:
    cache = FileEmbeddingCache(tmp_path, max_file_number=3)
    for i in range(5):
        await cache.store(f"k{i}", vec(i))
    assert npy_stems(tmp_path) == ["k2", "k3", "k4"]
    await cache.store("k2", vec(9))  # rewriting makes it the newest
    await cache.store("k5", vec(5))
    assert npy_stems(tmp_path) == ["k2", "k4", "k5"]


async def test_evicts_past_max_cache_size_in_megabytes(tmp_path: Path) -> None:
    cache = FileEmbeddingCache(tmp_path, max_cache_size=(FILE_BYTES * 4) / (1024 * 1024))
    for i in range(10):
        await cache.store(f"k{i}", vec(i))
    files = npy_stems(tmp_path)
    assert files == ["k6", "k7", "k8", "k9"]
    assert npy_bytes(tmp_path) <= FILE_BYTES * 4


async def test_stale_temp_files_are_swept(tmp_path: Path) -> None:
    stale = tmp_path / ".k.123.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (1, 1))
    cache = FileEmbeddingCache(tmp_path, max_file_number=10)
    await cache.store("k", vec(1))
    assert not stale.exists()


# ------------------------------------------------------------ several processes
class _CountingCache(FileEmbeddingCache):
    """Counts files found unreadable: with atomic writes there must be none."""

    unreadable = 0

    def _remove_if_same(self, path: Path, inode: int) -> None:
        type(self).unreadable += 1
        super()._remove_if_same(path, inode)


def _whole(vector: Embedding) -> bool:
    """Whether ``vector`` is one written by ``vec`` (constant offset from arange)."""
    offsets = np.asarray(vector) - np.arange(len(vector), dtype=np.float32)
    return len(vector) == 64 and bool(np.all(offsets == offsets[0]))


def _hammer(folder: str, worker: int, rounds: int, max_files: int, bad: Any) -> None:
    async def run() -> None:
        cache = _CountingCache(folder, max_file_number=max_files)
        for i in range(rounds):
            # every writer writes its own values for shared keys, so readers race writers
            await cache.store(f"k{(i * 7 + worker) % 40}", vec(worker * 1000 + i, 64))
            for probe in (f"k{(i * 3 + worker) % 40}", f"k{(i + worker * 3) % 40}"):
                got = await cache.retrieve(probe)
                if got is not None and not _whole(got):
                    bad.value += 1
        bad.value += _CountingCache.unreadable

    asyncio.run(run())


def test_many_processes_share_one_directory(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    bad = context.Value("i", 0)
    workers = [
        context.Process(target=_hammer, args=(str(tmp_path), w, 150, 25, bad)) for w in range(6)
    ]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    assert bad.value == 0
    files = list(tmp_path.glob("*.npy"))
    assert 0 < len(files) <= 25
    assert not list(tmp_path.glob(".*.tmp"))
    cache = FileEmbeddingCache(tmp_path)
    for path in files:
        got = asyncio.run(cache.retrieve(path.stem))
        assert got is not None and _whole(got)


# ------------------------------------------------------------ dict-like behaviour
operations = st.lists(
    st.one_of(
        st.tuples(st.just("store"), st.integers(0, 7), st.integers(0, 1000)),
        st.tuples(st.just("retrieve"), st.integers(0, 7), st.just(0)),
        st.tuples(st.just("remove"), st.integers(0, 7), st.just(0)),
        st.tuples(st.just("clear"), st.just(0), st.just(0)),
    ),
    max_size=40,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations, limit=st.sampled_from([None, 1, 3, 5]), by_size=st.booleans())
def test_behaves_like_a_bounded_dict(
    tmp_path_factory: Any, ops: Any, limit: Any, by_size: bool
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    if by_size and limit is not None:
        cache = FileEmbeddingCache(folder, max_cache_size=FILE_BYTES * limit / (1024 * 1024))
    else:
        cache = FileEmbeddingCache(folder, max_file_number=limit)
    model: OrderedDict[str, Embedding] = OrderedDict()

    async def run() -> None:
        for op, key_number, value in ops:
            key = f"k{key_number}"
            if op == "store":
                await cache.store(key, vec(value))
                model.pop(key, None)
                model[key] = vec(value)
                while limit is not None and len(model) > limit:
                    model.popitem(last=False)
            elif op == "retrieve":
                assert await cache.retrieve(key) == model.get(key)
            elif op == "remove":
                await cache.remove(key)
                model.pop(key, None)
            else:
                await cache.clear()
                model.clear()
            assert npy_stems(folder) == sorted(model)

    asyncio.run(run())
