"""Ollama ``/api/embed``: a list of texts in, a list of vectors out."""

from __future__ import annotations

from typing import Any, ClassVar

from ..._core.dialect import WireRequest
from ..._core.error_body import OLLAMA_ERRORS, ErrorFormat
from .base import EmbeddingCall, EmbeddingWire, ParsedEmbeddings


class OllamaEmbeddingWire(EmbeddingWire):
    """``{"model", "input": [...], "dimensions", "truncate", ...}`` in,
    ``{"embeddings": [[...]], "prompt_eval_count"}`` out."""

    name: ClassVar[str] = "ollama_embed"
    error_format: ClassVar[ErrorFormat] = OLLAMA_ERRORS
    extra_location: ClassVar[tuple[str, ...]] = ("options",)
    model_base: ClassVar[str] = "specwire._embedding.spec_model:SpecTextEmbeddingModel"

    def build_request(self, call: EmbeddingCall) -> WireRequest:
        body = self.base_body()
        body["model"] = call.model
        body["input"] = list(call.inputs)
        if call.dimensions is not None:
            body["dimensions"] = call.dimensions
        self.apply_parameters(body, call.parameters)
        return WireRequest(path=self.endpoint.path, body=body)

    def parse_response(self, body: Any, count: int) -> ParsedEmbeddings:
        rows = body.get("embeddings") if isinstance(body, dict) else None
        if rows is None and isinstance(body, dict) and body.get("embedding") is not None:
            rows = [body["embedding"]]  # the older /api/embeddings answer shape
        if not isinstance(rows, list):
            raise self.fail("the response has no embeddings list", body)
        tokens = body.get("prompt_eval_count") or 0
        return ParsedEmbeddings(self.float_rows(rows, count, body), int(tokens))
