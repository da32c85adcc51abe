"""Card types: what a model accepts and produces, its limits, and its parameter form.

The YAML key for the per-model overrides is ``parameter_overrides`` (as in the cards);
the attribute is ``parameters_overrides`` (as in the reference). Both names are accepted
when a card is built.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator, model_validator

Status = Literal["active", "deprecated", "sunset"]

THINKING_TYPE = "application/x-thinking"
EMBEDDING_TYPE = "application/x-embedding"

# type/subtype, as in RFC 6838 (a "*" subtype is allowed for "any image" etc.).
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/([a-z0-9][a-z0-9!#$&^_.+-]*|\*)$")


def _check_mime_types(values: list[str]) -> list[str]:
    bad = [v for v in values if not _MIME.match(v)]
    if bad:
        raise ValueError(f"not MIME types (type/subtype, lower case): {bad}")
    if len(set(values)) != len(values):
        raise ValueError(f"repeated MIME types: {values}")
    return values


class _CardBase(BaseModel):
    """Fields every card has."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, description="Model identifier sent to the provider.")
    label: str = Field(min_length=1, description="Human-readable display name.")
    status: Status = Field(default="active", description="Lifecycle status.")
    input_types: list[str] = Field(default_factory=lambda: ["text/plain"])
    output_types: list[str] = Field(default_factory=lambda: ["text/plain"])
    parameter_schema: dict[str, Any] = Field(
        default_factory=dict,
        description="JSON Schema of the parameter form: the Parameters schema with the "
        "overrides merged ($ref-free; hidden fields carry hidden: true).",
    )
    parameters_overrides: dict[str, dict[str, Any] | None] = Field(
        default_factory=dict,
        alias="parameter_overrides",
        description="The raw per-model overrides, before merging.",
    )
    source: str | None = Field(
        default=None, description="Where the card's figures come from (URL or document, date)."
    )

    @field_validator("input_types", "output_types")
    @classmethod
    def _mime_types(cls, values: list[str]) -> list[str]:
        return _check_mime_types(values)

    def accepts(self, mime_type: str) -> bool:
        """Whether the model takes input of ``mime_type`` (``image/*`` matches any image)."""
        return _matches(self.input_types, mime_type)

    def produces(self, mime_type: str) -> bool:
        """Whether the model can answer with ``mime_type`` (``audio/*`` matches any
        audio): speech and images come back as ``DataBlock``s."""
        return _matches(self.output_types, mime_type)


def _matches(types: list[str], mime_type: str) -> bool:
    major, _, minor = mime_type.partition("/")
    for listed in types:
        l_major, _, l_minor = listed.partition("/")
        if l_major == major and (minor in ("*", l_minor) or l_minor == "*"):
            return True
    return False


class CardPrices(BaseModel):
    """List prices in USD per million tokens, for a model the ``genai-prices`` data does
    not cover (that data wins where it has the model). ``input`` is the uncached rate."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0, description="USD per million uncached input tokens.")
    output: float = Field(ge=0, description="USD per million output tokens (reasoning included).")
    cache_read: float | None = Field(
        default=None, ge=0, description="USD per million cache-read tokens."
    )
    cache_write: float | None = Field(
        default=None, ge=0, description="USD per million cache-write tokens."
    )
    source: str | None = Field(default=None, description="Where the prices were read, and when.")


class ModelCard(_CardBase):
    """A chat model's capabilities, limits and parameter form."""

    type: Literal["chat_model"] = "chat_model"
    context_size: PositiveInt = Field(description="Maximum context window in tokens.")
    output_size: PositiveInt = Field(description="Maximum output tokens.")
    prices: CardPrices | None = Field(
        default=None, description="List prices, where genai-prices lacks the model."
    )

    @property
    def supports_thinking(self) -> bool:
        """Whether the model can produce reasoning (``application/x-thinking``)."""
        return THINKING_TYPE in self.output_types

    @model_validator(mode="after")
    def _output_fits_context(self) -> ModelCard:
        if self.output_size > self.context_size:
            raise ValueError(
                f"output_size {self.output_size} exceeds context_size {self.context_size}"
            )
        return self


class EmbeddingModelCard(_CardBase):
    """An embedding model's capabilities and parameter form (no output token limit)."""

    type: Literal["embedding_model"] = "embedding_model"
    output_types: list[str] = Field(default_factory=lambda: [EMBEDDING_TYPE])
    context_size: PositiveInt = Field(description="Maximum input tokens per item.")
    batch_limits: dict[str, PositiveInt] = Field(
        default_factory=dict,
        description="Per-request limits of a multimodal model: elements, images, videos.",
    )

    @field_validator("batch_limits")
    @classmethod
    def _known_limits(cls, limits: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(limits) - {"items", "elements", "images", "videos"})
        if unknown:
            raise ValueError(
                f"unknown batch limits {unknown}; known: elements, images, items, videos"
            )
        return limits


def _check_distinct_voices(cls: type[Any], voices: list[str]) -> list[str]:
    """A card's voices, refused when one is listed twice (TTS and realtime cards)."""
    if len(set(voices)) != len(voices):
        raise ValueError(f"repeated voices: {voices}")
    return voices


class TTSModelCard(_CardBase):
    """A text-to-speech model's voices, mode and parameter form."""

    type: Literal["tts_model"] = "tts_model"
    realtime: bool = Field(
        default=False, description="Whether the model takes streamed text input."
    )
    voices: list[str] = Field(default_factory=list, description="Voice ids; the voice enum.")
    output_types: list[str] = Field(default_factory=lambda: ["audio/wav"])

    _distinct_voices = field_validator("voices")(_check_distinct_voices)


class RealtimeModelCard(_CardBase):
    """A realtime (live voice and text) model: modalities, audio rates, voices, session
    and connection limits, tools."""

    type: Literal["realtime_model"] = "realtime_model"
    input_types: list[str] = Field(default_factory=lambda: ["audio/pcm", "text/plain"])
    output_types: list[str] = Field(default_factory=lambda: ["audio/pcm", "text/plain"])
    context_size: PositiveInt | None = Field(default=None, description="Context window in tokens.")
    output_size: PositiveInt | None = Field(default=None, description="Maximum output tokens.")
    input_sample_rates: list[PositiveInt] = Field(
        default_factory=lambda: [24000], description="PCM16 input rates the model takes (Hz)."
    )
    output_sample_rates: list[PositiveInt] = Field(
        default_factory=lambda: [24000], description="PCM16 output rates (Hz)."
    )
    voices: list[str] = Field(default_factory=list, description="Voice ids; the voice enum.")
    tools: bool = Field(default=False, description="Whether the model calls functions.")
    turn_detection: list[str] = Field(
        default_factory=list, description="Server turn detection modes (server_vad...)."
    )
    resumption: bool = Field(
        default=False, description="Whether the provider resumes a dropped session itself."
    )
    max_session_seconds: PositiveInt | None = Field(
        default=None, description="Longest session the provider allows."
    )
    max_connection_seconds: PositiveInt | None = Field(
        default=None, description="Longest single websocket connection (Gemini: ~10 min)."
    )
    max_concurrent_sessions: PositiveInt | None = Field(
        default=None, description="Concurrent sessions per key or project, where documented."
    )

    _distinct_voices = field_validator("voices")(_check_distinct_voices)

    @property
    def accepts_audio(self) -> bool:
        return self.accepts("audio/pcm")


AnyCard = ModelCard | EmbeddingModelCard | TTSModelCard | RealtimeModelCard

CARD_TYPES: dict[
    str,
    type[ModelCard] | type[EmbeddingModelCard] | type[TTSModelCard] | type[RealtimeModelCard],
] = {
    "chat": ModelCard,
    "embedding": EmbeddingModelCard,
    "tts": TTSModelCard,
    "realtime": RealtimeModelCard,
}
