"""Card types."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelCard(BaseModel):
    """A chat model's capabilities, limits and parameter form."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["chat_model"] = "chat_model"
    name: str
    label: str
    status: Literal["active", "deprecated", "sunset"] = "active"
    input_types: list[str] = Field(default_factory=lambda: ["text/plain"])
    output_types: list[str] = Field(default_factory=lambda: ["text/plain"])
    context_size: int | None = None
    output_size: int | None = None
    parameter_schema: dict[str, Any] = Field(default_factory=dict)
    parameters_overrides: dict[str, Any] = Field(default_factory=dict)
    source: str | None = None


class EmbeddingModelCard(BaseModel):
    """An embedding model's capabilities and parameter form."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["embedding_model"] = "embedding_model"
    name: str
    label: str
    status: Literal["active", "deprecated", "sunset"] = "active"
    input_types: list[str] = Field(default_factory=lambda: ["text/plain"])
    output_types: list[str] = Field(default_factory=lambda: ["application/x-embedding"])
    context_size: int | None = None
    batch_limits: dict[str, int] = Field(default_factory=dict)
    parameter_schema: dict[str, Any] = Field(default_factory=dict)
    parameters_overrides: dict[str, Any] = Field(default_factory=dict)
    source: str | None = None


class TTSModelCard(BaseModel):
    """A text-to-speech model's voices, mode and parameter form."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["tts_model"] = "tts_model"
    name: str
    label: str
    status: Literal["active", "deprecated", "sunset"] = "active"
    realtime: bool = False
    voices: list[str] = Field(default_factory=list)
    input_types: list[str] = Field(default_factory=lambda: ["text/plain"])
    output_types: list[str] = Field(default_factory=lambda: ["audio/wav"])
    parameter_schema: dict[str, Any] = Field(default_factory=dict)
    parameters_overrides: dict[str, Any] = Field(default_factory=dict)
    source: str | None = None
