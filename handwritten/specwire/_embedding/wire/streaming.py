"""Decoding base64 vectors while the response body arrives.

A batch of 2048 OpenAI vectors is a ~17 MB JSON body. Reading it whole, parsing it and
then decoding each string holds the body, its parsed strings and the vectors at once,
per batch in flight. Instead the scanner below finds each ``"embedding": "<base64>"``
value as the bytes arrive, decodes it straight into its row of one float32 matrix, and
keeps only a small "skeleton" of the rest of the body (indices, usage), parsed at the
end. Memory per batch is the vectors plus one network read; time is one base64 pass.

Anything unexpected (number lists, a body without vectors) falls back to parsing the
whole body with the format's ordinary ``parse_response``.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable
from typing import Any

import numpy as np

from ..._core.errors import ProviderError
from ..._core.transport import decode_json
from ..vector import FloatArray, rows_of
from .base import ParsedEmbeddings

_WHITESPACE = b" \t\r\n"
_COLON = ord(":")
_QUOTE = ord('"')


class Base64VectorScanner:
    """Feed it the body's bytes in order; ``finish()`` gives the vectors.

    ``key`` is the JSON key holding each base64 vector; ``parse_whole`` reads a complete
    decoded body (the fallback); ``finish_skeleton`` reads indices and tokens from the
    body with every vector replaced by ``""`` and returns ``(order, tokens)``, where
    ``order[k]`` is the input position of the k-th vector in the body."""

    def __init__(
        self,
        count: int,
        key: str,
        parse_whole: Callable[[Any, int], ParsedEmbeddings],
        finish_skeleton: Callable[[Any, int], tuple[list[int], int]],
        fail: Callable[[str, Any], ProviderError],
    ) -> None:
        self._count = count
        self._marker = b'"' + key.encode() + b'"'
        self._parse_whole = parse_whole
        self._finish_skeleton = finish_skeleton
        self._fail = fail
        self._buffer = bytearray()
        self._skeleton = bytearray()
        self._whole: list[bytes] | None = None
        self._matrix: FloatArray | None = None
        self._rows = 0

    def feed(self, chunk: bytes) -> None:
        """Take the next bytes of the body."""
        if self._whole is not None:
            self._whole.append(chunk)
            return
        buf = self._buffer
        buf += chunk
        marker = self._marker
        copied = search = 0  # bytes before `copied` are in the skeleton
        size = len(buf)
        while True:
            key = buf.find(marker, search)
            if key < 0:
                keep = max(copied, size - len(marker) + 1)  # a marker may straddle reads
                break
            at = _skip_space(buf, key + len(marker))
            if at >= size:
                keep = key
                break
            if buf[at] != _COLON:  # the word as a value, e.g. "object": "embedding"
                search = at
                continue
            at = _skip_space(buf, at + 1)
            if at >= size:
                keep = key
                break
            if buf[at] != _QUOTE:  # a number list: this body is read whole
                self._read_whole()
                return
            end = buf.find(b'"', at + 1)
            if end < 0:
                keep = key
                break
            self._skeleton += buf[copied:at]
            self._skeleton += b'""'
            self._add_row(buf[at + 1 : end])
            copied = search = end + 1
        self._skeleton += buf[copied:keep]
        del buf[:keep]

    def finish(self) -> ParsedEmbeddings:
        """The vectors, in input order, and the tokens counted."""
        if self._whole is not None:
            return self._parse_whole(_decode(b"".join(self._whole), self._fail), self._count)
        self._skeleton += self._buffer
        body = _decode(bytes(self._skeleton), self._fail)
        if self._matrix is None:
            return self._parse_whole(body, self._count)
        if self._rows != self._count:
            raise self._fail(f"{self._rows} vectors came back for {self._count} inputs", body)
        order, tokens = self._finish_skeleton(body, self._count)
        matrix = self._matrix
        if order != list(range(self._count)):
            if sorted(order) != list(range(self._count)):
                raise self._fail("vector indices do not cover the inputs", body)
            placed = np.empty_like(matrix)
            placed[order] = matrix
            matrix = placed
        return ParsedEmbeddings(rows_of(matrix), tokens)

    # ------------------------------------------------------------ internals
    def _read_whole(self) -> None:
        if self._matrix is not None:
            raise self._fail("vectors mix base64 strings and number lists", None)
        self._whole = [bytes(self._skeleton), bytes(self._buffer)]
        self._skeleton = bytearray()
        self._buffer = bytearray()

    def _add_row(self, encoded: bytearray) -> None:
        try:
            raw = binascii.a2b_base64(encoded)
        except binascii.Error as exc:
            raise self._fail(f"a vector is not valid base64 ({exc})", None) from exc
        if self._matrix is None:
            if not raw or len(raw) % 4:
                raise self._fail("base64 vectors are not float32 arrays", None)
            self._matrix = np.empty((self._count, len(raw) // 4), dtype="<f4")
        matrix = self._matrix
        if self._rows >= self._count:
            raise self._fail(f"more than {self._count} vectors came back", None)
        if len(raw) != matrix.shape[1] * 4:
            raise self._fail("base64 vectors are not equal-length float32 arrays", None)
        matrix[self._rows] = np.frombuffer(raw, dtype="<f4")
        self._rows += 1


def _skip_space(buf: bytearray, at: int) -> int:
    size = len(buf)
    while at < size and buf[at] in _WHITESPACE:
        at += 1
    return at


def _decode(raw: bytes, fail: Callable[[str, Any], ProviderError]) -> Any:
    body = decode_json(raw)
    if body is None:
        raise fail("the response is not JSON", None)
    return body
