"""``Embedding``: one vector, stored in numpy, read like the reference's ``list[float]``.

The contract: an ``Embedding`` is a read-only ``collections.abc.Sequence[float]``, not a
``list`` subclass. It answers ``len``, indexing (a slice gives a ``list``), iteration,
``in``, ``index``/``count``, ``==`` against lists, tuples and arrays, and ``+``/``*`` as a
list does (concatenation with a list, repetition by an int; the result is a ``list``).
``tolist()`` gives the plain list (for ``json.dumps``, or to change it); ``.array`` and
``numpy.asarray(embedding)`` are a zero-copy read-only view for vector maths. An
``EmbeddingResponse`` exports its vectors as lists (``model_dump()``,
``model_dump_json()``), so ``json.dumps(response.model_dump())`` works.

Why not a real ``list``: a response of 20,000 x 1536 vectors as Python floats costs
~1 GB (32 bytes a number) against 123 MB as float32 rows. A ``list`` subclass filled
lazily from the array is no way out: C code reads a list's own storage directly, so
``orjson.dumps(v)``, pydantic's ``list[float]`` validation and ``[1.0] + v`` would
silently see an empty list.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from typing import Any, SupportsIndex, overload

import numpy as np
import numpy.typing as npt
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

FloatArray = npt.NDArray[np.floating[Any]]


class Embedding(Sequence[float]):
    """A dense vector. Read-only; compares equal to a list, tuple or array holding the
    same values (``Embedding([0.5, 1.0]) == [0.5, 1.0]``)."""

    __slots__ = ("_array",)
    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are unhashable

    def __init__(self, values: Sequence[float] | FloatArray) -> None:
        owned = not isinstance(values, np.ndarray)  # asarray of a list makes a new array
        array = np.asarray(values)
        if array.ndim != 1:
            raise ValueError(f"an embedding is one-dimensional, got shape {array.shape}")
        if not np.issubdtype(array.dtype, np.floating):
            array, owned = array.astype(np.float64), True
        if array.flags.writeable:
            if not owned:
                array = array.copy()  # the caller's array may change later; ours may not
            array.flags.writeable = False
        self._array: FloatArray = array

    @classmethod
    def _of(cls, array: FloatArray) -> Embedding:
        """Wrap a 1-D float array the caller owns and has made read-only (no checks)."""
        self = cls.__new__(cls)
        self._array = array
        return self

    # ------------------------------------------------------------ list behaviour
    def __len__(self) -> int:
        return int(self._array.shape[0])

    @overload
    def __getitem__(self, index: SupportsIndex) -> float: ...
    @overload
    def __getitem__(self, index: slice) -> list[float]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> float | list[float]:
        if isinstance(index, slice):
            values: list[float] = self._array[index].tolist()
            return values
        return float(self._array[index])

    def __iter__(self) -> Iterator[float]:
        return iter(self.tolist())

    # ``+`` and ``*`` mean what they mean for a list (an array operand is numpy's call,
    # as it is for ``[1.0] + array``): concatenation and repetition, giving a list.
    def __add__(self, other: object) -> list[float]:
        if isinstance(other, Embedding):
            return self.tolist() + other.tolist()
        if isinstance(other, list):
            return self.tolist() + other
        return NotImplemented

    def __radd__(self, other: object) -> list[float]:
        if isinstance(other, list):
            return other + self.tolist()
        return NotImplemented

    def __mul__(self, times: object) -> list[float]:
        try:
            count = operator.index(times)  # type: ignore[arg-type]  # refused below if not
        except TypeError:
            return NotImplemented
        return self.tolist() * count

    __rmul__ = __mul__

    def __reduce__(self) -> tuple[Any, tuple[FloatArray]]:
        # pickle and copy: numpy unpickles arrays writeable; ours must stay read-only
        return (_restore, (self._array,))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Embedding):
            return bool(np.array_equal(self._array, other._array))
        if isinstance(other, list | tuple | np.ndarray):
            try:
                return bool(np.array_equal(self._array, np.asarray(other, dtype=np.float64)))
            except (TypeError, ValueError):
                return False
        return NotImplemented

    def __repr__(self) -> str:
        head = ", ".join(f"{v:.6g}" for v in self._array[:4].tolist())
        more = ", ..." if len(self) > 4 else ""
        return f"Embedding([{head}{more}], dimensions={len(self)})"

    def tolist(self) -> list[float]:
        """The values as a plain list of floats."""
        values: list[float] = self._array.tolist()
        return values

    # ------------------------------------------------------------ numpy access
    @property
    def array(self) -> FloatArray:
        """The read-only numpy array (no copy)."""
        return self._array

    @property
    def dtype(self) -> np.dtype[Any]:
        """float32 for vectors sent as binary (OpenAI base64), float64 for JSON numbers."""
        return self._array.dtype

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> FloatArray:
        if dtype is None or np.dtype(dtype) == self._array.dtype:
            return self._array.copy() if copy else self._array
        converted: FloatArray = self._array.astype(dtype)
        return converted

    # ------------------------------------------------------------ pydantic
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda value: value.tolist()
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "array", "items": {"type": "number"}}

    @classmethod
    def _validate(cls, value: Any) -> Embedding:
        if isinstance(value, Embedding):
            return value
        return cls(value)


def _restore(array: FloatArray) -> Embedding:
    array.flags.writeable = False  # a fresh array from pickle, owned by nobody else
    return Embedding._of(array)


def rows_of(matrix: FloatArray) -> list[Embedding]:
    """One ``Embedding`` per row of ``matrix``, each a view (the matrix is made read-only)."""
    matrix.flags.writeable = False
    of = Embedding._of
    return [of(row) for row in matrix]
