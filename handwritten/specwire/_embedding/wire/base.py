"""The contract between the embedding engine and a wire-format module."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from ..._core.blocks import DataBlock
from ..._core.contract import Dialect
from ..._core.dialect import WireRequest
from ..._core.errors import ProviderError
from ..batching import InputKind
from ..vector import Embedding, rows_of


@dataclass(frozen=True)
class EmbeddingCall:
    """One batch, validated and ready for a wire module to put on the wire.
    ``media`` says the model takes media (formats with a separate multimodal endpoint
    use it)."""

    model: str
    inputs: Sequence[str | DataBlock]
    dimensions: int | None
    parameters: Mapping[str, Any]
    media: bool = False


@dataclass(frozen=True)
class ParsedEmbeddings:
    """What a response held: one vector per input, and the tokens counted (0: none)."""

    vectors: list[Embedding]
    tokens: int = 0


class IncrementalDecoder(Protocol):
    """Reads a response body as it arrives (see ``streaming``)."""

    def feed(self, chunk: bytes) -> None: ...

    def finish(self) -> ParsedEmbeddings: ...


class EmbeddingWire(Dialect, ABC):
    """One embedding wire format: builds the request body for a batch and reads the
    vectors back. Provider differences arrive as typed ``self.options``.

    ``dimensions`` is placed by every format itself (``x-wire: null`` in the spec): the
    engine resolves it against the card, and each format names it its own way."""

    family: ClassVar[str] = "embedding"
    model_base: ClassVar[str] = "specwire._embedding.spec_model:SpecEmbeddingModel"
    places: ClassVar[frozenset[str]] = frozenset({"dimensions"})
    kinds: ClassVar[frozenset[InputKind]] = frozenset({"text"})
    """Input kinds the format can carry."""

    def kinds_for(self, model: str) -> frozenset[InputKind]:
        """Input kinds ``model`` takes through this format, when no card says."""
        return self.kinds

    def input_problem(self, item: str | DataBlock, kind: InputKind) -> str | None:
        """Why the format can never carry ``item``, or None."""
        return None

    @abstractmethod
    def build_request(self, call: EmbeddingCall) -> WireRequest:
        """The request for one batch."""

    @abstractmethod
    def parse_response(self, body: Any, count: int) -> ParsedEmbeddings:
        """The vectors of a decoded response body holding ``count`` of them."""

    def incremental(self, count: int) -> IncrementalDecoder | None:
        """A decoder fed the body as it arrives, for formats that can use one; None:
        the body is read whole and given to ``parse_response``."""
        return None

    # ---------------------------------------------------------------- helpers
    def base_body(self) -> dict[str, Any]:
        """A new body holding the spec's fixed fields."""
        return dict(self.endpoint.fixed_body)

    def fail(self, message: str, body: Any = None) -> ProviderError:
        """An error for a response that is not what the format promises (the
        provider's own code and message are kept when the body holds them)."""
        fields = self.errors.read(body) if isinstance(body, dict) else None
        code = fields.code or fields.type if fields is not None else None
        text = fields.message if fields is not None else None
        detail = f"{message}: {code or ''} {text}".rstrip() if text else message
        return ProviderError(detail, code=code, provider=self.provider, body=body)

    def float_rows(self, rows: Sequence[Any], count: int, body: Any) -> list[Embedding]:
        """Vectors from JSON number lists (kept as float64, the precision sent)."""
        if len(rows) != count:
            raise self.fail(f"{len(rows)} vectors came back for {count} inputs", body)
        try:
            matrix = np.array(rows, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise self.fail(f"vectors are not equal-length number lists ({exc})", body) from exc
        if matrix.ndim != 2:
            raise self.fail("vectors are not equal-length number lists", body)
        return rows_of(matrix)


def inline_base64(block: DataBlock) -> str:
    """The base64 payload of an inline block (a data URL's prefix removed)."""
    data = block.source.data if block.source.type == "base64" else ""
    if data.startswith("data:"):
        data = data.partition(",")[2]
    return data
