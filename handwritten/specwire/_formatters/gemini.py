"""Gemini ``contents``: ``user`` and ``model`` turns of parts; function responses are
user parts; system text is set apart for ``systemInstruction``.

Thought signatures go back where Gemini put them:

- a thought ``ThinkingBlock`` from Gemini (``origin == "gemini"``) becomes a
  ``thought: true`` part with its ``thoughtSignature``;
- a signature-only Gemini ``ThinkingBlock`` (the dialect keeps the signature of a
  plain text part that way) rides on the text part before it;
- a Gemini ``ToolCallBlock`` carries its signature in the ``signature`` extra.

Cross-provider history: reasoning from other providers is dropped (Gemini cannot take
it as thought and it is not the user's text); tool calls and results keep their names
(Gemini pairs them by name and order). Ids are sent only when Gemini issued them.
"""

from __future__ import annotations

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
from .media import tool_output_text

ORIGIN = "gemini"
SYNTHETIC_ID_PREFIX = "gemini_call_"
"""Ids the dialect makes up for calls Gemini sent without one (never sent back)."""


def media_part(block: DataBlock) -> dict[str, Any]:
    """``inlineData`` for inline bytes, ``fileData`` for a URL (Files API or public)."""
    source = block.source
    if source.type == "url":
        return {"fileData": {"mimeType": source.media_type, "fileUri": source.url}}
    data = source.data.split(",", 1)[1] if source.data.startswith("data:") else source.data
    return {"inlineData": {"mimeType": source.media_type, "data": data}}


def _gemini_id(call_id: str, origin: object) -> str | None:
    if origin == ORIGIN and call_id and not call_id.startswith(SYNTHETIC_ID_PREFIX):
        return call_id
    return None


def _args(arguments: str) -> dict[str, Any]:
    try:
        return parse_json_object(arguments or "{}")
    except ValueError:
        return {"arguments": arguments}


class _Turn:
    """Parts of one turn being built, and which calls were sent with Gemini ids."""

    def __init__(self, gemini_ids: set[str]) -> None:
        self.parts: list[dict[str, Any]] = []
        self.gemini_ids = gemini_ids

    def add(self, block: ContentBlock) -> None:
        if isinstance(block, TextBlock):
            if block.text:
                self.parts.append({"text": block.text})
        elif isinstance(block, ThinkingBlock):
            self._thinking(block)
        elif isinstance(block, ToolCallBlock):
            call: dict[str, Any] = {"name": block.name, "args": _args(block.input)}
            origin = getattr(block, "origin", None)
            call_id = _gemini_id(block.id, origin)
            if call_id:
                call["id"] = call_id
                self.gemini_ids.add(call_id)
            part: dict[str, Any] = {"functionCall": call}
            signature = getattr(block, "signature", None)
            if origin == ORIGIN and isinstance(signature, str) and signature:
                part["thoughtSignature"] = signature
            self.parts.append(part)
        elif isinstance(block, ToolResultBlock):
            self._result(block)
        else:
            self.parts.append(media_part(block))

    def _thinking(self, block: ThinkingBlock) -> None:
        if getattr(block, "origin", None) != ORIGIN:
            return  # another provider's reasoning
        if block.thinking:
            part: dict[str, Any] = {"text": block.thinking, "thought": True}
            if block.signature:
                part["thoughtSignature"] = block.signature
            self.parts.append(part)
        elif block.signature:
            previous = self.parts[-1] if self.parts else None
            plain_text = previous is not None and "text" in previous and not previous.get("thought")
            if previous is not None and plain_text and "thoughtSignature" not in previous:
                previous["thoughtSignature"] = block.signature
            else:
                self.parts.append({"text": "", "thoughtSignature": block.signature})

    def _result(self, block: ToolResultBlock) -> None:
        key = "error" if block.state in ("error", "denied", "interrupted") else "output"
        response: dict[str, Any] = {"name": block.name, "response": {key: tool_output_text(block)}}
        if block.id in self.gemini_ids:
            response["id"] = block.id
        self.parts.append({"functionResponse": response})
        if not isinstance(block.output, str):
            # Media a tool returned follows its response as parts of the same user turn.
            self.parts.extend(media_part(b) for b in block.output if isinstance(b, DataBlock))


class GeminiChatFormatter(FormatterBase):
    """One ``contents`` entry per ``Msg`` (consecutive ones of a role merged, so the
    function responses of parallel calls share one turn). System messages come first as
    ``{"role": "system", "parts": [...]}``, which the dialect moves to
    ``systemInstruction``."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        system: list[dict[str, Any]] = []
        out: list[dict[str, Any]] = []
        gemini_ids: set[str] = set()
        for msg in msgs:
            if msg.role == "system":
                text = msg.get_text_content()
                if text:
                    system.append({"role": "system", "parts": [{"text": text}]})
                continue
            for role, blocks in role_runs(msg):
                turn = _Turn(gemini_ids)
                for block in blocks:
                    turn.add(block)
                if not turn.parts:
                    continue
                wire_role = "model" if role == "assistant" else "user"
                if out and out[-1]["role"] == wire_role:
                    out[-1]["parts"].extend(turn.parts)
                else:
                    out.append({"role": wire_role, "parts": turn.parts})
        return system + out


class GeminiMultiAgentFormatter(GeminiChatFormatter):
    """Several named agents in one conversation: consecutive agent messages become one
    user turn inside ``<history>`` tags with the speakers' names."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        return await super().format(group_for_multi_agent(msgs))
