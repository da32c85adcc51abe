"""The realtime model base: one class per provider binds a spec; ``connect`` opens a
session over the spec'd wire dialect."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from .._core.binding import EndpointBinding, ModelBinding
from .._core.bound import BoundModel, check_model_arguments, model_parameters
from .._core.credential import CredentialBase
from .._core.retry import RetryPolicy
from .dialect import RealtimeDialect, RealtimeOptions, SessionConfig
from .session import RealtimeSession

if TYPE_CHECKING:
    from .._cards import RealtimeModelCard


class NoRealtimeParameters(BaseModel):
    """The parameters of a realtime model that takes none."""

    model_config = ConfigDict(extra="forbid")


class RealtimeModelBase(BoundModel):
    """A live voice and text model: ``async with model.connect(...) as session``.

    The constructor takes the credential, the model name, ``Parameters`` (sampling and
    the like, sent with the session configuration) and the connection's reliability
    settings: ``max_retries`` reconnects in a row, ``open_timeout`` for the handshake
    and the server's confirmation, ``close_timeout``, ``ping_interval`` (keep-alive
    pings; a missed pong for as long drops the connection), ``send_queue_size``
    (frames queued before ``send_audio`` waits) and ``max_queue`` (server messages
    buffered while the caller is not reading).
    """

    Parameters: builtins.type[BaseModel] = NoRealtimeParameters
    type: str = "realtime_model"
    binding: ClassVar[ModelBinding]
    cards_dir: ClassVar[str | None] = None

    def __init__(
        self,
        credential: CredentialBase,
        model: str,
        parameters: BaseModel | None = None,
        max_retries: int = 3,
        open_timeout: float = 10.0,
        close_timeout: float = 2.0,
        ping_interval: float | None = 20.0,
        send_queue_size: int = 256,
        max_queue: int = 1024,
    ) -> None:
        check_model_arguments(model, max_retries)
        if send_queue_size < 1 or max_queue < 1:
            raise ValueError("send_queue_size and max_queue must be >= 1")
        self.credential = credential
        self.model = model
        self.parameters, self._removed = model_parameters(self, model, parameters)
        self.max_retries = max_retries
        self.open_timeout = open_timeout
        self.close_timeout = close_timeout
        self.ping_interval = ping_interval
        self.send_queue_size = send_queue_size
        self.max_queue = max_queue
        # The endpoint, its dialect (checked to be a realtime one) and the reconnect
        # policy; each session gets its own dialect instance (it holds session state).
        dialect = self._bind(credential, RealtimeDialect, max_retries, http=False)
        self.endpoint: EndpointBinding = self._endpoint
        self._dialect_cls = type(dialect)
        self.options: RealtimeOptions = dialect.options
        """The spec's options for this endpoint, as the dialect reads them."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r})"

    def retry_policy(self) -> RetryPolicy:
        """The reconnect policy: the spec's retryable failures, exponential backoff."""
        return self._retry

    # ---------------------------------------------------------------- sessions
    def connect(
        self,
        *,
        instructions: str | None = None,
        voice: str | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: Any = None,
        turn_detection: bool | Mapping[str, Any] = True,
        output_modalities: Sequence[str] | None = None,
        input_sample_rate: int | None = None,
        output_sample_rate: int | None = None,
        input_transcription: bool = True,
        keep_audio: bool = True,
        **parameters: Any,
    ) -> RealtimeSession:
        """A session, opened by ``async with`` (or ``await session.open()``).

        ``tools``: function schemas as for chat; ``turn_detection``: True for the
        server's voice activity detection (it answers when the user stops), False to
        ``commit()`` turns yourself, or a mapping of provider settings;
        ``output_modalities``: ``["audio"]`` (speech with its transcript, the default)
        or ``["text"]``; sample rates must be ones the spec lists (PCM16 mono; convert
        other audio yourself); ``keep_audio=False`` leaves the audio out of each turn's
        final response (the deltas still carry it). Other keyword arguments are
        ``Parameters`` fields for this session.
        """
        audio = self.options.audio
        modalities = tuple(output_modalities or ("audio",))
        allowed_modalities = audio.output_modalities
        unknown = [m for m in modalities if m not in allowed_modalities]
        if unknown or not modalities:
            raise ValueError(
                f"output_modalities {list(modalities)} are not offered; choose from "
                f"{list(allowed_modalities)}"
            )
        in_rate = _rate("input_sample_rate", input_sample_rate, audio.input_sample_rates)
        out_rate = _rate("output_sample_rate", output_sample_rate, audio.output_sample_rates)
        params = self.parameters
        if parameters:
            fields = type(params).model_fields
            unknown_args = sorted(k for k in parameters if k not in fields)
            if unknown_args:
                raise TypeError(
                    f"connect() got unexpected arguments {unknown_args}; "
                    f"{type(self).__name__}.Parameters has {sorted(fields)}"
                )
            from .._cards import check_parameters_against_card

            check_parameters_against_card(type(self), self.model, parameters)
            params = type(params).model_validate(
                {**params.model_dump(exclude_unset=True), **parameters}
            )
        config = SessionConfig(
            model=self.model,
            instructions=instructions,
            voice=voice or getattr(params, "voice", None) or audio.default_voice,
            tools=tuple(dict(t) for t in tools or ()),
            tool_choice=tool_choice,
            turn_detection=turn_detection,
            output_modalities=modalities,
            input_sample_rate=in_rate,
            output_sample_rate=out_rate,
            input_transcription=input_transcription,
            keep_audio=keep_audio,
            parameters=params.model_dump(exclude_none=True, exclude=set(self._removed)),
        )
        dialect = self._dialect_cls(
            self.endpoint, self.binding.wire_params, self.binding.provider, config
        )
        return RealtimeSession(self, config, dialect)

    # ---------------------------------------------------------------- cards
    @classmethod
    def list_models(cls, custom_yaml_dir: str | None = None) -> list[RealtimeModelCard]:
        """The cards of this class's models (or of the YAML files in ``custom_yaml_dir``)."""
        from .._cards import list_cards

        cards: list[RealtimeModelCard] = list_cards(cls, "realtime", custom_yaml_dir)
        return cards


def _rate(name: str, value: int | None, allowed: Sequence[int]) -> int:
    rates = [int(r) for r in allowed]
    if value is None:
        return rates[0]
    if value not in rates:
        raise ValueError(
            f"{name}={value} is not offered; choose from {rates} (resample PCM16 yourself)"
        )
    return int(value)
