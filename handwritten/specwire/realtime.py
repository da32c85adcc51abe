"""Realtime (live voice and text) models: the base, the session, its typed events, and
every provider's realtime class.

``async with model.connect(instructions=..., voice=..., tools=...) as session:`` then
``await session.send_audio(pcm)`` / ``send_text`` / ``commit`` / ``interrupt`` /
``send_tool_result`` and ``async for event in session``. Audio is 16-bit mono PCM at the
rates the model's spec lists (``input_sample_rate`` / ``output_sample_rate``);
resampling other audio is the caller's choice.
"""

from typing import TYPE_CHECKING

from ._generated.registry import REALTIME_MODELS
from ._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:
    # Aliased imports are explicit re-exports (the names resolve lazily at run time).
    from ._cards import RealtimeModelCard as RealtimeModelCard
    from ._generated.dashscope_realtime import DashScopeRealtimeModel as DashScopeRealtimeModel
    from ._generated.gemini_realtime import GeminiRealtimeModel as GeminiRealtimeModel
    from ._generated.openai_realtime import OpenAIRealtimeModel as OpenAIRealtimeModel
    from ._realtime.base import RealtimeModelBase as RealtimeModelBase
    from ._realtime.dialect import SessionConfig as SessionConfig
    from ._realtime.events import AudioDelta as AudioDelta
    from ._realtime.events import ErrorEvent as ErrorEvent
    from ._realtime.events import FinishReason as FinishReason
    from ._realtime.events import InputTranscript as InputTranscript
    from ._realtime.events import RateLimitsUpdated as RateLimitsUpdated
    from ._realtime.events import RealtimeEvent as RealtimeEvent
    from ._realtime.events import Reconnected as Reconnected
    from ._realtime.events import ResponseDone as ResponseDone
    from ._realtime.events import SessionReady as SessionReady
    from ._realtime.events import SpeechStarted as SpeechStarted
    from ._realtime.events import SpeechStopped as SpeechStopped
    from ._realtime.events import TextDelta as TextDelta
    from ._realtime.events import ToolCall as ToolCall
    from ._realtime.events import ToolCallCancelled as ToolCallCancelled
    from ._realtime.events import TranscriptDelta as TranscriptDelta
    from ._realtime.session import RealtimeSession as RealtimeSession
    from ._realtime.session import SessionClosedError as SessionClosedError

_EVENTS = (
    "AudioDelta",
    "ErrorEvent",
    "FinishReason",
    "InputTranscript",
    "RateLimitsUpdated",
    "RealtimeEvent",
    "Reconnected",
    "ResponseDone",
    "SessionReady",
    "SpeechStarted",
    "SpeechStopped",
    "TextDelta",
    "ToolCall",
    "ToolCallCancelled",
    "TranscriptDelta",
)
_CORE = {
    "RealtimeModelBase": "specwire._realtime.base",
    "RealtimeModelCard": "specwire._cards",
    "RealtimeSession": "specwire._realtime.session",
    "SessionClosedError": "specwire._realtime.session",
    "SessionConfig": "specwire._realtime.dialect",
    **{name: "specwire._realtime.events" for name in _EVENTS},
}

__all__ = [*sorted(_CORE), *sorted(REALTIME_MODELS)]
__getattr__ = lazy_getattr(__name__, {**_CORE, **REALTIME_MODELS})
__dir__ = lazy_dir(__name__)
