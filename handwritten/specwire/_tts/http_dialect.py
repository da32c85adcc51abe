"""The contract between the HTTP text-to-speech engine and a wire dialect."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .._core.contract import Dialect, DialectOptions
from .._core.errors import ProviderError
from .wire import TTSOptions


@dataclass
class AudioPiece:
    """What one response body or stream event says about the audio."""

    data: str | None = None
    """Base64 audio carried inline, if any."""
    url: str | None = None
    finished: bool = False
    usage: dict[str, int] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


class TTSHttpOptions(TTSOptions):
    """What a spec says to an HTTP TTS dialect; the engine reads the media types."""

    media_type: str = "audio/wav"
    """Media type of inline audio in a whole (non-streamed) answer."""
    stream_media_type: str = "audio/pcm;rate=24000"
    """Media type of the audio deltas of a stream (and of their concatenation)."""


class TTSHttpDialect(Dialect, ABC):
    """One HTTP TTS wire format: request bodies, audio pieces, errors."""

    family: ClassVar[str] = "tts"
    model_base: ClassVar[str] = "specwire._tts.spec_model:SpecTTSModel"
    Options: ClassVar[type[DialectOptions]] = TTSHttpOptions
    options: TTSHttpOptions

    @abstractmethod
    def build_body(self, model: str, text: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The request body for ``text``."""

    @abstractmethod
    def read_piece(self, payload: Any) -> AudioPiece:
        """The audio, URL, usage and ids in a response body or stream event."""

    @abstractmethod
    def stream_error(self, event: str | None, payload: Any) -> ProviderError | None:
        """The error a stream event (or an error body inside a stream) stands for."""
