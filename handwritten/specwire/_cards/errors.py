"""Errors about model cards: a card that cannot be used, a parameter a card removed."""

from __future__ import annotations

from collections.abc import Sequence

from .._core.errors import SpecwireError


class CardError(SpecwireError, ValueError):
    """A model card that cannot be used: names its file and the field at fault."""

    def __init__(self, file: str, field: str, message: str) -> None:
        super().__init__(f"{file}: {field}: {message}")
        self.file = file
        self.field = field
        self.message = message


class UnsupportedParameterError(SpecwireError, ValueError):
    """A parameter was set that the model's card removes (``parameter_overrides: {x: null}``)."""

    def __init__(self, model: str, parameters: Sequence[str], card_file: str) -> None:
        names = ", ".join(parameters)
        super().__init__(
            f"model {model!r} does not accept {names}: its model card ({card_file}) removes "
            f"{'it' if len(parameters) == 1 else 'them'}; leave {names} unset"
        )
        self.model = model
        self.parameters = tuple(parameters)
        self.card_file = card_file
