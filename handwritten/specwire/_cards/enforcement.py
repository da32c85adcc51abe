"""Call-time use of cards: a parameter a model's card removes is refused, not sent.

One rule for every family (chat, embedding, TTS; generated or hand-written classes, with
shipped cards or a ``_models/`` folder): the family bases call
:func:`check_parameters_against_card` when a model is built and again for a call's
keyword overrides, and leave the removed fields out of what they send
(:func:`removed_by_card`), so a class default for such a field never reaches the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .errors import UnsupportedParameterError
from .loading import removed_parameters


def check_parameters_against_card(
    model_cls: type[Any], model_name: str, params: BaseModel | Mapping[str, Any] | None
) -> None:
    """Raise :class:`UnsupportedParameterError` when ``params`` sets (to a value other
    than None) a parameter that ``model_name``'s card removes. Nothing happens when the
    model has no card. Hidden parameters stay allowed: hiding only affects forms."""
    if params is None:
        return
    removed, card_file = removed_parameters(model_cls, model_name)
    if not removed:
        return
    if isinstance(params, BaseModel):
        # model_fields_set: only what the caller chose, not a class default
        given = {n for n in params.model_fields_set if getattr(params, n, None) is not None}
    else:
        given = {n for n, v in params.items() if v is not None}
    refused = sorted(given & removed)
    if refused:
        raise UnsupportedParameterError(model_name, refused, card_file)


def removed_by_card(model_cls: type[Any], model_name: str) -> frozenset[str]:
    """The ``Parameters`` fields ``model_name``'s card removes (empty without a card)."""
    return removed_parameters(model_cls, model_name)[0]
