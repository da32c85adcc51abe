"""The typed events a realtime session yields, built from the chat blocks.

Deltas carry a ``TextBlock`` or ``DataBlock`` whose ``id`` is the id of the block they
extend in the turn's final response, so a user interface can append by id. Audio is
16-bit little-endian mono PCM; ``AudioDelta.pcm`` decodes it and ``sample_rate`` states
its rate (resampling, when the output device wants another rate, is the caller's
choice). Events are slotted dataclasses: one is built per server message, and a session
of live audio receives fifty of those a second.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeAlias

from .._core.blocks import Base64Source, DataBlock, TextBlock, ToolCallBlock
from .._core.errors import ProviderError
from .._core.response import ChatResponse

FinishReason = Literal[
    "stop", "length", "tool_calls", "content_filter", "interrupted", "error", "other"
]
"""Why a turn's response ended: normalised as in chat, plus ``interrupted`` (cancelled by
``interrupt()`` or by the user speaking over it) and ``error`` (failed or cut off by a
dropped connection)."""


@dataclass(slots=True, frozen=True)
class SessionReady:
    """The server accepted the session configuration (also after a reconnect)."""

    session_id: str | None
    resumed: bool = False
    config: dict[str, Any] = field(default_factory=dict)
    type: Literal["session_ready"] = "session_ready"


@dataclass(slots=True, frozen=True)
class TextDelta:
    """A piece of the model's text output."""

    block: TextBlock
    response_id: str
    type: Literal["text_delta"] = "text_delta"


class AudioDelta:
    """A piece of the model's speech: ``data`` is base64 PCM16 mono at ``sample_rate``
    as the provider sent it, ``pcm`` decodes it, ``block`` is the same piece as a
    ``DataBlock`` (whose id is the turn's audio block's), built on first access: fifty
    of these arrive every second, and most callers only want the bytes."""

    __slots__ = ("_block", "block_id", "data", "response_id", "sample_rate")
    type: ClassVar[Literal["audio_delta"]] = "audio_delta"

    def __init__(self, data: str, response_id: str, sample_rate: int, block_id: str) -> None:
        self.data = data
        self.response_id = response_id
        self.sample_rate = sample_rate
        self.block_id = block_id
        self._block: DataBlock | None = None

    @property
    def pcm(self) -> bytes:
        """The audio as raw PCM16 bytes at ``sample_rate``."""
        return base64.b64decode(self.data)

    @property
    def media_type(self) -> str:
        return f"audio/pcm;rate={self.sample_rate}"

    @property
    def block(self) -> DataBlock:
        """This piece as a ``DataBlock`` (base64 source, ``audio/pcm;rate=...``)."""
        block = self._block
        if block is None:
            source = Base64Source(data=self.data, media_type=self.media_type)
            block = self._block = DataBlock(source=source, id=self.block_id)
        return block

    def __repr__(self) -> str:
        return (
            f"AudioDelta(response_id={self.response_id!r}, sample_rate={self.sample_rate}, "
            f"{len(self.data) * 3 // 4} bytes)"
        )


@dataclass(slots=True, frozen=True)
class TranscriptDelta:
    """A piece of the transcript of the model's speech."""

    block: TextBlock
    response_id: str
    type: Literal["transcript_delta"] = "transcript_delta"


@dataclass(slots=True, frozen=True)
class InputTranscript:
    """The user's speech as text: a piece (``final`` False) or the whole utterance."""

    text: str
    item_id: str | None
    final: bool
    type: Literal["input_transcript"] = "input_transcript"


@dataclass(slots=True, frozen=True)
class SpeechStarted:
    """Voice activity detection heard the user start speaking (stop playback now)."""

    item_id: str | None = None
    type: Literal["speech_started"] = "speech_started"


@dataclass(slots=True, frozen=True)
class SpeechStopped:
    """Voice activity detection heard the user stop speaking."""

    item_id: str | None = None
    type: Literal["speech_stopped"] = "speech_stopped"


@dataclass(slots=True, frozen=True)
class ToolCall:
    """The model calls a tool; ``block.input`` holds the complete arguments JSON.
    Answer with ``session.send_tool_result(block.id, output)``."""

    block: ToolCallBlock
    response_id: str
    type: Literal["tool_call"] = "tool_call"


@dataclass(slots=True, frozen=True)
class ToolCallCancelled:
    """The server withdrew tool calls (Gemini, when the user interrupts); do not answer
    them."""

    ids: tuple[str, ...]
    type: Literal["tool_call_cancelled"] = "tool_call_cancelled"


@dataclass(slots=True, frozen=True)
class ResponseDone:
    """A turn's response ended: ``response`` holds its whole content (the text or the
    transcript as one ``TextBlock``, the audio as one ``DataBlock`` unless the session
    was opened with ``keep_audio=False``, the tool calls) and its ``ChatUsage``."""

    response: ChatResponse
    finish_reason: FinishReason
    provider_finish_reason: str | None = None
    error: ProviderError | None = None
    type: Literal["response_done"] = "response_done"


@dataclass(slots=True, frozen=True)
class ErrorEvent:
    """The server reported an error the session survives (a refused event, a bad
    parameter); ``error`` is the typed specwire error. Errors that end the session are
    raised from the iteration instead."""

    error: ProviderError
    type: Literal["error"] = "error"


@dataclass(slots=True, frozen=True)
class RateLimitsUpdated:
    """The provider's current rate limits (OpenAI ``rate_limits.updated``)."""

    limits: tuple[dict[str, Any], ...]
    type: Literal["rate_limits"] = "rate_limits"


@dataclass(slots=True, frozen=True)
class Reconnected:
    """The connection dropped (or the server asked to move) and a new one is open.

    ``resumed``: the provider restored the session itself (Gemini session resumption).
    Otherwise ``restored_items`` conversation items were sent again from the session's
    own record (OpenAI-style servers), and ``lost`` says what could not be carried over.
    """

    attempt: int
    resumed: bool
    restored_items: int = 0
    lost: str = ""
    cause: str = ""
    type: Literal["reconnected"] = "reconnected"


RealtimeEvent: TypeAlias = (
    SessionReady
    | TextDelta
    | AudioDelta
    | TranscriptDelta
    | InputTranscript
    | SpeechStarted
    | SpeechStopped
    | ToolCall
    | ToolCallCancelled
    | ResponseDone
    | ErrorEvent
    | RateLimitsUpdated
    | Reconnected
)
"""Any event a session yields; ``event.type`` tells them apart."""
