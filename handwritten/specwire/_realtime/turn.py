"""One response of a realtime session, accumulated as it streams.

A dialect feeds the pieces (text, transcript, base64 audio, tool-call arguments, usage)
and gets back the delta events; ``finish`` builds the turn's ``ResponseDone``. Pieces are
kept as lists and joined once at the end, so a long turn costs O(its size).
"""

from __future__ import annotations

import base64
import time
from typing import Any

from .._core.blocks import Base64Source, DataBlock, TextBlock, ToolCallBlock
from .._core.errors import ProviderError
from .._core.ids import new_id, now_iso
from .._core.response import ChatResponse, ChatUsage
from .events import AudioDelta, FinishReason, ResponseDone, TextDelta, ToolCall, TranscriptDelta

_construct_text = TextBlock.model_construct


class Turn:
    """The state of one response: born when its first event arrives, dead at ``finish``."""

    __slots__ = (
        "audio",
        "audio_id",
        "cancelled",
        "created_at",
        "keep_audio",
        "media_type",
        "order",
        "response_id",
        "sample_rate",
        "started",
        "text",
        "text_id",
        "tool_calls",
        "transcript",
        "usage",
        "usage_details",
    )

    def __init__(self, response_id: str | None, sample_rate: int, keep_audio: bool) -> None:
        self.response_id = response_id or new_id()
        self.created_at = now_iso()
        self.started = time.perf_counter()
        self.text_id = new_id()
        self.audio_id = new_id()
        self.sample_rate = sample_rate
        self.media_type = f"audio/pcm;rate={sample_rate}"
        self.keep_audio = keep_audio
        self.text: list[str] = []
        self.transcript: list[str] = []
        self.audio: list[str] = []
        self.tool_calls: dict[str, ToolCallBlock] = {}
        self.order: list[str] = []  # which kinds of block came first
        self.usage: dict[str, int] = {}
        self.usage_details: dict[str, Any] = {}
        self.cancelled = False

    # ---------------------------------------------------------------- pieces in
    def text_delta(self, text: str) -> TextDelta:
        if not self.text and not self.transcript:
            self.order.append("text")
        self.text.append(text)
        return TextDelta(_construct_text(type="text", text=text, id=self.text_id), self.response_id)

    def transcript_delta(self, text: str) -> TranscriptDelta:
        if not self.text and not self.transcript:
            self.order.append("text")
        self.transcript.append(text)
        return TranscriptDelta(
            _construct_text(type="text", text=text, id=self.text_id), self.response_id
        )

    def audio_delta(self, data: str) -> AudioDelta:
        """``data``: base64 PCM16, as the provider sent it (decoded only on demand)."""
        audio = self.audio
        if self.keep_audio:
            if not audio:
                self.order.append("audio")
            audio.append(data)
        elif not audio:
            self.order.append("audio")
            audio.append("")  # remembers that there was audio, holds none of it
        return AudioDelta(data, self.response_id, self.sample_rate, self.audio_id)

    def tool_call(self, call_id: str, name: str, arguments: str) -> ToolCall:
        """A complete call (providers stream the arguments; the dialect joins them)."""
        block = ToolCallBlock(id=call_id, name=name, input=arguments or "{}")
        if not self.tool_calls:
            self.order.append("tool_calls")
        self.tool_calls[call_id] = block
        return ToolCall(block, self.response_id)

    def set_usage(self, **counts: int | None) -> None:
        """Running totals replace, never add."""
        for key, value in counts.items():
            if value is not None:
                self.usage[key] = int(value)

    # ---------------------------------------------------------------- the end
    @property
    def has_content(self) -> bool:
        return bool(self.text or self.transcript or self.audio or self.tool_calls)

    @property
    def spoken_text(self) -> str:
        """The text of the response: its text output, else its speech's transcript."""
        return "".join(self.text) or "".join(self.transcript)

    def finish(
        self,
        reason: FinishReason,
        provider_reason: str | None = None,
        error: ProviderError | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> ResponseDone:
        content: list[TextBlock | ToolCallBlock | DataBlock] = []
        meta: dict[str, Any] = dict(metadata or {})
        for kind in self.order:
            if kind == "text":
                content.append(TextBlock(text=self.spoken_text, id=self.text_id))
                if not self.text:
                    meta["transcript"] = True  # the text block is the speech's transcript
            elif kind == "audio" and self.keep_audio:
                pcm = b"".join(base64.b64decode(piece) for piece in self.audio)
                source = Base64Source(
                    data=base64.b64encode(pcm).decode("ascii"), media_type=self.media_type
                )
                content.append(DataBlock(source=source, id=self.audio_id))
            elif kind == "tool_calls":
                content.extend(self.tool_calls.values())
        if self.usage_details:
            meta["usage_details"] = self.usage_details
        usage = ChatUsage(
            input_tokens=self.usage.get("input_tokens", 0),
            output_tokens=self.usage.get("output_tokens", 0),
            cache_read_input_tokens=self.usage.get("cache_read_input_tokens", 0),
            reasoning_tokens=self.usage.get("reasoning_tokens", 0),
            time=time.perf_counter() - self.started,
        )
        response = ChatResponse(
            content=content,
            is_last=True,
            usage=usage,
            id=self.response_id,
            created_at=self.created_at,
            metadata=meta or None,
        )
        return ResponseDone(response, reason, provider_reason, error)
