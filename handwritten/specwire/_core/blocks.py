"""Content blocks: the pieces a message or a response is made of."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

from .errors import ToolArgumentsError
from .ids import new_id

_JSON_KINDS: dict[type, str] = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


class TextBlock(BaseModel):
    """Plain text."""

    type: Literal["text"] = "text"
    text: str
    id: str = Field(default_factory=new_id)


class ThinkingBlock(BaseModel):
    """Reasoning text. ``signature`` keeps the provider's proof of origin (Anthropic
    signatures, Gemini thought signatures, encrypted Responses reasoning) so the next
    turn can send it back; ``redacted`` holds an opaque redacted-thinking payload."""

    model_config = ConfigDict(extra="allow")

    type: Literal["thinking"] = "thinking"
    thinking: str
    signature: str | None = None
    redacted: str | None = None
    id: str = Field(default_factory=new_id)


class Base64Source(BaseModel):
    """Inline binary data, base64-encoded."""

    type: Literal["base64"] = "base64"
    data: str
    media_type: str


class URLSource(BaseModel):
    """Binary data found at a URL."""

    type: Literal["url"] = "url"
    url: str
    media_type: str


class DataBlock(BaseModel):
    """Binary content: images, audio, video, documents."""

    type: Literal["data"] = "data"
    source: Annotated[Base64Source | URLSource, Field(discriminator="type")]
    name: str | None = None
    id: str = Field(default_factory=new_id)


class ToolCallBlock(BaseModel):
    """A call the model asks for. ``input`` is the raw JSON text of the arguments
    (complete on a final response, a fragment on a stream delta)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    input: str = ""

    @property
    def arguments(self) -> str:
        """The arguments JSON text (an alias of ``input``)."""
        return self.input

    def parsed_input(self) -> dict[str, Any]:
        """The arguments as a dict (a new one each call). Empty text means no arguments
        (``{}``); text that is not a JSON object raises
        :class:`~specwire.errors.ToolArgumentsError` naming the call."""
        text = self.input
        if not text.strip():
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ToolArgumentsError(
                self.name, self.id, text, f"arguments are not valid JSON ({exc})"
            ) from None
        if not isinstance(value, dict):
            kind = _JSON_KINDS.get(type(value), type(value).__name__)
            raise ToolArgumentsError(
                self.name, self.id, text, f"arguments are a JSON {kind}, not an object"
            )
        return value


class ToolResultBlock(BaseModel):
    """The result of a tool call, sent back to the model."""

    type: Literal["tool_result"] = "tool_result"
    id: str
    name: str
    output: str | list[Annotated[TextBlock | DataBlock, Field(discriminator="type")]]
    state: Literal["success", "error", "interrupted", "denied", "running"] = "success"
    metadata: dict[str, Any] = Field(default_factory=dict)


def data_url(block: DataBlock) -> str:
    """The block's URL, or an RFC 2397 data URL for inline data."""
    source = block.source
    if source.type == "url":
        return source.url
    if source.data.startswith("data:"):
        return source.data
    return f"data:{source.media_type};base64,{source.data}"


ContentBlock: TypeAlias = Annotated[
    TextBlock | ThinkingBlock | ToolCallBlock | ToolResultBlock | DataBlock,
    Field(discriminator="type"),
]
"""Any block a message may hold."""

ResponseBlock: TypeAlias = TextBlock | ThinkingBlock | ToolCallBlock | DataBlock
"""Any block a chat response may hold."""
