"""The base every realtime wire dialect derives from (the one dialect contract of
``_core.contract``, family ``realtime``), and the session settings it reads.

A dialect turns session calls into the frames its protocol sends, and each server
message into typed events; the session engine (``session.py``) owns the socket, the
send queue, reconnects and the iteration. Dialects hold the protocol's per-session
state (the turn in flight, tool-call arguments being streamed, a resumption handle, the
conversation record used to restore a session) as typed attributes.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .._core.binding import EndpointBinding, WireParam
from .._core.contract import Dialect, DialectOptions
from .._core.errors import (
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    StreamBrokenError,
)
from .._core.websocket import WsBasePath
from .events import RealtimeEvent


@dataclass(frozen=True)
class SessionConfig:
    """What ``model.connect(...)`` was asked for, checked against the model's card."""

    model: str
    instructions: str | None = None
    voice: str | None = None
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: Any = None
    turn_detection: bool | Mapping[str, Any] = True
    """True: the server detects the end of the user's speech and answers by itself;
    False: the caller ``commit()``s; a mapping: provider settings for server detection."""
    output_modalities: tuple[str, ...] = ("audio",)
    input_sample_rate: int = 24000
    output_sample_rate: int = 24000
    input_transcription: bool = True
    keep_audio: bool = True
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """``Parameters`` values (temperature...), already validated, None left out."""


@dataclass(frozen=True)
class Restore:
    """What a dialect can send on a fresh connection to carry the session over."""

    frames: Sequence[bytes] = ()
    resumed: bool = False
    restored_items: int = 0
    lost: str = ""


class RealtimeAudio(DialectOptions):
    """The audio a realtime endpoint takes and gives (PCM16 mono)."""

    input_sample_rates: tuple[int, ...] = (24000,)
    """Input rates offered; the first is the default."""
    output_sample_rates: tuple[int, ...] = (24000,)
    """Output rates offered; the first is the default."""
    output_modalities: tuple[str, ...] = ("audio", "text")
    """What a session may ask for as output."""
    default_voice: str | None = None
    """The voice a session gets when it names none."""


class RealtimeOptions(DialectOptions):
    """The options every realtime dialect reads."""

    audio: RealtimeAudio = RealtimeAudio()
    """Sample rates, output modalities and the default voice."""
    max_history_items: int = 100
    """Conversation items kept to restore a session after a reconnect (the oldest go)."""


class RealtimeDialect(Dialect):
    """One realtime wire format (see the module docs). Frames are UTF-8 JSON, sent as
    text frames. One instance serves one session."""

    family: ClassVar[str] = "realtime"
    Options: ClassVar[type[DialectOptions]] = RealtimeOptions
    places: ClassVar[frozenset[str]] = frozenset({"voice"})
    model_base: ClassVar[str] = "specwire._realtime.base:RealtimeModelBase"
    options: RealtimeOptions

    def __init__(
        self,
        endpoint: EndpointBinding,
        wire_params: Mapping[str, WireParam],
        provider: str,
        config: SessionConfig | None = None,
    ) -> None:
        super().__init__(endpoint, wire_params, provider)
        self.config = config if config is not None else SessionConfig(model="")
        """The session this instance serves."""

    def url_query(self) -> dict[str, str]:
        """Query parameters of the websocket URL besides the spec's and the auth."""
        return {}

    def ws_base_path(self) -> WsBasePath | None:
        """How the HTTP base URL's root path becomes the websocket root (None: as is)."""
        return None

    @abstractmethod
    def opening(self) -> list[bytes]:
        """The frames that configure a fresh connection (``session.update``, ``setup``),
        carrying a resumption handle when the dialect holds one."""

    @abstractmethod
    def restore(self) -> Restore:
        """After a reconnect, once the server is ready: what to send to carry the
        session over, and what is lost."""

    @abstractmethod
    def audio(self, pcm: bytes) -> list[bytes]:
        """The frames for a piece of input audio (PCM16 at the configured input rate)."""

    @abstractmethod
    def text(self, text: str, respond: bool) -> list[bytes]:
        """A user text message, and a request for a response when ``respond``."""

    @abstractmethod
    def commit(self, respond: bool) -> list[bytes]:
        """End of the user's audio turn (manual turn detection)."""

    @abstractmethod
    def interrupt(self, played_ms: int | None) -> list[bytes]:
        """Stop the response in progress (``played_ms``: how much of its audio was
        heard, where the protocol can cut the record to that)."""

    @abstractmethod
    def tool_result(
        self, call_id: str, output: str, name: str | None, respond: bool
    ) -> list[bytes]:
        """The result of a tool call, and a request for a response when ``respond``."""

    @abstractmethod
    def read(self, message: bytes) -> Sequence[RealtimeEvent]:
        """The events one server message stands for. Raise a ``ProviderError`` for an
        error that ends the session."""

    @abstractmethod
    def dropped(self, error: ProviderError) -> Sequence[RealtimeEvent]:
        """The connection dropped: end the turn in flight (its ``ResponseDone`` carries
        ``error``) and forget per-connection state."""

    @property
    @abstractmethod
    def ready(self) -> bool:
        """The server has confirmed the configuration of this connection."""

    @property
    @abstractmethod
    def busy(self) -> bool:
        """A response is in flight (a move the server asked for waits until it ends)."""

    @property
    def go_away(self) -> bool:
        """The server announced it will close this connection soon."""
        return False

    @property
    def remembers_client_frames(self) -> bool:
        """The dialect wants every sent frame passed to ``sent`` (for replay)."""
        return False

    def sent(self, frame: bytes) -> None:
        """A frame went out on the current connection."""
        return None


# Close codes (RFC 6455 and the IANA registry) a server uses to refuse for good; the
# others (1001 going away, 1006 abnormal, 1011 internal error, 1012 restart, 1013 try
# again later...) are a dropped connection, retried.
_REFUSALS: dict[int, type[ProviderError]] = {
    1003: BadRequestError,  # unacceptable data
    1007: BadRequestError,  # invalid payload (Gemini: an invalid argument)
    1008: PermissionDeniedError,  # policy violation
    1009: BadRequestError,  # message too big
}


def close_error(code: int | None, reason: str, provider: str) -> ProviderError:
    """The typed error a close the client did not ask for stands for."""
    lowered = reason.lower()
    text = (
        f"the server closed the websocket ({code}): {reason}"
        if reason
        else (f"the server closed the websocket ({code})")
    )
    if "api key" in lowered or "unauthenticated" in lowered or "authentication" in lowered:
        return AuthenticationError(text, code=str(code), provider=provider)
    if "quota" in lowered or "rate limit" in lowered or "resource_exhausted" in lowered:
        return RateLimitError(text, code=str(code), provider=provider, status=429)
    cls = _REFUSALS.get(code or 0)
    if cls is not None:
        return cls(text, code=str(code), provider=provider)
    return StreamBrokenError(text, code=str(code) if code else None, provider=provider)
