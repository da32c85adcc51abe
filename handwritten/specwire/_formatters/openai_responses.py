"""OpenAI Responses input items.

A conversation becomes a flat list of items: role messages (``input_text``,
``input_image``, ``input_file`` parts for users; plain text for the assistant),
``function_call`` / ``function_call_output`` pairs tied by ``call_id``, and ``reasoning``
items. Reasoning goes back only when this API produced it (``origin`` on the block) with
its encrypted content (kept as the ``ThinkingBlock`` signature), and only when followed by
the message or call it led to; other reasoning (another provider's, or an unsigned
summary) cannot be verified by the API and is dropped.
"""

from __future__ import annotations

from typing import Any

from .._core.blocks import DataBlock, TextBlock, ThinkingBlock, ToolCallBlock, ToolResultBlock
from .._core.messages import Msg
from .base import FormatterBase, group_for_multi_agent
from .media import TOOL_MEDIA_NOTE, data_url, tool_media, tool_output_text

ORIGIN = "openai_responses"
"""The ``origin`` the Responses dialect puts on the reasoning blocks it produces."""


def _input_part(block: TextBlock | DataBlock) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        return {"type": "input_text", "text": block.text}
    media = block.source.media_type
    if media.startswith("image/"):
        return {"type": "input_image", "image_url": data_url(block)}
    if block.source.type == "base64":
        return {
            "type": "input_file",
            "filename": block.name or f"attachment.{media.rsplit('/', 1)[-1]}",
            "file_data": data_url(block),
        }
    return {"type": "input_file", "file_url": block.source.url}


class OpenAIResponseFormatter(FormatterBase):
    """Messages into Responses ``input`` items, in conversation order."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for msg in msgs:
            if msg.role == "system":
                out.append({"role": "system", "content": msg.get_text_content() or ""})
            elif msg.role == "assistant":
                out.extend(self._assistant_items(msg))
            else:
                out.extend(self._user_items(msg))
        return out

    def _assistant_items(self, msg: Msg) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        text: list[str] = []

        def flush_text() -> None:
            if text:
                items.append({"role": "assistant", "content": "".join(text)})
                text.clear()

        for block in msg.content:
            if isinstance(block, TextBlock):
                text.append(block.text)
                continue
            if isinstance(block, ThinkingBlock):
                flush_text()
                if block.signature and getattr(block, "origin", None) == ORIGIN:
                    summary = [{"type": "summary_text", "text": block.thinking}]
                    items.append(
                        {
                            "type": "reasoning",
                            "summary": summary if block.thinking else [],
                            "encrypted_content": block.signature,
                        }
                    )
            elif isinstance(block, ToolCallBlock):
                flush_text()
                items.append(
                    {
                        "type": "function_call",
                        "call_id": block.id,
                        "name": block.name,
                        "arguments": block.input or "{}",
                    }
                )
            elif isinstance(block, ToolResultBlock):
                flush_text()
                items.extend(self._tool_outputs([block]))
        flush_text()
        # A reasoning item must be followed by the output it led to; one left at the end
        # (an answer cut short) would be refused.
        while items and items[-1].get("type") == "reasoning":
            items.pop()
        return items

    def _user_items(self, msg: Msg) -> list[dict[str, Any]]:
        items = self._tool_outputs([b for b in msg.content if isinstance(b, ToolResultBlock)])
        parts = [b for b in msg.content if isinstance(b, TextBlock | DataBlock)]
        if parts:
            if all(isinstance(b, TextBlock) for b in parts):
                content: Any = "".join(b.text for b in parts if isinstance(b, TextBlock))
            else:
                content = [_input_part(b) for b in parts]
            items.append({"role": "user", "content": content})
        return items

    @staticmethod
    def _tool_outputs(results: list[ToolResultBlock]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for result in results:
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": result.id,
                    "output": tool_output_text(result),
                }
            )
        media = [_input_part(b) for b in tool_media(results)]
        if media:
            # Media a tool returned reaches the model as a user turn after the outputs.
            note = {"type": "input_text", "text": TOOL_MEDIA_NOTE}
            items.append({"role": "user", "content": [note, *media]})
        return items


class OpenAIResponseMultiAgentFormatter(OpenAIResponseFormatter):
    """Several named agents in one conversation: consecutive agent messages become one
    user message inside ``<history>`` tags with the speakers' names."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        return await super().format(group_for_multi_agent(msgs))
