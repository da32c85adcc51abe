"""The text-to-speech model base: constructor, call semantics and cards."""

from __future__ import annotations

import builtins
import fnmatch
import functools
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from .._core.bound import ModelLifecycle, check_model_arguments, model_parameters
from .._core.credential import CredentialBase, check_credential_family
from .._ratelimit.model import RateLimited
from .response import TTSResponse

if TYPE_CHECKING:
    from .._cards import TTSModelCard


class NoTTSParameters(BaseModel):
    """The parameters of a TTS model that takes none."""


class TTSModelBase(RateLimited, ModelLifecycle, ABC):
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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every implementation of synthesize, custom ones included, is traced.
        if "synthesize" in cls.__dict__ and not getattr(cls.synthesize, "_traced", False):
            setattr(cls, "synthesize", _traced_synthesize(cls.__dict__["synthesize"]))  # noqa: B010

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
        self.parameters, self._removed = model_parameters(self, model, parameters)
        self.parameters = _card_voice_default(type(self), model, self.parameters)
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


_Synthesize = Callable[..., Awaitable[TTSResponse | AsyncGenerator[TTSResponse, None]]]


def _traced_synthesize(synthesize: _Synthesize) -> _Synthesize:
    """``synthesize`` emitting an OpenTelemetry span and metrics (when a provider is set)."""

    @functools.wraps(synthesize)
    async def traced(
        self: TTSModelBase, text: str | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        from .._core.telemetry import start_call

        binding = getattr(type(self), "binding", None)
        telemetry = start_call(
            "generate_content",
            binding.provider if binding is not None else type(self).__name__,
            self.model,
            self.credential,
            lambda: {"gen_ai.output.type": "speech"},
        )
        if telemetry is None:
            return await synthesize(self, text, **kwargs)
        try:
            result = await synthesize(self, text, **kwargs)
        except BaseException as exc:
            telemetry.fail(exc)
            raise
        if isinstance(result, TTSResponse):
            telemetry.finish_response(result)
            return result
        return telemetry.wrap_stream(result)

    traced._traced = True  # type: ignore[attr-defined]
    return traced


def _card_voice_default(
    cls: builtins.type[TTSModelBase], model: str, params: BaseModel
) -> BaseModel:
    """``params`` with the card's default voice when the caller chose none and the class
    default is not among the card's voices (the rule of ``merge_overrides``: then the
    card's first voice is the default), so the model speaks with the voice its form
    shows."""
    if "voice" not in type(params).model_fields or "voice" in params.model_fields_set:
        return params
    current = getattr(params, "voice", None)
    if current is None:
        return params
    from .._cards import TTSModelCard
    from .._cards.loading import card_named

    card = card_named(cls, "tts", model)
    if not isinstance(card, TTSModelCard) or not card.voices or current in card.voices:
        return params
    voice = (card.parameter_schema.get("properties") or {}).get("voice") or {}
    default = voice.get("default")
    return params if default is None else params.model_copy(update={"voice": default})
