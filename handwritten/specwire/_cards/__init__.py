"""Model cards: what a model accepts and produces, its limits, and its parameter form.

The card types load eagerly (they are light); the loading machinery on first use, so a
module that only names a card type does not pull it in.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_getattr
from .card import EmbeddingModelCard, ModelCard, RealtimeModelCard, TTSModelCard
from .errors import CardError, UnsupportedParameterError

if TYPE_CHECKING:
    from .enforcement import check_parameters_against_card, removed_by_card
    from .loading import list_cards, removed_parameters

__all__ = [
    "CardError",
    "EmbeddingModelCard",
    "ModelCard",
    "RealtimeModelCard",
    "TTSModelCard",
    "UnsupportedParameterError",
    "check_parameters_against_card",
    "list_cards",
    "removed_by_card",
    "removed_parameters",
]
__getattr__ = lazy_getattr(
    __name__,
    {
        "check_parameters_against_card": "specwire._cards.enforcement",
        "list_cards": "specwire._cards.loading",
        "removed_by_card": "specwire._cards.enforcement",
        "removed_parameters": "specwire._cards.loading",
    },
)
