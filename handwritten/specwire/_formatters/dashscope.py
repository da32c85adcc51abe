"""DashScope's native message format.

Text-only messages keep a string ``content`` (what the text-generation endpoint takes);
a message with media gets a list of ``{"text"}``, ``{"image"}``, ``{"video"}`` and
``{"audio"}`` items (URLs, or data URLs for inline data), which also sends the request to
the multimodal endpoint. Tool calls and results follow the OpenAI shape DashScope uses.
Reasoning from earlier turns is not sent back: DashScope does not take it as input.
"""

from __future__ import annotations

from typing import Any

from .._core.blocks import DataBlock, TextBlock, ToolCallBlock, ToolResultBlock
from .._core.messages import Msg
from .base import MessagePerMsgFormatter, group_for_multi_agent
from .media import TOOL_MEDIA_NOTE, data_url, tool_media, tool_output_text
from .openai import openai_tool_calls

_MEDIA_KEYS = {"image": "image", "video": "video", "audio": "audio"}


def _media_item(block: DataBlock) -> dict[str, Any] | None:
    kind = block.source.media_type.split("/", 1)[0]
    key = _MEDIA_KEYS.get(kind)
    return {key: data_url(block)} if key else None


class DashScopeChatFormatter(MessagePerMsgFormatter):
    """One API message per ``Msg``; tool results become ``tool`` messages."""

    def _assistant_entry(self, msg: Msg) -> dict[str, Any] | None:
        calls = [b for b in msg.content if isinstance(b, ToolCallBlock)]
        content = self._content([b for b in msg.content if isinstance(b, TextBlock)])
        if not (content or calls):
            return None
        entry: dict[str, Any] = {"role": "assistant", "content": content}
        if calls:
            entry["tool_calls"] = openai_tool_calls(calls)
        return entry

    def _user_entry(self, msg: Msg) -> dict[str, Any] | None:
        content = self._content([b for b in msg.content if isinstance(b, TextBlock | DataBlock)])
        return {"role": "user", "content": content} if content else None

    @staticmethod
    def _content(blocks: list[TextBlock | DataBlock]) -> str | list[dict[str, Any]]:
        """A string when there is only text, else the multimodal item list."""
        if all(isinstance(b, TextBlock) for b in blocks):
            return "".join(b.text for b in blocks if isinstance(b, TextBlock))
        items: list[dict[str, Any]] = []
        for block in blocks:
            if isinstance(block, TextBlock):
                items.append({"text": block.text})
                continue
            item = _media_item(block)
            # Documents and other media DashScope cannot read are named, not sent.
            items.append(item or {"text": f"[{block.source.media_type} attached]"})
        return items

    def _tool_messages(self, results: list[ToolResultBlock]) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for result in results:
            entries.append(
                {
                    "role": "tool",
                    "content": tool_output_text(result),
                    "tool_call_id": result.id,
                    "name": result.name,
                }
            )
        media: list[TextBlock | DataBlock] = [*tool_media(results)]
        if media:
            # Tool messages carry text only; media a tool returned reaches the model as a
            # user turn right after the results.
            note = TextBlock(text=TOOL_MEDIA_NOTE)
            entries.append({"role": "user", "content": self._content([note, *media])})
        return entries


class DashScopeMultiAgentFormatter(DashScopeChatFormatter):
    """Several named agents in one conversation: consecutive agent messages become one
    user message inside ``<history>`` tags with the speakers' names."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        return await super().format(group_for_multi_agent(msgs))
