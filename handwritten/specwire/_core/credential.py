"""The credential base: a provider's authentication fields and its model families."""

from __future__ import annotations

import builtins
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

from .binding import AuthSpec

if TYPE_CHECKING:
    from .._cards import EmbeddingModelCard, ModelCard, RealtimeModelCard, TTSModelCard
    from .chat_model import ChatModelBase


class CredentialBase(BaseModel):
    """Authentication for one provider. Subclasses set a unique ``type`` and their fields;
    secret fields are ``SecretStr`` and never show in reprs, logs or errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    type: str

    auth: ClassVar[AuthSpec | None] = None
    """How the secret is sent; generated credentials set it from the spec."""
    env_vars: ClassVar[dict[str, tuple[str, ...]]] = {}
    """Environment variables a missing field is read from, in order."""
    base_url_field: ClassVar[str] = "base_url"
    """The field that holds the provider root URL."""
    header_fields: ClassVar[dict[str, str]] = {}
    """Fields sent as HTTP headers when set (field -> header), e.g. OpenAI's organization."""

    @model_validator(mode="before")
    @classmethod
    def _fill_from_environment(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        for name, variables in cls.env_vars.items():
            if filled.get(name) is None:
                for var in variables:
                    value = os.environ.get(var)
                    if value:
                        filled[name] = value
                        break
        for name, field in cls.model_fields.items():
            if not _is_secret(field.annotation):
                continue
            value = filled.get(name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            source = _env_hint(cls.env_vars.get(name, ()))
            if isinstance(value, str) and not value.strip():
                if not field.is_required():
                    filled[name] = None  # an optional key left empty is no key
                    continue
                raise ValueError(f"{name} is empty: pass the key, or set {source}")
            if value is None and field.is_required():
                raise ValueError(f"{name} is required: pass {name}=..., or set {source}")
        return filled

    # pickles name the environment variable a secret comes from, never the secret
    def __getstate__(self) -> dict[Any, Any]:
        from .._pickling import credential_getstate

        return credential_getstate(self, super().__getstate__())

    def __setstate__(self, state: dict[Any, Any]) -> None:
        from .._pickling import credential_setstate

        super().__setstate__(credential_setstate(type(self), state))

    def resolved_base_url(self) -> str:
        """The root URL requests go to, without a trailing slash."""
        return str(getattr(self, self.base_url_field)).rstrip("/")

    def secret(self, field: str) -> str | None:
        """The plain value of a (secret) field, for building a request."""
        value = getattr(self, field, None)
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        return None if value is None else str(value)

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a request (and the header fields that are set)."""
        headers: dict[str, str] = {}
        for field, header in self.header_fields.items():
            value = self.secret(field)
            if value:
                headers[header] = value
        auth = self.auth
        if auth is None or auth.placement != "header":
            return headers
        value = self.secret(auth.field)
        if value:
            headers[auth.name] = f"{auth.scheme} {value}" if auth.scheme else value
        return headers

    def auth_query(self) -> dict[str, str]:
        """Query parameters that authenticate a request."""
        auth = self.auth
        if auth is None or auth.placement != "query":
            return {}
        value = self.secret(auth.field)
        return {auth.name: value} if value else {}

    # ------------------------------------------------------------ model families
    @classmethod
    def get_chat_model_class(cls) -> builtins.type[ChatModelBase] | None:
        """The provider's chat model class."""
        return None

    @classmethod
    def get_chat_model_classes(cls) -> Sequence[builtins.type[ChatModelBase]]:
        """Every chat model class of the provider, the default (``get_chat_model_class``)
        first; OpenAI's are ``OpenAIChatModel`` and ``OpenAIResponseModel``."""
        chat = cls.get_chat_model_class()
        return [] if chat is None else [chat]

    @classmethod
    def get_embedding_model_class(cls) -> builtins.type[Any] | None:
        """The provider's embedding model class, or None when it has none."""
        return None

    @classmethod
    def get_tts_model_classes(cls) -> list[builtins.type[Any]]:
        """The provider's text-to-speech model classes."""
        return []

    @classmethod
    def get_realtime_model_class(cls) -> builtins.type[Any] | None:
        """The provider's realtime (live voice and text) model class, or None."""
        return None

    @classmethod
    def get_realtime_model_classes(cls) -> list[builtins.type[Any]]:
        """Every realtime model class of the provider."""
        return []

    @classmethod
    def list_models(cls, custom_yaml_dir: str | None = None) -> list[ModelCard]:
        """Cards of the provider's chat models."""
        model_cls = cls.get_chat_model_class()
        return [] if model_cls is None else model_cls.list_models(custom_yaml_dir)

    @classmethod
    def list_embedding_models(cls, custom_yaml_dir: str | None = None) -> list[EmbeddingModelCard]:
        """Cards of the provider's embedding models."""
        model_cls = cls.get_embedding_model_class()
        if model_cls is None:
            return []
        cards: list[EmbeddingModelCard] = model_cls.list_models(custom_yaml_dir)
        return cards

    @classmethod
    def list_tts_models(cls, custom_yaml_dir: str | None = None) -> list[TTSModelCard]:
        """Cards of every text-to-speech model the provider has."""
        cards: list[TTSModelCard] = []
        for model_cls in cls.get_tts_model_classes():
            found: list[TTSModelCard] = model_cls.list_models(custom_yaml_dir)
            cards.extend(found)
        return cards

    @classmethod
    def list_realtime_models(cls, custom_yaml_dir: str | None = None) -> list[RealtimeModelCard]:
        """Cards of every realtime model the provider has."""
        cards: list[RealtimeModelCard] = []
        for model_cls in cls.get_realtime_model_classes():
            found: list[RealtimeModelCard] = model_cls.list_models(custom_yaml_dir)
            cards.extend(found)
        return cards


def _is_secret(annotation: Any) -> bool:
    """Whether a field's annotation is ``SecretStr`` (or ``SecretStr | None``)."""
    if annotation is SecretStr:
        return True
    return SecretStr in getattr(annotation, "__args__", ())


def _env_hint(variables: tuple[str, ...]) -> str:
    if not variables:
        return "the credential field"
    return " or ".join(variables)


def check_credential_family(model: object, credential: object) -> None:
    """Refuse a credential that is not a credential, or that belongs to another
    provider (a ``GeminiCredential`` given to ``OpenAIChatModel``): its model classes
    are of another provider. A credential naming no model class (a hand-written one) is
    taken as it is."""
    from .errors import InvalidInputError

    model_cls = type(model)
    if not isinstance(credential, CredentialBase):
        raise InvalidInputError(
            f"{model_cls.__name__} needs a credential object (a CredentialBase), "
            f"got {type(credential).__name__}"
        )
    cred_cls = type(credential)
    owners = [
        cred_cls.get_chat_model_class(),
        cred_cls.get_embedding_model_class(),
        *cred_cls.get_tts_model_classes(),
    ]
    known = [o for o in owners if isinstance(o, type)]
    if not known:
        return
    if any(issubclass(model_cls, o) or issubclass(o, model_cls) for o in known):
        return
    provider = _provider_of(model_cls)
    if provider is None or any(_provider_of(o) == provider for o in known):
        return  # another class of the same provider (OpenAI chat and Responses)
    raise InvalidInputError(
        f"{cred_cls.__name__} belongs to {_provider_of(known[0]) or known[0].__name__}'s "
        f"models ({', '.join(o.__name__ for o in known)}), not to {model_cls.__name__} "
        f"({provider}): give it {provider}'s own credential"
    )


def _provider_of(cls: type) -> str | None:
    binding = getattr(cls, "binding", None)
    provider = getattr(binding, "provider", None)
    return provider if isinstance(provider, str) else None
