"""What an embedding model returns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .._core.ids import new_id, now_iso
from .vector import Embedding


class EmbeddingUsage(BaseModel):
    """Tokens the provider counted (0 when it reports none, e.g. Gemini, or when every
    vector came from the cache) and the seconds the call took."""

    tokens: int = 0
    time: float = 0.0
    type: Literal["embedding"] = "embedding"


class EmbeddingResponse(BaseModel):
    """One vector per input, in input order. ``source`` is ``"cache"`` only when nothing
    was sent to the provider."""

    embeddings: list[Embedding] = Field(default_factory=list)
    usage: EmbeddingUsage | None = None
    source: Literal["api", "cache"] = "api"
    id: str = Field(default_factory=new_id)
    created_at: str = Field(default_factory=now_iso)
    metadata: dict[str, Any] | None = None
    type: Literal["embedding"] = "embedding"
