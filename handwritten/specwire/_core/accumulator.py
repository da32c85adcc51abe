"""The one accumulator every wire dialect feeds.

Dialects translate provider events into calls on ``StreamAccumulator``; it keeps blocks
in order of first appearance, keyed by the dialect's key (a content index, a tool-call
index or id), so text, thinking and parallel tool calls never bleed into each other.
Text is kept as a list of parts and joined once, so a stream of n deltas costs O(n).
Usage is replaced, never summed: providers report running totals.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Hashable, Mapping
from typing import Any, Literal

from .blocks import DataBlock, TextBlock, ThinkingBlock, ToolCallBlock
from .construct import construct
from .ids import new_id
from .reading import count, wrong
from .response import ChatUsage

BlockKind = Literal["text", "thinking", "tool_call", "data", "media"]
ResponseBlock = TextBlock | ThinkingBlock | ToolCallBlock | DataBlock


class _Slot:
    __slots__ = (
        "block_id",
        "data",
        "extra",
        "kind",
        "media_type",
        "name",
        "parts",
        "pending",
        "redacted",
        "signature",
        "taken",
        "tool_id",
    )

    def __init__(self, kind: BlockKind) -> None:
        self.kind = kind
        self.block_id = new_id()
        self.parts: list[str] = []
        self.taken = 0  # parts already handed out as deltas
        self.signature: str | None = None
        self.redacted: str | None = None
        self.tool_id: str | None = None
        self.name: str | None = None
        self.data: DataBlock | None = None
        self.media_type: str | None = None  # of a "media" slot's bytes
        self.pending = ""  # a "media" slot's base64 characters short of a quantum
        self.extra: dict[str, Any] | None = None  # provider fields kept on the block

    def add_extra(self, extra: Mapping[str, Any] | None) -> None:
        if extra:
            if self.extra is None:
                self.extra = {}
            self.extra.update(extra)


class StreamAccumulator:
    """Collects typed stream events into ordered response blocks and usage."""

    __slots__ = (
        "_by_key",
        "_dirty",
        "_slots",
        "exchange",
        "extra",
        "finished",
        "stop_reason",
        "usage_fields",
    )

    def __init__(self, exchange: Any = None) -> None:
        self._slots: list[_Slot] = []
        self._by_key: dict[Hashable, _Slot] = {}
        self._dirty: dict[int, _Slot] = {}
        self.usage_fields: dict[str, int] = {}
        self.stop_reason: str | None = None
        # set by the engine or the dialect when the stream's completion signal arrived
        self.finished = False
        self.extra: dict[str, object] = {}
        self.exchange: Any = exchange
        """The dialect's typed per-call object (``ChatDialect.Exchange``): what one
        request or stream remembers between events, such as call ids by index."""

    # ------------------------------------------------------------------ events
    def _slot(self, key: Hashable, kind: BlockKind) -> _Slot:
        slot = self._by_key.get(key)
        if slot is None or slot.kind != kind:
            slot = _Slot(kind)
            self._by_key[key] = slot
            self._slots.append(slot)
        return slot

    def text(self, delta: str, key: Hashable = "text") -> None:
        """Append text to the text block under ``key``."""
        if delta:
            if delta.__class__ is not str:
                raise wrong("a text delta", delta, "a string")
            slot = self._slot(key, "text")
            slot.parts.append(delta)
            self._dirty[id(slot)] = slot

    def thinking(
        self,
        delta: str,
        key: Hashable = "thinking",
        signature: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Append reasoning text (and/or set its signature) under ``key``; ``extra``
        fields (e.g. which dialect signed it) are kept on the block."""
        if not delta and signature is None and not extra:
            return
        if delta and delta.__class__ is not str:
            raise wrong("a reasoning delta", delta, "a string")
        if signature is not None and signature.__class__ is not str:
            raise wrong("a reasoning signature", signature, "a string")
        slot = self._slot(key, "thinking")
        slot.add_extra(extra)
        if delta:
            slot.parts.append(delta)
        if signature is not None:
            slot.signature = (slot.signature or "") + signature
        self._dirty[id(slot)] = slot

    def redacted_thinking(
        self, data: str, key: Hashable, extra: Mapping[str, Any] | None = None
    ) -> None:
        """An opaque redacted-thinking payload (Anthropic)."""
        slot = self._slot(key, "thinking")
        slot.add_extra(extra)
        slot.redacted = data
        self._dirty[id(slot)] = slot

    def tool_call(
        self,
        key: Hashable,
        *,
        call_id: str | None = None,
        name: str | None = None,
        arguments: str = "",
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Start or extend the tool call under ``key``; ``arguments`` is a JSON fragment;
        ``extra`` fields (e.g. a Gemini thought signature) are kept on the block."""
        if call_id is not None and call_id.__class__ is not str:
            raise wrong("a tool call's id", call_id, "a string")
        if name is not None and name.__class__ is not str:
            raise wrong("a tool call's name", name, "a string")
        if arguments and arguments.__class__ is not str:
            raise wrong("a tool call's arguments", arguments, "a JSON string or object")
        slot = self._slot(("tool", key), "tool_call")
        slot.add_extra(extra)
        if call_id and not slot.tool_id:
            slot.tool_id = call_id
        if name and not slot.name:
            slot.name = name
        if arguments:
            slot.parts.append(arguments)
        self._dirty[id(slot)] = slot

    def data(self, block: DataBlock, key: Hashable | None = None) -> None:
        """Add a whole data block (an image or audio the model produced)."""
        slot = self._slot(key if key is not None else ("data", len(self._slots)), "data")
        slot.data = block
        self._dirty[id(slot)] = slot

    def media(self, data: str, media_type: str, key: Hashable = "media") -> None:
        """Append a base64 piece of streamed media (audio) to the data block under
        ``key``. A delta carries its own pieces, the final block every piece, each as
        one valid base64 string: pieces are decoded here, so independently padded pieces
        (OpenAI) never concatenate into a corrupt string, and a piece cut mid-quantum
        waits for the rest. ``media_type`` of the first piece is the block's."""
        if not data:
            return
        slot = self._slot(key, "media")
        if slot.media_type is None:
            slot.media_type = media_type
        text = slot.pending + data.strip()
        if "=" in text:  # a complete, padded piece
            whole, slot.pending = text, ""
        else:
            cut = len(text) - len(text) % 4
            whole, slot.pending = text[:cut], text[cut:]
        raw = _b64decode(whole)
        if raw:
            # Kept as latin-1 text (one char per byte): joining parts joins the bytes.
            slot.parts.append(raw.decode("latin-1"))
            self._dirty[id(slot)] = slot

    def usage(self, **fields: int | None) -> None:
        """Record the provider's running usage totals (later values replace earlier)."""
        for name, value in fields.items():
            if value is not None:
                checked = count(value, f"usage {name}")
                if checked is not None:
                    self.usage_fields[name] = checked

    # ------------------------------------------------------------------ output
    @property
    def has_content(self) -> bool:
        """Whether any block has been started."""
        return bool(self._slots)

    def take_delta(self) -> list[ResponseBlock]:
        """The blocks' growth since the previous call, in block order."""
        if not self._dirty:
            return []
        dirty = self._dirty
        self._dirty = {}
        if len(dirty) == 1:
            # one block grew (nearly every event of a stream read alone)
            (slot,) = dirty.values()
            parts = slot.parts
            taken, slot.taken = slot.taken, len(parts)
            piece = parts[-1] if taken == len(parts) - 1 else "".join(parts[taken:])
            block = self._build(slot, piece, final=False)
            return [block] if block is not None else []
        if len(dirty) > 1:
            order = {id(s): i for i, s in enumerate(self._slots)}
            slots = sorted(dirty.values(), key=lambda s: order[id(s)])
        else:
            slots = list(dirty.values())
        out: list[ResponseBlock] = []
        for slot in slots:
            new = slot.parts[slot.taken :]
            slot.taken = len(slot.parts)
            piece = new[0] if len(new) == 1 else "".join(new)
            block = self._build(slot, piece, final=False)
            if block is not None:
                out.append(block)
        return out

    def final_blocks(self) -> list[ResponseBlock]:
        """Every block, complete."""
        out: list[ResponseBlock] = []
        for slot in self._slots:
            block = self._build(slot, "".join(slot.parts), final=True)
            if block is not None:
                out.append(block)
        return out

    def _build(self, slot: _Slot, text: str, *, final: bool) -> ResponseBlock | None:
        kind = slot.kind
        if kind == "text":
            return construct(TextBlock, {"type": "text", "text": text, "id": slot.block_id})
        if kind == "thinking":
            shown = final or slot.signature is not None or slot.redacted is not None
            return construct(
                ThinkingBlock,
                {
                    "type": "thinking",
                    "thinking": text,
                    "signature": slot.signature if shown else None,
                    "redacted": slot.redacted if shown else None,
                    "id": slot.block_id,
                },
                dict(slot.extra) if slot.extra else {},
            )
        if kind == "tool_call":
            if slot.tool_id is None:
                slot.tool_id = "call_" + slot.block_id
            if final and not text:
                text = "{}"
            return construct(
                ToolCallBlock,
                {"type": "tool_call", "id": slot.tool_id, "name": slot.name or "", "input": text},
                dict(slot.extra) if slot.extra else {},
            )
        if kind == "media":
            if final and slot.pending:  # a last piece cut short: what it still holds
                text += _b64decode(slot.pending + "=" * (-len(slot.pending) % 4)).decode("latin-1")
            if not text:
                return None
            encoded = base64.b64encode(text.encode("latin-1")).decode("ascii")
            source = {"type": "base64", "data": encoded, "media_type": slot.media_type or ""}
            return DataBlock.model_validate({"source": source, "id": slot.block_id})
        return slot.data

    def chat_usage(self, elapsed: float) -> ChatUsage | None:
        """Usage as a ``ChatUsage``, or None when the provider reported none."""
        if not self.usage_fields:
            return None
        return ChatUsage(time=elapsed, **self.usage_fields)


def _b64decode(text: str) -> bytes:
    # lenient, as providers' own samples decode; a piece that is not base64 adds nothing
    try:
        return base64.b64decode(text)
    except (binascii.Error, ValueError):
        return b""
