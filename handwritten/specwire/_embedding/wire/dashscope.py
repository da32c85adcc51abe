"""DashScope native embeddings: the text endpoint and the multimodal one.

Text models (``text-embedding-v4`` ...) take ``{"input": {"texts": [...]}}`` at the
spec's ``path``; multimodal models (``qwen3-vl-embedding``, ``tongyi-embedding-vision-*``)
take ``{"input": {"contents": [{"text"} | {"image"} | {"video"}]}}`` at the option
``multimodal_path``. A model is multimodal when its card lists media inputs, or (no
card) when its name matches the option ``multimodal_models`` (glob patterns); see
``DashScopeEmbeddingOptions``. Images go
as URLs or data URLs; videos only as URLs.
"""

from __future__ import annotations

import fnmatch
from typing import Any, ClassVar

from ..._core.blocks import DataBlock, data_url
from ..._core.contract import DialectOptions
from ..._core.dialect import WireRequest
from ..._core.error_body import DASHSCOPE_ERRORS, ErrorFormat
from ..batching import InputKind
from .base import EmbeddingCall, EmbeddingWire, ParsedEmbeddings

_MEDIA_KINDS: frozenset[InputKind] = frozenset({"text", "image", "video"})


def _content(item: str | DataBlock) -> dict[str, str]:
    if isinstance(item, str):
        return {"text": item}
    kind = "video" if item.source.media_type.startswith("video/") else "image"
    return {kind: data_url(item)}


class DashScopeEmbeddingOptions(DialectOptions):
    """What a spec says to the native DashScope embedding format."""

    multimodal_path: str | None = None
    """The multimodal endpoint's path (None: media inputs go to ``endpoint.path``)."""
    multimodal_models: tuple[str, ...] = ()
    """fnmatch patterns of the multimodal models, for a model without a card."""


class DashScopeEmbeddingWire(EmbeddingWire):
    """Both DashScope embedding endpoints; the vectors come back under
    ``output.embeddings`` with ``text_index`` (text) or ``index`` (multimodal)."""

    name: ClassVar[str] = "dashscope_embedding"
    Options: ClassVar[type[DialectOptions]] = DashScopeEmbeddingOptions
    options: DashScopeEmbeddingOptions
    error_format: ClassVar[ErrorFormat] = DASHSCOPE_ERRORS
    extra_location: ClassVar[tuple[str, ...]] = ("parameters",)
    kinds: ClassVar[frozenset[InputKind]] = _MEDIA_KINDS

    def kinds_for(self, model: str) -> frozenset[InputKind]:
        patterns = self.options.multimodal_models
        if any(fnmatch.fnmatchcase(model, p) for p in patterns):
            return _MEDIA_KINDS
        return frozenset({"text"})

    def input_problem(self, item: str | DataBlock, kind: InputKind) -> str | None:
        if kind == "video" and isinstance(item, DataBlock) and item.source.type != "url":
            return "DashScope takes videos by URL only, not inline data"
        return None

    def build_request(self, call: EmbeddingCall) -> WireRequest:
        body = self.base_body()
        body["model"] = call.model
        media = call.media or any(isinstance(i, DataBlock) for i in call.inputs)
        if media:
            path = self.options.multimodal_path or self.endpoint.path
            body["input"] = {"contents": [_content(item) for item in call.inputs]}
        else:
            path = self.endpoint.path
            body["input"] = {"texts": list(call.inputs)}
        parameters: dict[str, Any] = dict(body.get("parameters") or {})
        if call.dimensions is not None:
            parameters["dimension"] = call.dimensions
        body["parameters"] = parameters
        self.apply_parameters(body, call.parameters)
        if not body["parameters"]:
            del body["parameters"]
        return WireRequest(path=path, body=body)

    def parse_response(self, body: Any, count: int) -> ParsedEmbeddings:
        output = body.get("output") if isinstance(body, dict) else None
        items = output.get("embeddings") if isinstance(output, dict) else None
        if not isinstance(items, list):
            raise self.fail("the response has no output.embeddings list", body)

        def position(item: dict[str, Any]) -> int:
            value = item.get("text_index", item.get("index", 0))
            return int(value) if isinstance(value, int) else 0

        ordered = sorted(items, key=position)
        rows = [item.get("embedding") for item in ordered]
        usage = body.get("usage") or {}
        tokens = usage.get("total_tokens") or usage.get("input_tokens") or 0
        return ParsedEmbeddings(self.float_rows(rows, count, body), int(tokens))
