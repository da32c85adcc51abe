"""Stream decoders: the same items whatever way the bytes are split."""

from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from specwire._core.decoders import JsonArrayDecoder, NdjsonDecoder, SseDecoder, SseEvent


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, start = [], 0
    for p in points:
        pieces.append(data[start:p])
        start = p
    pieces.append(data[start:])
    return pieces


def decode_sse(pieces: list[bytes]) -> list[SseEvent]:
    decoder = SseDecoder()
    out = [e for piece in pieces for e in decoder.feed(piece)]
    return out + decoder.close()


SSE_STREAM = (
    b": keep-alive comment\n\n"
    b'event: message_start\ndata: {"a": 1}\n\n'
    b"data: line one\ndata: line two\n\n"
    b'id: 7\nretry: 100\ndata: {"emoji": "\xf0\x9f\x98\x80"}\n\n'
    b"data\n\n"
    b"data: [DONE]\n\n"
)
EXPECTED = [
    SseEvent("message_start", b'{"a": 1}'),
    SseEvent(None, b"line one\nline two"),
    SseEvent(None, '{"emoji": "😀"}'.encode()),
    SseEvent(None, b""),
    SseEvent(None, b"[DONE]"),
]


def test_sse_fields_comments_and_multiline_data() -> None:
    assert decode_sse([SSE_STREAM]) == EXPECTED


@given(
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=40),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
@settings(max_examples=300)
def test_sse_is_independent_of_splits_and_line_endings(cuts: list[int], newline: bytes) -> None:
    data = SSE_STREAM.replace(b"\n", newline)
    assert decode_sse(split_at(data, cuts)) == EXPECTED


def test_sse_event_without_final_blank_line_is_dispatched_on_close() -> None:
    assert decode_sse([b"data: tail"]) == [SseEvent(None, b"tail")]


@given(st.lists(st.integers(min_value=0, max_value=5_000), max_size=30))
def test_ndjson_is_independent_of_splits(cuts: list[int]) -> None:
    lines = [json.dumps({"i": i, "text": "x" * i}).encode() for i in range(20)]
    data = b"\n".join(lines) + b"\n\n"
    decoder = NdjsonDecoder()
    got = [x for p in split_at(data, cuts) for x in decoder.feed(p)] + decoder.close()
    assert got == lines


@given(st.lists(st.integers(min_value=0, max_value=5_000), max_size=30))
def test_json_array_stream_yields_each_element(cuts: list[int]) -> None:
    items = [
        {"i": i, "s": 'br]ace}s "quoted" \\ ' * (i % 3), "n": [1, {"x": [2]}]} for i in range(12)
    ]
    data = ("[" + ",\r\n".join(json.dumps(x) for x in items) + "]").encode()
    decoder = JsonArrayDecoder()
    got = [json.loads(x) for p in split_at(data, cuts) for x in decoder.feed(p)]
    assert got == items


# A 16 MiB base64 image in one event, fed in 1 KiB pieces (16,384 feeds). Joining the
# partial line on every feed copied ~128 GiB (minutes); kept as pieces and joined once
# it is a few tens of milliseconds. The bound is generous, 100x the linear cost.
BIG = b"A" * (16 * 2**20)
PIECE = 1024
LINEAR_BOUND_S = 5.0


def _fed_in_pieces(decoder: SseDecoder | NdjsonDecoder, data: bytes) -> tuple[list[Any], float]:
    out: list[Any] = []
    started = time.perf_counter()
    view = memoryview(data)
    for i in range(0, len(data), PIECE):
        out += decoder.feed(bytes(view[i : i + PIECE]))
    out += decoder.close()
    return out, time.perf_counter() - started


def test_sse_decoder_is_linear_on_a_16_mib_event() -> None:
    data = b'event: image\ndata: {"b64": "' + BIG + b'"}\n\n'
    events, elapsed = _fed_in_pieces(SseDecoder(), data)
    assert events == [SseEvent("image", b'{"b64": "' + BIG + b'"}')]
    assert elapsed < LINEAR_BOUND_S


def test_ndjson_decoder_is_linear_on_a_16_mib_line() -> None:
    data = b'{"b64": "' + BIG + b'"}\n{"done": true}\n'
    lines, elapsed = _fed_in_pieces(NdjsonDecoder(), data)
    assert lines == [b'{"b64": "' + BIG + b'"}', b'{"done": true}']
    assert elapsed < LINEAR_BOUND_S


@given(st.lists(st.integers(min_value=0, max_value=200), max_size=30))
def test_sse_lines_split_inside_and_at_crlf_join_once(cuts: list[int]) -> None:
    data = b"data: " + b"x" * 150 + b"\r\n\r\ndata: y\r\n\r\n"
    assert decode_sse(split_at(data, cuts)) == [SseEvent(None, b"x" * 150), SseEvent(None, b"y")]
