"""The streaming base64 decoder: any split of a body into reads gives exactly what
parsing the whole body gives."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specwire._core.binding import EndpointBinding
from specwire._embedding.wire.openai import OpenAIEmbeddingWire
from specwire.errors import ProviderError

WIRE = OpenAIEmbeddingWire(
    EndpointBinding(dialect="openai_embeddings", path="/embeddings"), {}, "openai"
)


def vectors(count: int, dims: int = 5) -> np.ndarray:
    return np.random.default_rng(count).standard_normal((count, dims)).astype("<f4")


def body(
    matrix: np.ndarray,
    order: list[int] | None = None,
    indent: int | None = None,
    floats: bool = False,
) -> bytes:
    order = order if order is not None else list(range(len(matrix)))
    data = [
        {
            "object": "embedding",
            "index": i,
            "embedding": matrix[i].tolist()
            if floats
            else base64.b64encode(matrix[i].tobytes()).decode(),
        }
        for i in order
    ]
    text = json.dumps(
        {"object": "list", "data": data, "model": "m", "usage": {"prompt_tokens": 11}},
        indent=indent,
    )
    return text.encode()


def feed(raw: bytes, cuts: list[int], count: int) -> Any:
    scanner = WIRE.incremental(count)
    assert scanner is not None
    points = sorted({c % (len(raw) + 1) for c in cuts})
    start = 0
    for point in [*points, len(raw)]:
        scanner.feed(raw[start:point])
        start = point
    return scanner.finish()


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(1, 6),
    cuts=st.lists(st.integers(0, 10_000), max_size=30),
    shuffle=st.randoms(use_true_random=False),
    indent=st.sampled_from([None, 2]),
    floats=st.booleans(),
)
def test_any_split_gives_the_whole_body_result(
    count: int, cuts: list[int], shuffle: Any, indent: int | None, floats: bool
) -> None:
    matrix = vectors(count)
    order = list(range(count))
    shuffle.shuffle(order)
    raw = body(matrix, order, indent, floats)
    parsed = feed(raw, cuts, count)
    whole = WIRE.parse_response(json.loads(raw), count)
    assert [v.tolist() for v in parsed.vectors] == [v.tolist() for v in whole.vectors]
    assert [v.tolist() for v in parsed.vectors] == matrix.tolist()
    assert parsed.tokens == whole.tokens == 11


def test_vectors_are_one_read_only_float32_matrix() -> None:
    parsed = feed(body(vectors(3)), [100, 200], 3)
    first = parsed.vectors[0]
    assert first.dtype == np.float32 and not first.array.flags.writeable
    assert first.array.base is parsed.vectors[1].array.base


def test_escaped_slashes_are_decoded() -> None:
    matrix = vectors(2)
    raw = body(matrix).replace(b"/", b"\\/")
    assert [v.tolist() for v in feed(raw, [57], 2).vectors] == matrix.tolist()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"data":[{"index":0,"embedding":"AAAAAAA="}]}', "float32"),
        (b'{"data":[{"index":0,"embedding":"AACAPw=="},{"index":1,"embedding":[1.0]}]}', "mix"),
        (b'{"data":[{"index":0,"embedding":"AACAPw=="}]}', "1 vectors came back for 2"),
        (
            b'{"data":[{"index":0,"embedding":"AACAPw=="},{"index":0,"embedding":"AACAPw=="}]}',
            "indices",
        ),
        (b'{"error":{"message":"quota","code":"insufficient_quota"}}', "no data"),
        (b"<html>oops</html>", "not JSON"),
    ],
)
def test_malformed_bodies_raise_provider_errors(raw: bytes, message: str) -> None:
    with pytest.raises(ProviderError, match=message):
        feed(raw, [9, 30], 2)


def test_float_endpoints_get_no_streaming_decoder() -> None:
    endpoint = EndpointBinding(
        dialect="openai_embeddings", path="/embeddings", options={"encoding_format": "float"}
    )
    assert OpenAIEmbeddingWire(endpoint, {}, "dashscope").incremental(3) is None
