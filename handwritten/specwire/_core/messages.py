"""Messages: who said what, as a list of content blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from .blocks import ContentBlock, TextBlock
from .ids import new_id, now_iso

Role = Literal["user", "assistant", "system"]
MsgContent = str | Sequence[ContentBlock | dict[str, Any]] | None
"""What ``content=`` takes: a string (one ``TextBlock``), blocks (or their dicts), None."""

_ALLOWED_BLOCKS: dict[str, frozenset[str]] = {
    "user": frozenset({"text", "data", "tool_result"}),
    "system": frozenset({"text"}),
    "assistant": frozenset({"text", "thinking", "tool_call", "tool_result", "data"}),
}


class Msg(BaseModel):
    """One message of a conversation. ``content`` accepts a plain string, which becomes
    a single ``TextBlock``."""

    name: str
    content: list[ContentBlock]
    role: Role
    id: str = Field(default_factory=new_id)
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: str = Field(default_factory=now_iso)

    if TYPE_CHECKING:
        # Type checkers see what the validator accepts, not only the stored list.
        def __init__(
            self,
            *,
            name: str,
            content: MsgContent,
            role: Role,
            id: str = ...,
            metadata: dict[str, Any] = ...,
            created_at: str = ...,
        ) -> None: ...

    @field_validator("content", mode="before")
    @classmethod
    def _text_to_blocks(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [TextBlock(text=value)]
        if value is None:
            return []
        return value

    @model_validator(mode="after")
    def _check_blocks_fit_role(self) -> Msg:
        allowed = _ALLOWED_BLOCKS[self.role]
        for block in self.content:
            if block.type not in allowed:
                raise ValueError(f"a {self.role} message cannot hold a {block.type!r} block")
        return self

    def get_text_content(self, separator: str = "\n") -> str | None:
        """All text blocks joined, or None when there are none."""
        texts = [b.text for b in self.content if isinstance(b, TextBlock)]
        return separator.join(texts) if texts else None

    def get_content_blocks(self, block_type: str | list[str] | None = None) -> list[ContentBlock]:
        """The blocks of the given type(s), or all of them."""
        if block_type is None:
            return list(self.content)
        wanted = {block_type} if isinstance(block_type, str) else set(block_type)
        return [b for b in self.content if b.type in wanted]

    def has_content_blocks(self, block_type: str | list[str] | None = None) -> bool:
        """Whether any block of the given type(s) is present."""
        return bool(self.get_content_blocks(block_type))


class UserMsg(Msg):
    """A message from the user."""

    role: Literal["user"] = "user"

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            name: str,
            content: MsgContent,
            role: Literal["user"] = "user",
            id: str = ...,
            metadata: dict[str, Any] = ...,
            created_at: str = ...,
        ) -> None: ...


class AssistantMsg(Msg):
    """A message from the model or an agent."""

    role: Literal["assistant"] = "assistant"

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            name: str,
            content: MsgContent,
            role: Literal["assistant"] = "assistant",
            id: str = ...,
            metadata: dict[str, Any] = ...,
            created_at: str = ...,
        ) -> None: ...


class SystemMsg(Msg):
    """A system prompt."""

    role: Literal["system"] = "system"

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            name: str,
            content: MsgContent,
            role: Literal["system"] = "system",
            id: str = ...,
            metadata: dict[str, Any] = ...,
            created_at: str = ...,
        ) -> None: ...
