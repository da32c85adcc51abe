"""The text-to-speech model base: constructor, call semantics and cards."""

from __future__ import annotations

import builtins
import fnmatch
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from .._core.bound import ModelLifecycle, check_model_arguments
from .._core.credential import CredentialBase, check_credential_family
from .response import TTSResponse

if TYPE_CHECKING:
    from .._cards import TTSModelCard


class NoTTSParameters(BaseModel):
    """The parameters of a TTS model that takes none."""


class TTSModelBase(ModelLifecycle, ABC):
    """A text-to-speech model: ``await model.synthesize(text)``.

    With ``stream=False`` the call returns one ``TTSResponse`` holding the audio; with
    ``stream=True`` an async generator of audio deltas (``is_last=False``) and then one
    final chunk (``is_last=True``) holding the whole audio of the call and the usage.
    Realtime models (``realtime = True``) also take text piece by piece with ``push``.
    """

    Parameters: builtins.type[BaseModel] = NoTTSParameters
    """Provider-specific parameters such as ``voice`` (a pydantic model); subclasses
    replace it."""

    type: str = "tts_model"
    realtime: ClassVar[bool] = False
    """Whether the model takes streaming text input (``push``)."""
    cards_dir: ClassVar[str | None] = None
    """A folder of YAML cards (the reference's ``_models/``), for hand-written models."""

    def __init__(
        self,
        credential: CredentialBase,
        model: str,
        parameters: BaseModel | None = None,
        stream: bool = True,
    ) -> None:
        check_model_arguments(model)
        check_credential_family(self, credential)
        self.credential = credential
        self.model = model
        self.parameters = parameters if parameters is not None else self.Parameters()
        if not isinstance(self.parameters, self.Parameters):
            raise TypeError(
                f"parameters must be {type(self).__name__}.Parameters, "
                f"not {type(self.parameters).__name__}"
            )
        self.stream = stream

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, stream={self.stream})"

    @abstractmethod
    async def synthesize(
        self, text: str | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        """Synthesize ``text``; see the class docstring for what comes back."""

    # ----------------------------------------------------------------- cards
    @classmethod
    def list_models(cls, custom_yaml_dir: str | None = None) -> list[TTSModelCard]:
        """The cards of this class's models (or of the YAML files in ``custom_yaml_dir``).

        A spec'd class shares its provider's TTS card folder with its siblings; its
        ``card_models`` option (name patterns) and ``realtime`` flag pick its own cards.
        """
        from .._cards import list_cards

        cards: list[TTSModelCard] = list_cards(cls, "tts", custom_yaml_dir)
        if custom_yaml_dir is not None:
            return cards
        patterns = cls._card_patterns()
        if not patterns:
            return cards
        return [
            card
            for card in cards
            if bool(card.realtime) == cls.realtime
            and any(fnmatch.fnmatchcase(card.name, pattern) for pattern in patterns)
        ]

    @classmethod
    def _card_patterns(cls) -> tuple[str, ...]:
        """The spec option ``card_models`` of this class's dialect (empty: none)."""
        binding = getattr(cls, "binding", None)
        if binding is None:
            return ()
        from .._core.contract import Dialect
        from .._dialects import load_dialect

        options = load_dialect(binding.endpoint.dialect, Dialect).read_options(binding.endpoint)
        patterns: tuple[str, ...] = getattr(options, "card_models", ())
        return patterns
