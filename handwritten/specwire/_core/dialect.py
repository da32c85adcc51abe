"""The contract between the chat core and a wire dialect module."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .accumulator import StreamAccumulator
from .contract import Dialect
from .finish_reasons import FinishReason

if TYPE_CHECKING:
    from .._formatters.base import FormatterBase


@dataclass
class WireRequest:
    """What a dialect asks the core to send."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class ChatCall:
    """One chat call, formatted and ready for a dialect to put on the wire."""

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    tool_choice: Any
    parameters: dict[str, Any]
    stream: bool


class ChatDialect(Dialect, ABC):
    """One chat wire format: builds requests and turns responses and stream events into
    accumulator calls. Provider differences arrive as typed ``self.options``."""

    family: ClassVar[str] = "chat"
    model_base: ClassVar[str] = "specwire._core.spec_chat_model:SpecChatModel"
    formatter_class: ClassVar[type[FormatterBase]]
    multi_agent_formatter_class: ClassVar[type[FormatterBase]]
    finish_reasons: ClassVar[Mapping[str, FinishReason]] = {}
    """The provider's finish values and the normalized reason each stands for."""
    system_apart: ClassVar[bool] = False
    """The wire sends system messages apart from the conversation (Anthropic's
    ``system``, Gemini's ``systemInstruction``), so a call needs another message too."""
    completion_signal: ClassVar[str] = "a finish reason"
    """What ends a complete stream (named in ``IncompleteStreamError``); the dialect
    sets ``acc.finished`` when it sees it."""
    Exchange: ClassVar[type[Any] | None] = None
    """The per-call object (a dataclass) holding what one request or stream remembers
    between events; a new one comes with every accumulator (None: nothing to keep)."""

    def accumulator(self) -> StreamAccumulator:
        """A fresh accumulator for one request or stream, with a new exchange."""
        exchange = self.Exchange
        return StreamAccumulator(exchange() if exchange is not None else None)

    @abstractmethod
    def build_request(self, call: ChatCall) -> WireRequest:
        """The request for ``call``."""

    @abstractmethod
    def on_response(self, body: Any, acc: StreamAccumulator) -> None:
        """Feed a whole (non-streamed) response body into ``acc``."""

    @abstractmethod
    def on_event(self, event: str | None, payload: Any, acc: StreamAccumulator) -> None:
        """Feed one decoded stream item into ``acc``; raise a ``ProviderError`` for an
        error event."""
