"""Text to speech: the model bases, the response types, the HTTP engine and the
realtime (websocket) engines that generated TTS classes bind to."""

from .base import TTSModelBase
from .realtime import RealtimeTTSModelBase
from .response import TTSResponse, TTSUsage

__all__ = ["RealtimeTTSModelBase", "TTSModelBase", "TTSResponse", "TTSUsage"]
