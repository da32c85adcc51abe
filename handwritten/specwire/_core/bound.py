"""What every model shares: its argument checks and its lifecycle, and for a model
bound to a spec (a generated class) the set-up every engine used to repeat.

- ``check_model_arguments``: a model name, a non-negative retry budget.
- ``check_parameters_type`` / ``model_parameters``: the model's ``Parameters`` (its
  defaults when none are given), checked to be of its class and against its card.
- ``http_options``: the constructor's HTTP arguments, as ``BoundModel._bind`` takes them.
- ``ModelLifecycle``: ``async with model:`` and ``await model.aclose()`` for every model
  (chat, embedding, HTTP and realtime TTS); closing twice is harmless.
- ``BoundModel``: the endpoint the credential's base URL selects (a variant or the
  default), that endpoint's dialect instance (checked to be of the engine's family),
  the HTTP transport and the ``RetryPolicy`` built from the spec's retryable statuses
  and codes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from .contract import Dialect

if TYPE_CHECKING:
    import httpx
    from pydantic import BaseModel

    from .binding import EndpointBinding, ModelBinding
    from .credential import CredentialBase
    from .retry import RetryPolicy
    from .transport import HttpTransport

DialectT = TypeVar("DialectT", bound=Dialect)


def check_model_arguments(model: object, max_retries: int = 0) -> None:
    """Refuse an empty model name or a negative retry budget."""
    if not isinstance(model, str) or not model:
        raise ValueError("model must be a non-empty model name")
    if not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError("max_retries must be >= 0")


def check_parameters_type(owner: Any, parameters: object) -> None:
    """Refuse parameters that are not ``owner``'s ``Parameters`` class."""
    if not isinstance(parameters, owner.Parameters):
        raise TypeError(
            f"parameters must be {type(owner).__name__}.Parameters, not {type(parameters).__name__}"
        )


def model_parameters(
    owner: Any, model: str, parameters: BaseModel | None
) -> tuple[BaseModel, frozenset[str]]:
    """``owner``'s parameters (``owner.Parameters()`` when None), checked to be of that
    class and against ``model``'s card (a parameter the card removes is refused; no-op
    without a card), and the fields the card removes (never sent)."""
    params = parameters if parameters is not None else owner.Parameters()
    check_parameters_type(owner, params)
    from .._cards import check_parameters_against_card, removed_by_card

    check_parameters_against_card(type(owner), model, params)
    return params, removed_by_card(type(owner), model)


def http_options(
    transport: str | None,
    http_client: httpx.AsyncClient | None,
    default_headers: Mapping[str, str] | None,
    max_connections: int | None,
) -> dict[str, Any]:
    """A constructor's HTTP arguments as ``BoundModel._bind(http_options=...)`` takes
    them (``HttpTransport``'s keywords)."""
    return {
        "transport": transport,
        "http_client": http_client,
        "default_headers": default_headers,
        "max_connections": max_connections,
    }


class ModelLifecycle:
    """``async with model:`` / ``await model.aclose()``."""

    async def aclose(self) -> None:
        """Release what the model holds (connections); nothing by default."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class BoundModel(ModelLifecycle):
    """The set-up of a model class generated from a spec (``binding``)."""

    binding: ClassVar[ModelBinding]
    _endpoint: EndpointBinding
    _retry: RetryPolicy
    _transport: HttpTransport | None = None

    def _bind(
        self,
        credential: CredentialBase,
        dialect_base: Callable[..., DialectT],
        max_retries: int,
        *,
        timeout: httpx.Timeout | float | None = None,
        http: bool = True,
        http_options: Mapping[str, Any] | None = None,
        **retry: Any,
    ) -> DialectT:
        """Select the endpoint, build its dialect (a ``dialect_base``), the transport
        (unless ``http`` is False: websocket models open their own; ``http_options`` are
        ``HttpTransport``'s: transport, http_client, default_headers, max_connections)
        and the retry policy (``retry``: delays overriding the defaults); return the
        dialect."""
        from .._dialects import load_dialect
        from .transport import HttpTransport

        self._endpoint = self.binding.endpoint_for(credential.resolved_base_url())
        dialect_cls = load_dialect(self._endpoint.dialect, dialect_base)
        dialect = dialect_cls(self._endpoint, self.binding.wire_params, self.binding.provider)
        self._transport = HttpTransport(timeout, **(http_options or {})) if http else None
        self._retry = self.binding.retry_policy(max_retries, **retry)
        return dialect

    @property
    def _http(self) -> HttpTransport:
        """The HTTP transport (models bound with ``http=True``)."""
        if self._transport is None:
            raise RuntimeError(f"{type(self).__name__} has no HTTP transport")
        return self._transport

    @property
    def _provider(self) -> str:
        """The provider named in errors."""
        return self.binding.provider

    async def aclose(self) -> None:
        """Close the model's HTTP connections (a later call opens new ones)."""
        if self._transport is not None:
            await self._transport.aclose()
