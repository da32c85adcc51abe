"""Embedding models: the base, the response types, the caches, and every provider's
embedding model class."""

from typing import TYPE_CHECKING

from ._generated.registry import EMBEDDING_MODELS
from ._lazy import lazy_getattr

if TYPE_CHECKING:
    from ._cards import EmbeddingModelCard
    from ._embedding.base import EmbeddingModelBase
    from ._embedding.cache import EmbeddingCacheBase
    from ._embedding.errors import EmbeddingBatchError, EmbeddingInputError
    from ._embedding.file_cache import FileEmbeddingCache
    from ._embedding.redis_cache import RedisEmbeddingCache
    from ._embedding.response import EmbeddingResponse, EmbeddingUsage
    from ._embedding.vector import Embedding

_CORE = {
    "Embedding": "specwire._embedding.vector",
    "EmbeddingBatchError": "specwire._embedding.errors",
    "EmbeddingCacheBase": "specwire._embedding.cache",
    "EmbeddingInputError": "specwire._embedding.errors",
    "EmbeddingModelBase": "specwire._embedding.base",
    "EmbeddingModelCard": "specwire._cards",
    "EmbeddingResponse": "specwire._embedding.response",
    "EmbeddingUsage": "specwire._embedding.response",
    "FileEmbeddingCache": "specwire._embedding.file_cache",
    "RedisEmbeddingCache": "specwire._embedding.redis_cache",
}

__all__ = [*sorted(_CORE), *sorted(EMBEDDING_MODELS)]
__getattr__ = lazy_getattr(__name__, {**_CORE, **EMBEDDING_MODELS})
