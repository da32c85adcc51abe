"""Anthropic Messages format: content blocks per message, tool results as user
``tool_result`` blocks, system text set apart for the top-level ``system`` field.

Cross-provider history is converted deliberately, never sent raw:

- A ``ThinkingBlock`` goes back as ``thinking`` (with its signature) or
  ``redacted_thinking`` only when Anthropic produced it (``origin == "anthropic"``);
  reasoning from other providers cannot be verified by Anthropic and is dropped
  (Anthropic ignores unsigned past reasoning anyway).
- Tool-call ids are made to fit Anthropic's ``[A-Za-z0-9_-]`` pattern the same way on the
  call and on its result, so ids from OpenAI, Moonshot (``fn:0``) and others work.
- Media Anthropic cannot read (audio, video, other files) and media in assistant turns
  become a short text note naming the media type.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from .._core.blocks import (
    ContentBlock,
    DataBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResultBlock,
)
from .._core.json_repair import parse_json_object
from .._core.messages import Msg
from .base import FormatterBase, group_for_multi_agent, role_runs

ORIGIN = "anthropic"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_DOCUMENT_TYPES = {"application/pdf": "base64", "text/plain": "text"}


def anthropic_tool_id(call_id: str) -> str:
    """``call_id`` made valid for Anthropic; the same input always gives the same id."""
    safe = _ID_UNSAFE.sub("_", call_id)
    if safe == call_id and safe:
        return safe
    digest = hashlib.sha1(call_id.encode()).hexdigest()[:8]
    return f"{safe or 'toolu'}_{digest}"[:64]


def tool_input(arguments: str) -> dict[str, Any]:
    """A tool call's arguments as the object the API wants (repaired, ``{}`` if none)."""
    try:
        return parse_json_object(arguments or "{}")
    except ValueError:
        return {"arguments": arguments}  # keep what the model said rather than lose it


def _media_note(block: DataBlock) -> dict[str, Any]:
    return {"type": "text", "text": f"[{block.source.media_type} omitted: not readable here]"}


def _strip_data_url(data: str) -> str:
    return data.split(",", 1)[1] if data.startswith("data:") else data


def media_block(block: DataBlock) -> dict[str, Any]:
    """An image or document block, or a text note for media Anthropic cannot take."""
    source = block.source
    media = source.media_type
    if media.startswith("image/"):
        kind = "image"
    elif media in _DOCUMENT_TYPES:
        kind = "document"
    else:
        return _media_note(block)
    if source.type == "url":
        return {"type": kind, "source": {"type": "url", "url": source.url}}
    data = _strip_data_url(source.data)
    if media == "text/plain":
        text = base64.b64decode(data).decode("utf-8", "replace")
        return {"type": kind, "source": {"type": "text", "media_type": media, "data": text}}
    return {"type": kind, "source": {"type": "base64", "media_type": media, "data": data}}


def _thinking(block: ThinkingBlock) -> dict[str, Any] | None:
    if getattr(block, "origin", None) != ORIGIN:
        return None  # another provider's reasoning: Anthropic cannot verify it
    if block.redacted:
        return {"type": "redacted_thinking", "data": block.redacted}
    if block.signature:
        return {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
    return None


def _tool_result(block: ToolResultBlock) -> dict[str, Any]:
    content: str | list[dict[str, Any]]
    if isinstance(block.output, str):
        content = block.output
    else:
        content = [
            {"type": "text", "text": part.text}
            if isinstance(part, TextBlock)
            else media_block(part)
            for part in block.output
            if not isinstance(part, TextBlock) or part.text
        ]
    entry: dict[str, Any] = {
        "type": "tool_result",
        "tool_use_id": anthropic_tool_id(block.id),
        "content": content,
    }
    if block.state in ("error", "denied", "interrupted"):
        entry["is_error"] = True
    return entry


def _block(block: ContentBlock, role: str) -> dict[str, Any] | None:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": block.text} if block.text else None
    if isinstance(block, ThinkingBlock):
        return _thinking(block) if role == "assistant" else None
    if isinstance(block, ToolCallBlock):
        return {
            "type": "tool_use",
            "id": anthropic_tool_id(block.id),
            "name": block.name,
            "input": tool_input(block.input),
        }
    if isinstance(block, ToolResultBlock):
        return _tool_result(block)
    # Assistant turns take no media input.
    return media_block(block) if role == "user" else _media_note(block)


def _append(out: list[dict[str, Any]], role: str, blocks: list[dict[str, Any]]) -> None:
    """Add a turn, merging it into the previous one of the same role; in a user turn the
    tool results go first, as the API requires."""
    if out and out[-1]["role"] == role:
        blocks = out.pop()["content"] + blocks
    if role == "user":
        results = [b for b in blocks if b["type"] == "tool_result"]
        if results:
            blocks = results + [b for b in blocks if b["type"] != "tool_result"]
    out.append({"role": role, "content": blocks})


class AnthropicChatFormatter(FormatterBase):
    """One API message per ``Msg`` (consecutive ones of a role merged). System messages
    come first as ``{"role": "system", "content": text}`` entries, which the dialect
    moves to the request's top-level ``system`` field (Anthropic has no system turns)."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        system: list[dict[str, Any]] = []
        out: list[dict[str, Any]] = []
        for msg in msgs:
            if msg.role == "system":
                text = msg.get_text_content()
                if text:
                    system.append({"role": "system", "content": text})
                continue
            for role, blocks in role_runs(msg):
                converted = [b for b in (_block(x, role) for x in blocks) if b is not None]
                if converted:
                    _append(out, role, converted)
        return system + out


class AnthropicMultiAgentFormatter(AnthropicChatFormatter):
    """Several named agents in one conversation: consecutive agent messages become one
    user message inside ``<history>`` tags with the speakers' names."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        return await super().format(group_for_multi_agent(msgs))
