"""OpenAI Chat Completions message format (also spoken by DeepSeek, Moonshot, xAI,
DashScope's compatible mode and every OpenAI-compatible server)."""

from __future__ import annotations

from typing import Any

from .._core.blocks import DataBlock, TextBlock, ThinkingBlock, ToolCallBlock, ToolResultBlock
from .._core.messages import Msg
from .._dialects.openai_parts import reasoning_detail_entry
from .base import MessagePerMsgFormatter, group_for_multi_agent
from .media import TOOL_MEDIA_NOTE, data_url, tool_media, tool_output_text

# Audio formats the input_audio part accepts, by media type.
_AUDIO_FORMATS = {"audio/wav": "wav", "audio/x-wav": "wav", "audio/mpeg": "mp3", "audio/mp3": "mp3"}


def _user_part(block: DataBlock) -> dict[str, Any] | None:
    media = block.source.media_type
    if media.startswith("image/"):
        return {"type": "image_url", "image_url": {"url": data_url(block)}}
    if media in _AUDIO_FORMATS and block.source.type == "base64":
        return {
            "type": "input_audio",
            "input_audio": {"data": block.source.data, "format": _AUDIO_FORMATS[media]},
        }
    if media == "application/pdf" and block.source.type == "base64":
        return {
            "type": "file",
            "file": {"filename": block.name or "document.pdf", "file_data": data_url(block)},
        }
    if media.startswith("video/"):
        return {"type": "video_url", "video_url": {"url": data_url(block)}}
    return None


def openai_tool_calls(calls: list[ToolCallBlock]) -> list[dict[str, Any]]:
    """Tool calls as an assistant message's ``tool_calls`` (the OpenAI form, which
    DashScope's native protocol shares)."""
    return [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.input or "{}"}}
        for c in calls
    ]


class OpenAIChatFormatter(MessagePerMsgFormatter):
    """One API message per ``Msg``; tool results become ``tool`` messages. Thinking is
    written provider-neutrally on assistant messages: its text as ``reasoning_content``,
    and blocks read from ``reasoning_details`` as those entries tagged with their
    ``origin``; the dialect writes them in its provider's form, or drops them."""

    def _assistant_entry(self, msg: Msg) -> dict[str, Any] | None:
        texts = [b.text for b in msg.content if isinstance(b, TextBlock)]
        blocks = [b for b in msg.content if isinstance(b, ThinkingBlock)]
        thinking = [b.thinking for b in blocks if b.thinking]
        details = [e for e in map(reasoning_detail_entry, blocks) if e is not None]
        calls = [b for b in msg.content if isinstance(b, ToolCallBlock)]
        if not (texts or calls or thinking or details):
            return None
        entry: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
        if thinking:
            entry["reasoning_content"] = "".join(thinking)
        if details:
            entry["reasoning_details"] = details
        if calls:
            entry["tool_calls"] = openai_tool_calls(calls)
        return entry

    def _user_entry(self, msg: Msg) -> dict[str, Any] | None:
        parts: list[dict[str, Any]] = []
        for block in msg.content:
            if isinstance(block, TextBlock):
                parts.append({"type": "text", "text": block.text})
            elif isinstance(block, DataBlock):
                part = _user_part(block)
                if part is not None:
                    parts.append(part)
        if not parts:
            return None
        if all(p["type"] == "text" for p in parts):
            return {"role": "user", "content": "".join(p["text"] for p in parts)}
        return {"role": "user", "content": parts}

    def _tool_messages(self, results: list[ToolResultBlock]) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for result in results:
            entries.append(
                {"role": "tool", "tool_call_id": result.id, "content": tool_output_text(result)}
            )
        images = [p for p in map(_user_part, tool_media(results)) if p is not None]
        if images:
            # Tool messages carry text only; media from a tool reaches the model as a user turn.
            entries.append(
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": TOOL_MEDIA_NOTE},
                        *images,
                    ],
                }
            )
        return entries


class OpenAIMultiAgentFormatter(OpenAIChatFormatter):
    """Several named agents in one conversation: consecutive agent messages become one
    user message inside ``<history>`` tags with the speakers' names."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        return await super().format(group_for_multi_agent(msgs))
