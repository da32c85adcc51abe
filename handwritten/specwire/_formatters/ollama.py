"""Ollama's native chat message format: plain-string ``content``, images as raw base64
in ``images``, reasoning in ``thinking``, tool-call arguments as JSON objects and tool
results as ``tool`` messages naming the tool."""

from __future__ import annotations

from typing import Any

from .._core.blocks import DataBlock, TextBlock, ThinkingBlock, ToolCallBlock, ToolResultBlock
from .._core.json_repair import parse_json_object
from .._core.messages import Msg
from .base import MessagePerMsgFormatter, group_for_multi_agent
from .media import TOOL_MEDIA_NOTE, tool_media, tool_output_text


def _image_or_note(block: DataBlock) -> tuple[str | None, str | None]:
    """``(base64 image, None)`` for an inline image; ``(None, note)`` for what Ollama cannot
    take (it reads no URLs and no audio, video or documents): the model is told the item
    was there rather than the request failing."""
    source = block.source
    media = source.media_type
    if media.startswith("image/") and source.type == "base64":
        data = source.data
        if data.startswith("data:"):
            data = data.partition(",")[2]
        return data, None
    where = source.url if source.type == "url" else (block.name or "inline data")
    return None, f"[{media} not shown: {where}]"


def _arguments(call: ToolCallBlock) -> dict[str, Any]:
    try:
        return parse_json_object(call.input or "{}")
    except ValueError:
        return {}


class OllamaChatFormatter(MessagePerMsgFormatter):
    """One API message per ``Msg``; tool results become ``tool`` messages. Thinking from
    earlier turns goes back as ``thinking`` (Ollama passes it to the model template);
    signatures from other providers mean nothing here and are dropped."""

    def _assistant_entry(self, msg: Msg) -> dict[str, Any] | None:
        texts = [b.text for b in msg.content if isinstance(b, TextBlock)]
        thinking = [b.thinking for b in msg.content if isinstance(b, ThinkingBlock)]
        calls = [b for b in msg.content if isinstance(b, ToolCallBlock)]
        if not (texts or calls or any(thinking)):
            return None
        entry: dict[str, Any] = {"role": "assistant", "content": "".join(texts)}
        if any(thinking):
            entry["thinking"] = "".join(thinking)
        if calls:
            entry["tool_calls"] = [
                {"id": c.id, "function": {"name": c.name, "arguments": _arguments(c)}}
                for c in calls
            ]
        return entry

    def _user_entry(self, msg: Msg) -> dict[str, Any] | None:
        return self._user_message(
            [b for b in msg.content if isinstance(b, TextBlock | DataBlock)], "user"
        )

    @staticmethod
    def _user_message(blocks: list[TextBlock | DataBlock], role: str) -> dict[str, Any] | None:
        texts: list[str] = []
        images: list[str] = []
        for block in blocks:
            if isinstance(block, TextBlock):
                texts.append(block.text)
                continue
            image, note = _image_or_note(block)
            if image is not None:
                images.append(image)
            if note is not None:
                texts.append(note)
        if not texts and not images:
            return None
        entry: dict[str, Any] = {"role": role, "content": "\n".join(texts)}
        if images:
            entry["images"] = images
        return entry

    def _tool_messages(self, results: list[ToolResultBlock]) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for result in results:
            entries.append(
                {
                    "role": "tool",
                    "content": tool_output_text(result),
                    "tool_name": result.name,
                    "tool_call_id": result.id,
                }
            )
        media: list[TextBlock | DataBlock] = [*tool_media(results)]
        if media:
            # Tool messages carry text only; images a tool returned reach the model as a
            # user turn right after the results.
            note = TextBlock(text=TOOL_MEDIA_NOTE)
            user = self._user_message([note, *media], "user")
            if user is not None:
                entries.append(user)
        return entries


class OllamaMultiAgentFormatter(OllamaChatFormatter):
    """Several named agents in one conversation: consecutive agent messages become one
    user message inside ``<history>`` tags with the speakers' names."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        return await super().format(group_for_multi_agent(msgs))
