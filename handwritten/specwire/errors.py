"""The errors specwire raises."""

from typing import TYPE_CHECKING

from ._core.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    IncompleteStreamError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    SpecwireError,
    StreamBrokenError,
    StructuredOutputError,
    ToolArgumentsError,
)
from ._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:
    from ._cards.errors import CardError, UnsupportedParameterError
    from ._embedding.errors import EmbeddingBatchError as EmbeddingBatchError
    from ._embedding.errors import EmbeddingInputError as EmbeddingInputError

# Card errors resolve lazily: importing this module stays free of the card machinery.
_CARDS = {
    "CardError": "specwire._cards.errors",
    "UnsupportedParameterError": "specwire._cards.errors",
}
# Embedding errors too (they live beside the embedding machinery).
_EMBEDDING = {
    "EmbeddingBatchError": "specwire._embedding.errors",
    "EmbeddingInputError": "specwire._embedding.errors",
}
__getattr__ = lazy_getattr(__name__, {**_CARDS, **_EMBEDDING})

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CardError",
    "ContentFilterError",
    "EmbeddingBatchError",
    "EmbeddingInputError",
    "IncompleteStreamError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProviderError",
    "RateLimitError",
    "ResponseFormatError",
    "ServerError",
    "SpecwireError",
    "StreamBrokenError",
    "StructuredOutputError",
    "ToolArgumentsError",
    "UnsupportedParameterError",
]
__dir__ = lazy_dir(__name__)
