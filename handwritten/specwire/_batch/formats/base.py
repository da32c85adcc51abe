"""The contract between the batch engine and one provider's batch wire format."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import orjson

from ..._core.binding import BatchBinding, BatchState
from ..._core.dialect import WireRequest
from ..._core.errors import ProviderError
from ..http import BatchHttp
from ..shapes import BatchLine, ItemState, LineResult, ProviderBatch


class BatchFormat(ABC):
    """One batch API: puts lines on the wire, reads a batch's state and its results.
    What differs between providers that share it (paths, limits, states) is spec data
    in ``binding``."""

    name: ClassVar[str]
    families: ClassVar[frozenset[str]]
    """The model families whose requests this format carries."""
    inputs: ClassVar[frozenset[str]]
    """How requests go up: ``file`` and/or ``inline``."""
    paths: ClassVar[frozenset[str]]
    """The spec ``paths`` the format calls."""
    needs_line_url: ClassVar[bool] = False

    def __init__(self, binding: BatchBinding, http: BatchHttp, family: str, model: str) -> None:
        self.binding = binding
        self.http = http
        self.family = family
        self.model = model
        self.provider = http.provider

    # ------------------------------------------------------------ lines
    def line(self, custom_id: str, wire: WireRequest, inputs: int = 1) -> BatchLine:
        """One request's line: the live request body, shaped for this format."""
        body = self.line_body(custom_id, wire)
        return BatchLine(custom_id, body, len(orjson.dumps(body)) + 1, inputs)

    @abstractmethod
    def line_body(self, custom_id: str, wire: WireRequest) -> dict[str, Any]:
        """What one line (or inline request) holds."""

    def result_body(self, body: Any) -> Any:
        """A succeeded line's body as the live dialect reads it (formats whose batch
        answers differ from live ones reshape it here)."""
        return body

    # ------------------------------------------------------------ the batch
    @abstractmethod
    async def create(self, lines: list[BatchLine]) -> str:
        """Submit one provider batch; its id."""

    @abstractmethod
    async def get(self, batch_id: str) -> ProviderBatch:
        """The batch's state and counts."""

    @abstractmethod
    async def cancel(self, batch_id: str) -> None:
        """Ask the provider to stop the batch (it may finish some items first)."""

    @abstractmethod
    async def results(self, batch_id: str, status: ProviderBatch) -> list[LineResult]:
        """Every line's outcome the provider reports (a line it does not mention
        reads as failed for the batch's state)."""

    # ------------------------------------------------------------ helpers
    def path(self, name: str, **values: str) -> str:
        template = self.binding.paths.get(name)
        if template is None:
            raise ProviderError(
                f"the {self.provider} batch spec has no '{name}' path", provider=self.provider
            )
        return template.format(model=self.model, **values)

    def state_of(self, raw: str) -> BatchState:
        state = self.binding.states.get(raw)
        if state is None:
            raise ProviderError(
                f"unknown {self.provider} batch state {raw!r}", provider=self.provider
            )
        return state

    def item_error(
        self,
        body: Any,
        *,
        status: int | None = None,
        default: type[ProviderError] = ProviderError,
        fallback: str = "the request failed",
    ) -> ProviderError:
        """The typed error an item's error body stands for, read by the live
        dialect's error format (the spec's code classes applied), as a live call
        answering ``status`` with it would raise."""
        return self.http.errors.error(
            body, provider=self.provider, http_status=status, default=default, fallback=fallback
        )


def counts(**values: int) -> Mapping[ItemState, int]:
    """Item counts by state, every state present."""
    out: dict[ItemState, int] = {
        "succeeded": 0,
        "failed": 0,
        "expired": 0,
        "cancelled": 0,
        "pending": 0,
    }
    for key, value in values.items():
        out[key] = max(0, int(value))  # type: ignore[index]
    return out
