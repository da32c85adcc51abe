"""Embedding models: the base, the response types, the caches, and every provider's
embedding model class."""

from typing import TYPE_CHECKING

from ._generated.registry import EMBEDDING_MODELS
from ._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:
    # `X as X`: an explicit re-export, so type checkers see the public names
    from ._cards import EmbeddingModelCard as EmbeddingModelCard
    from ._embedding.base import EmbeddingModelBase as EmbeddingModelBase
    from ._embedding.cache import EmbeddingCacheBase as EmbeddingCacheBase
    from ._embedding.errors import (
        EmbeddingBatchError as EmbeddingBatchError,
    )
    from ._embedding.errors import (
        EmbeddingInputError as EmbeddingInputError,
    )
    from ._embedding.file_cache import FileEmbeddingCache as FileEmbeddingCache
    from ._embedding.redis_cache import RedisEmbeddingCache as RedisEmbeddingCache
    from ._embedding.response import (
        EmbeddingResponse as EmbeddingResponse,
    )
    from ._embedding.response import (
        EmbeddingUsage as EmbeddingUsage,
    )
    from ._embedding.vector import Embedding as Embedding
    from ._generated.dashscope_embedding import DashScopeEmbeddingModel as DashScopeEmbeddingModel
    from ._generated.gemini_embedding import GeminiEmbeddingModel as GeminiEmbeddingModel
    from ._generated.ollama_embedding import OllamaEmbeddingModel as OllamaEmbeddingModel
    from ._generated.openai_embedding import OpenAIEmbeddingModel as OpenAIEmbeddingModel

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
__dir__ = lazy_dir(__name__)
