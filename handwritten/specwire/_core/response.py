"""What a chat model returns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .blocks import DataBlock, TextBlock, ThinkingBlock, ToolCallBlock
from .finish_reasons import FinishReason
from .ids import new_id, now_iso


class ChatUsage(BaseModel):
    """Tokens counted by the provider, the seconds the call took, and its cost.

    One meaning for every provider (the dialects convert):

    - ``input_tokens``: the whole prompt, cache reads and cache writes included (where a
      provider reports them apart, as Anthropic does, they are added back);
    - ``cache_read_input_tokens`` / ``cache_creation_input_tokens``: the parts of the
      prompt read from / written to the provider's prompt cache;
    - ``output_tokens``: everything generated, reasoning included (Gemini counts its
      thoughts apart; they are added). One exception: xAI's Chat Completions report
      reasoning beside ``completion_tokens``, and ``output_tokens`` keeps that figure
      (the conformance recordings pin it), so there the reasoning is not inside it;
    - ``reasoning_tokens``: the reasoning part of the output, where reported;
    - ``cost``: USD, from genai-prices (``specwire[prices]``) or the model card's prices;
      None when neither knows the model.

    So ``input_tokens - cache_read_input_tokens - cache_creation_input_tokens`` is the
    uncached prompt and ``output_tokens - reasoning_tokens`` the visible answer."""

    input_tokens: int = 0
    output_tokens: int = 0
    time: float = 0.0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    reasoning_tokens: int = 0
    cost: float | None = None
    type: Literal["chat"] = "chat"


class ChatResponse(BaseModel):
    """A whole answer (``stream=False``), a stream delta (``is_last=False``) or the
    accumulated final chunk of a stream (``is_last=True``)."""

    content: list[TextBlock | ThinkingBlock | ToolCallBlock | DataBlock] = Field(
        default_factory=list
    )
    is_last: bool = True
    usage: ChatUsage | None = None
    id: str = Field(default_factory=new_id)
    created_at: str = Field(default_factory=now_iso)
    metadata: dict[str, Any] | None = None
    type: Literal["chat"] = "chat"
    finish_reason: FinishReason | None = None
    """Why the answer ended, normalized across providers (``stop``, ``length``,
    ``tool_calls``, ``content_filter``, ``refusal``, ``pause``, ``other``); set on a
    whole answer and on a stream's final chunk, None on deltas and when the provider
    gave no reason."""
    provider_finish_reason: str | None = None
    """The provider's own value (``end_turn``, ``MAX_TOKENS``, ``length``...)."""


class StructuredResponse(BaseModel):
    """The result of ``generate_structured_output``: ``content`` is a dict valid for the
    requested schema."""

    content: dict[str, Any]
    usage: ChatUsage | None = None
    id: str = Field(default_factory=new_id)
    created_at: str = Field(default_factory=now_iso)
    metadata: dict[str, Any] | None = None
    type: Literal["structured"] = "structured"
