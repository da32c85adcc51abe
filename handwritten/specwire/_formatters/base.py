"""The formatter contract and the multi-agent grouping every dialect shares."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from .._core.blocks import ContentBlock, DataBlock, TextBlock, ToolCallBlock, ToolResultBlock
from .._core.messages import Msg, UserMsg


class FormatterBase(ABC):
    """Turns ``Msg`` objects into the message list one provider's API takes."""

    @abstractmethod
    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        """The provider payload for ``msgs``."""


class MessagePerMsgFormatter(FormatterBase):
    """The Chat Completions layout (OpenAI, DashScope, Ollama): each ``Msg`` becomes its
    own API messages: a system message; an assistant message followed by the tool results
    it carries; or the tool results a user turn carries followed by the user message."""

    async def format(self, msgs: list[Msg]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for msg in msgs:
            out.extend(self._format_one(msg))
        return out

    def _format_one(self, msg: Msg) -> list[dict[str, Any]]:
        results = [b for b in msg.content if isinstance(b, ToolResultBlock)]
        if msg.role == "system":
            return [{"role": "system", "content": msg.get_text_content() or ""}]
        if msg.role == "assistant":
            entries: list[dict[str, Any]] = []
            entry = self._assistant_entry(msg)
            if entry is not None:
                entries.append(entry)
            entries.extend(self._tool_messages(results))
            return entries
        entries = self._tool_messages(results)
        user = self._user_entry(msg)
        if user is not None:
            entries.append(user)
        return entries

    @abstractmethod
    def _assistant_entry(self, msg: Msg) -> dict[str, Any] | None:
        """The assistant message (None when it has nothing to say)."""

    @abstractmethod
    def _user_entry(self, msg: Msg) -> dict[str, Any] | None:
        """The user message (None when it carries no text or media)."""

    @abstractmethod
    def _tool_messages(self, results: list[ToolResultBlock]) -> list[dict[str, Any]]:
        """The messages carrying ``results``."""


def group_for_multi_agent(msgs: list[Msg], history_tag: str = "history") -> list[Msg]:
    """Rewrite a multi-agent conversation for a provider that knows two roles.

    System messages stay first as they are. Runs of consecutive agent messages (anything
    that is not a tool call or result) become one user message: their text, each line
    prefixed with the speaker's name, inside ``<history>`` tags, with their images kept.
    Messages that carry tool calls or tool results keep their native form, so the tool
    sequence stays valid for the API.
    """
    out: list[Msg] = []
    run: list[Msg] = []

    def flush() -> None:
        if not run:
            return
        lines: list[str] = []
        data: list[DataBlock] = []
        for m in run:
            for block in m.content:
                if isinstance(block, TextBlock):
                    lines.append(f"{m.name}: {block.text}")
                elif isinstance(block, DataBlock):
                    data.append(block)
        text = f"<{history_tag}>\n" + "\n".join(lines) + f"\n</{history_tag}>"
        out.append(UserMsg(name="user", content=[TextBlock(text=text), *data]))
        run.clear()

    for msg in msgs:
        tooling = any(isinstance(b, ToolCallBlock | ToolResultBlock) for b in msg.content)
        if msg.role == "system" or tooling:
            flush()
            out.append(msg)
        else:
            run.append(msg)
    flush()
    return out


def role_runs(msg: Msg) -> list[tuple[str, list[ContentBlock]]]:
    """A message's blocks in order, cut into runs by the side that must send them: tool
    results always come from the user side (Anthropic, Gemini), every other block from the
    message's own role. ``[call, result, text]`` from an assistant gives three runs."""
    runs: list[tuple[str, list[ContentBlock]]] = []
    for block in msg.content:
        role = "user" if isinstance(block, ToolResultBlock) else msg.role
        if runs and runs[-1][0] == role:
            runs[-1][1].append(block)
        else:
            runs.append((role, [block]))
    return runs
