"""A corpus on disk for ``specwire embed``: texts in (JSON Lines or plain lines), a
matrix out (``.npy``, or Parquet when ``pyarrow`` is installed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class CorpusError(ValueError):
    """The corpus or the output path cannot be used; the message says why."""


def read_texts(path: Path, field: str = "text") -> list[str]:
    """The texts of ``path``: a ``.jsonl``/``.ndjson`` file holds one JSON object per
    line (its ``field``) or one JSON string; any other file holds one text per line.
    Blank lines are skipped."""
    if not path.is_file():
        raise CorpusError(f"no such file: {path}")
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson")
    texts: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            if not jsonl:
                texts.append(line.rstrip("\r\n"))
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if isinstance(item, dict):
                value = item.get(field)
                if not isinstance(value, str):
                    raise CorpusError(f"{path}:{number}: no string field {field!r}")
                texts.append(value)
            elif isinstance(item, str):
                texts.append(item)
            else:
                raise CorpusError(f"{path}:{number}: a line is an object or a string")
    if not texts:
        raise CorpusError(f"{path} holds no texts")
    return texts


def check_output(path: Path) -> str:
    """The output format for ``path`` (``npy`` or ``parquet``), checked up front."""
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return "npy"
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise CorpusError("Parquet output needs pyarrow (pip install pyarrow)") from exc
        return "parquet"
    raise CorpusError(f"write to a .npy or .parquet file, not {path.name}")


def write_matrix(path: Path, vectors: Sequence[Sequence[float]], texts: Sequence[str]) -> None:
    """``vectors`` (one row per text, float32) to ``path``, atomically."""
    matrix = np.asarray(vectors, dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if check_output(path) == "npy":
        with partial.open("wb") as handle:
            np.save(handle, matrix, allow_pickle=False)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        width = matrix.shape[1] if matrix.ndim == 2 else 0
        embedding = pa.FixedSizeListArray.from_arrays(pa.array(matrix.reshape(-1)), width)
        table = pa.table({"text": pa.array(list(texts)), "embedding": embedding})
        pq.write_table(table, partial)
    partial.replace(path)
