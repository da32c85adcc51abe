"""The provider-neutral shapes of a batch job: requests in, progress and results out."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from .._core.binding import BatchState
from .._core.errors import ProviderError

ItemState = Literal["succeeded", "failed", "expired", "cancelled", "pending"]
ITEM_STATES: tuple[ItemState, ...] = ("succeeded", "failed", "expired", "cancelled", "pending")
CUSTOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,48}$")
"""What a custom id may be: it travels inside the provider's own id field, next to the
request's position, within Anthropic's 64-character ``[A-Za-z0-9_-]`` rule."""

T = TypeVar("T")


class BatchError(ProviderError):
    """A batch job failed as a whole, or was asked for something it cannot do."""


class BatchNotSupportedError(BatchError):
    """The model's provider has no batch API for this family (its spec has no ``batch``)."""


@dataclass
class BatchRequest:
    """One chat request of a batch: what ``model(...)`` takes, plus an optional
    ``custom_id`` (letters, digits, ``_`` and ``-``, at most 48) to find it by."""

    messages: Sequence[Any]
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    custom_id: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, item: Any) -> BatchRequest:
        """A request from a ``BatchRequest``, a message list, or a mapping with
        ``messages`` (and ``tools``, ``tool_choice``, ``custom_id``, other kwargs)."""
        if isinstance(item, BatchRequest):
            return item
        if isinstance(item, Mapping):
            data = dict(item)
            if "messages" not in data:
                raise ValueError("a batch request mapping needs 'messages'")
            return cls(
                messages=list(data.pop("messages")),
                tools=data.pop("tools", None),
                tool_choice=data.pop("tool_choice", None),
                custom_id=data.pop("custom_id", None),
                kwargs=data,
            )
        if isinstance(item, Sequence) and not isinstance(item, str | bytes):
            return cls(messages=list(item))
        raise TypeError(
            "a batch request is a BatchRequest, a list of messages, or a mapping with "
            f"'messages'; got {type(item).__name__}"
        )


@dataclass(frozen=True)
class BatchProgress:
    """Where a job stands: its state, and its items counted by state."""

    state: BatchState
    counts: Mapping[ItemState, int]
    total: int
    batches: tuple[BatchState, ...] = ()
    """The state of each provider batch behind the job."""

    @property
    def done(self) -> bool:
        """Every provider batch reached a terminal state."""
        return self.state in ("completed", "failed", "expired", "cancelled")

    @property
    def finished(self) -> int:
        """Items no longer pending."""
        return self.total - self.counts.get("pending", 0)

    def __str__(self) -> str:
        shown = ", ".join(f"{k} {v}" for k, v in self.counts.items() if v)
        return f"{self.state}: {self.finished}/{self.total} ({shown or 'nothing yet'})"


@dataclass(frozen=True)
class BatchResult(Generic[T]):
    """One item's outcome, in input order: ``value`` (a ``ChatResponse`` or a vector)
    when it succeeded, else ``error`` (a typed ``ProviderError``)."""

    index: int
    custom_id: str | None
    state: ItemState
    value: T | None = None
    error: ProviderError | None = None

    @property
    def ok(self) -> bool:
        return self.state == "succeeded" and self.value is not None


@dataclass(frozen=True)
class BatchLine:
    """One request as it goes on the wire: its id and body (shaped by the format)."""

    custom_id: str
    body: dict[str, Any]
    size: int
    inputs: int = 1


@dataclass(frozen=True)
class ProviderBatch:
    """One provider batch as last read."""

    id: str
    state: BatchState
    raw_state: str
    counts: Mapping[ItemState, int]
    message: str | None = None


@dataclass(frozen=True)
class LineResult:
    """One line's outcome as the provider reported it."""

    custom_id: str
    state: ItemState
    body: Any = None
    error: ProviderError | None = None
