"""Embedding vectors: numpy inside, list[float] outside."""

from __future__ import annotations

import json

import numpy as np
import pytest

from specwire.embedding import Embedding, EmbeddingResponse, EmbeddingUsage


def test_behaves_like_a_list_of_floats() -> None:
    vector = Embedding(np.array([0.5, -1.0, 2.0], dtype=np.float32))
    assert len(vector) == 3
    assert vector[0] == 0.5 and isinstance(vector[0], float)
    assert vector[-1] == 2.0 and vector[1:] == [-1.0, 2.0]
    assert list(vector) == [0.5, -1.0, 2.0] and vector.tolist() == [0.5, -1.0, 2.0]
    assert vector == [0.5, -1.0, 2.0] and vector == (0.5, -1.0, 2.0)
    assert vector != [0.5, -1.0] and vector != [0.5, -1.0, 2.5] and vector != "abc"
    assert -1.0 in vector and vector.index(2.0) == 2
    assert sum(vector) == 1.5


def test_is_read_only_and_does_not_alias_the_callers_array() -> None:
    source = np.array([1.0, 2.0])
    vector = Embedding(source)
    source[0] = 99.0
    assert vector[0] == 1.0
    with pytest.raises(ValueError):
        vector.array[0] = 5.0


def test_numpy_interop_is_zero_copy() -> None:
    vector = Embedding([1.0, 2.0, 3.0])
    assert np.asarray(vector) is vector.array
    assert float(np.dot(vector, vector)) == 14.0
    assert np.asarray(vector, dtype=np.float32).dtype == np.float32


def test_integers_become_floats_and_shapes_are_checked() -> None:
    assert Embedding([1, 2]).dtype == np.float64
    with pytest.raises(ValueError):
        Embedding(np.zeros((2, 2)))


def test_response_serialises_vectors_as_lists() -> None:
    response = EmbeddingResponse(
        embeddings=[[0.25, 0.5], Embedding(np.array([1.0, 2.0], dtype=np.float32))],  # type: ignore[list-item]
        usage=EmbeddingUsage(tokens=3, time=0.1),
    )
    assert all(isinstance(v, Embedding) for v in response.embeddings)
    data = json.loads(response.model_dump_json())
    assert data["embeddings"] == [[0.25, 0.5], [1.0, 2.0]]
    assert data["type"] == "embedding" and data["source"] == "api"
    again = EmbeddingResponse.model_validate(data)
    assert again.embeddings == response.embeddings
    schema = EmbeddingResponse.model_json_schema()
    assert schema["properties"]["embeddings"]["items"] == {
        "type": "array",
        "items": {"type": "number"},
    }
    assert "dimensions=2" in repr(response.embeddings[0])


# The README's contract, written from the reference's table: ``embeddings`` is a
# ``list[Embedding]``, "one vector per input", read as lists of floats.
def test_plus_and_times_behave_as_for_a_list() -> None:
    vector = Embedding(np.array([0.5, 1.0], dtype=np.float32))
    appended, prepended = vector + [2.0], [2.0] + vector  # noqa: RUF005  # the operator itself
    assert appended == [0.5, 1.0, 2.0] and isinstance(appended, list)
    assert prepended == [2.0, 0.5, 1.0] and isinstance(prepended, list)
    assert vector + vector == [0.5, 1.0, 0.5, 1.0]
    assert vector * 2 == [0.5, 1.0, 0.5, 1.0] and 2 * vector == vector * 2
    with pytest.raises(TypeError):
        vector + (1.0,)  # type: ignore[operator]  # noqa: RUF005  # a list refuses a tuple too
    # an array operand is numpy's: element-wise, exactly as for [0.5, 1.0] + array
    assert (vector + np.array([1.0, 1.0])).tolist() == [1.5, 2.0]
    assert (np.asarray(vector) * 2.0).tolist() == [1.0, 2.0]


def test_the_exact_contract_a_read_only_sequence_not_a_list() -> None:
    from collections.abc import Sequence

    vector = Embedding([0.25, 0.5])
    assert isinstance(vector, Sequence) and not isinstance(vector, list)
    with pytest.raises(TypeError):
        json.dumps(vector)  # not a list: use tolist() or the response's export
    assert json.dumps(vector.tolist()) == "[0.25, 0.5]"
    assert list(reversed(vector)) == [0.5, 0.25] and vector.count(0.5) == 1


def test_json_dumps_works_through_the_responses_export() -> None:
    response = EmbeddingResponse(
        embeddings=[Embedding(np.array([1.0, 2.0], dtype=np.float32)), [3.0]],  # type: ignore[list-item]
    )
    exported = response.model_dump()
    assert exported["embeddings"] == [[1.0, 2.0], [3.0]]
    assert all(type(v) is list for v in exported["embeddings"])
    text = json.dumps(exported)
    assert json.loads(text)["embeddings"] == [[1.0, 2.0], [3.0]]
    assert json.loads(response.model_dump_json())["embeddings"] == [[1.0, 2.0], [3.0]]


def test_pickle_and_copy_keep_the_vector_read_only() -> None:
    import copy
    import pickle

    vector = Embedding(np.array([1.0, 2.0], dtype=np.float32))
    for again in (pickle.loads(pickle.dumps(vector)), copy.deepcopy(vector), copy.copy(vector)):
        assert again == vector and again.dtype == np.float32
        with pytest.raises(ValueError):
            again.array[0] = 9.0
