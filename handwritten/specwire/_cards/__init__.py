"""Model cards: what a model accepts and produces, and the parameter form for it."""

from .card import EmbeddingModelCard, ModelCard, TTSModelCard
from .loading import list_cards

__all__ = ["EmbeddingModelCard", "ModelCard", "TTSModelCard", "list_cards"]
