"""Gemini ``models/{model}:batchEmbedContents``.

Each input is one request of the batch with one part: text, inline base64 data, or a
file URI. Parameters (``outputDimensionality``, ``taskType``, ``title``) belong to each
request, so the spec's wire paths are applied per request.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..._core.blocks import DataBlock
from ..._core.dialect import WireRequest
from ..._core.error_body import GOOGLE_ERRORS, ErrorFormat
from ..batching import InputKind
from .base import EmbeddingCall, EmbeddingWire, ParsedEmbeddings, inline_base64


def _part(item: str | DataBlock) -> dict[str, Any]:
    if isinstance(item, str):
        return {"text": item}
    source = item.source
    if source.type == "url":
        return {"file_data": {"mime_type": source.media_type, "file_uri": source.url}}
    return {"inline_data": {"mime_type": source.media_type, "data": inline_base64(item)}}


class GeminiEmbeddingWire(EmbeddingWire):
    """``{"requests": [{"model", "content": {"parts": [...]}, ...}]}`` in,
    ``{"embeddings": [{"values": [...]}]}`` out."""

    name: ClassVar[str] = "gemini_embeddings"
    error_format: ClassVar[ErrorFormat] = GOOGLE_ERRORS
    extra_location: ClassVar[tuple[str, ...]] = ("requests[]",)  # each input's request
    kinds: ClassVar[frozenset[InputKind]] = frozenset(
        {"text", "image", "video", "audio", "document"}
    )

    def build_request(self, call: EmbeddingCall) -> WireRequest:
        model = call.model.removeprefix("models/")
        template: dict[str, Any] = {}
        if call.dimensions is not None:
            template["outputDimensionality"] = call.dimensions
        self.apply_parameters(template, call.parameters)
        requests = [
            {"model": f"models/{model}", "content": {"parts": [_part(item)]}, **template}
            for item in call.inputs
        ]
        body = self.base_body()
        body["requests"] = requests
        return WireRequest(path=self.endpoint.path.replace("{model}", model), body=body)

    def parse_response(self, body: Any, count: int) -> ParsedEmbeddings:
        items = body.get("embeddings") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise self.fail("the response has no embeddings list", body)
        rows = [item.get("values") if isinstance(item, dict) else None for item in items]
        usage = body.get("usageMetadata") or {}
        tokens = usage.get("promptTokenCount") or usage.get("totalTokenCount") or 0
        return ParsedEmbeddings(self.float_rows(rows, count, body), int(tokens))
