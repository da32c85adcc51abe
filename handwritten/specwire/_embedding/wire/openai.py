"""OpenAI ``/embeddings`` (and every OpenAI-compatible server).

Vectors are asked for as base64 (``encoding_format``, a spec option: ``float`` or
``null`` for servers that only speak floats): little-endian float32 bytes decode straight into
one numpy matrix per batch, as the body arrives (``streaming``), about twice as fast as
parsing float JSON and without holding the body. A server that answers with number
lists anyway is read too.
"""

from __future__ import annotations

import binascii
from typing import Any, ClassVar, Literal

import numpy as np

from ..._core.contract import DialectOptions
from ..._core.dialect import WireRequest
from ..._core.error_body import OPENAI_ERRORS, ErrorFormat
from ..vector import rows_of
from .base import EmbeddingCall, EmbeddingWire, IncrementalDecoder, ParsedEmbeddings
from .streaming import Base64VectorScanner

_FLOAT32_LE = np.dtype("<f4")


class OpenAIEmbeddingOptions(DialectOptions):
    """What a spec says to the OpenAI embeddings format."""

    encoding_format: Literal["base64", "float"] | None = "base64"
    """The ``encoding_format`` asked for: ``base64`` (float32 bytes, decoded as they
    arrive), ``float``, or None to send none (servers that reject the field)."""


class OpenAIEmbeddingWire(EmbeddingWire):
    """``{"model", "input": [...], "dimensions", "encoding_format"}`` in,
    ``{"data": [{"index", "embedding"}], "usage": {"prompt_tokens"}}`` out."""

    name: ClassVar[str] = "openai_embeddings"
    model_base: ClassVar[str] = "specwire._embedding.spec_model:SpecTextEmbeddingModel"
    Options: ClassVar[type[DialectOptions]] = OpenAIEmbeddingOptions
    options: OpenAIEmbeddingOptions
    error_format: ClassVar[ErrorFormat] = OPENAI_ERRORS

    def build_request(self, call: EmbeddingCall) -> WireRequest:
        body = self.base_body()
        body["model"] = call.model
        body["input"] = list(call.inputs)
        encoding = self.options.encoding_format
        if encoding:
            body["encoding_format"] = encoding
        if call.dimensions is not None:
            body["dimensions"] = call.dimensions
        self.apply_parameters(body, call.parameters)
        return WireRequest(path=self.endpoint.path, body=body)

    def incremental(self, count: int) -> IncrementalDecoder | None:
        if self.options.encoding_format != "base64":
            return None
        return Base64VectorScanner(count, "embedding", self.parse_response, self._facts, self.fail)

    def _facts(self, body: Any, count: int) -> tuple[list[int], int]:
        """Input positions of the vectors in body order, and the tokens, from a body
        whose vectors were taken out while it streamed."""
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise self.fail("the response has no data list", body)
        order = [int(item.get("index", k)) for k, item in enumerate(data)]
        return order, self._tokens(body)

    @staticmethod
    def _tokens(body: Any) -> int:
        usage = body.get("usage") or {}
        return int(usage.get("prompt_tokens") or usage.get("total_tokens") or 0)

    def parse_response(self, body: Any, count: int) -> ParsedEmbeddings:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise self.fail("the response has no data list", body)
        if any(item.get("index", n) != n for n, item in enumerate(data)):
            data = sorted(data, key=lambda item: item.get("index", 0))
        values = [item.get("embedding") for item in data]
        tokens = self._tokens(body)
        if values and all(isinstance(v, str) for v in values):
            return ParsedEmbeddings(self._from_base64(values, count, body), tokens)
        return ParsedEmbeddings(self.float_rows(values, count, body), tokens)

    def _from_base64(self, values: list[str], count: int, body: Any) -> list[Any]:
        if len(values) != count:
            raise self.fail(f"{len(values)} vectors came back for {count} inputs", body)
        try:
            pieces = [binascii.a2b_base64(v) for v in values]
        except binascii.Error as exc:
            raise self.fail(f"a vector is not valid base64 ({exc})", body) from exc
        size = len(pieces[0])
        if size == 0 or size % 4 or any(len(p) != size for p in pieces):
            raise self.fail("base64 vectors are not equal-length float32 arrays", body)
        # one copy into one buffer; frombuffer over bytes gives a read-only matrix
        matrix = np.frombuffer(b"".join(pieces), dtype=_FLOAT32_LE).reshape(count, size // 4)
        return rows_of(matrix)
