"""``Embedding``: one vector, stored in numpy, used like the reference's ``list[float]``.

A response of 20,000 vectors would cost ~30 million Python floats as lists; kept as
rows of numpy arrays it costs exactly the vectors' bytes. The class still answers
``len``, indexing, iteration and ``==`` against lists, and ``tolist()`` gives the plain
list; ``numpy.asarray(embedding)`` is a zero-copy view for vector maths.
"""

from __future__ import annotations

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


def rows_of(matrix: FloatArray) -> list[Embedding]:
    """One ``Embedding`` per row of ``matrix``, each a view (the matrix is made read-only)."""
    matrix.flags.writeable = False
    of = Embedding._of
    return [of(row) for row in matrix]
