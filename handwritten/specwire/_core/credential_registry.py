"""Which credential classes exist: the generated providers' and those an application
registers, by provider id and by ``type``, so a credential stored as JSON (a UI's
"register a credential, then pick a model" flow) can be rebuilt, and the catalog, the
CLI and the card browser list custom providers beside the generated ones."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .credential import CredentialBase

C = TypeVar("C", bound=type[CredentialBase])


@dataclass(frozen=True)
class ProviderEntry:
    """A provider as listed by the catalog: its id, label and credential class."""

    provider: str
    label: str
    credential: type[CredentialBase]


_REGISTERED: dict[str, ProviderEntry] = {}


def _registry() -> Any:
    return importlib.import_module("specwire._generated.registry")


def credential_type(cls: type[CredentialBase]) -> str:
    """The ``type`` discriminator a credential class stores (its field default)."""
    field = cls.model_fields.get("type")
    value = None if field is None else field.default
    if not isinstance(value, str) or not value:
        raise TypeError(f"{cls.__name__} needs a `type` field with a default value")
    return value


def register_credential(
    cls: C | None = None, *, provider: str | None = None, label: str | None = None
) -> Any:
    """Register a custom credential class (directly or as a class decorator) so that
    ``credential_from_json`` rebuilds it and the catalog, ``specwire models``,
    ``specwire chat`` and the card browser list its provider. ``provider`` defaults to
    the ``type`` without a ``_credential`` suffix; ``label`` to the model config title."""

    def register(credential: C) -> C:
        kind = credential_type(credential)
        name = (provider or re.sub(r"_credential$", "", kind)).lower()
        if name in _generated_providers():
            raise ValueError(f"provider {name!r} is a built-in provider; pick another id")
        for entry in _REGISTERED.values():
            if entry.credential is not credential and credential_type(entry.credential) == kind:
                raise ValueError(f"credential type {kind!r} is already registered")
        title = label or credential.model_config.get("title") or credential.__name__
        _REGISTERED[name] = ProviderEntry(name, str(title), credential)
        return credential

    return register if cls is None else register(cls)


def unregister_credential(provider: str) -> None:
    """Forget a registered provider (tests, plugin reloads)."""
    _REGISTERED.pop(provider.lower(), None)


def _generated_providers() -> dict[str, dict[str, object]]:
    providers: dict[str, dict[str, object]] = _registry().PROVIDERS
    return providers


def provider_entries() -> dict[str, ProviderEntry]:
    """Every provider, generated and registered, by id (sorted)."""
    registry = _registry()
    out: dict[str, ProviderEntry] = {}
    for name, info in registry.PROVIDERS.items():
        class_name = str(info["credential"])
        module = importlib.import_module(registry.CREDENTIALS[class_name])
        out[name] = ProviderEntry(name, str(info["label"]), getattr(module, class_name))
    out.update(_REGISTERED)
    return dict(sorted(out.items()))


def find_provider(name: str) -> ProviderEntry | None:
    """A provider by id, case-insensitively (``OpenAI`` is ``openai``)."""
    wanted = name.lower()
    registry = _registry()
    for provider, info in registry.PROVIDERS.items():
        if provider.lower() == wanted:
            class_name = str(info["credential"])
            module = importlib.import_module(registry.CREDENTIALS[class_name])
            return ProviderEntry(provider, str(info["label"]), getattr(module, class_name))
    return _REGISTERED.get(wanted)


def credential_class_for_type(kind: str) -> type[CredentialBase] | None:
    """The credential class whose ``type`` is ``kind`` (generated or registered)."""
    registry = _registry()
    for info in registry.PROVIDERS.values():
        if info.get("credential_type") == kind:
            class_name = str(info["credential"])
            found: type[CredentialBase] = getattr(
                importlib.import_module(registry.CREDENTIALS[class_name]), class_name
            )
            return found
    for entry in _REGISTERED.values():
        if credential_type(entry.credential) == kind:
            return entry.credential
    return None


def credential_from_json(data: str | bytes | Mapping[str, Any]) -> CredentialBase:
    """Rebuild a stored credential from its JSON (a string or the parsed mapping): its
    ``type`` picks the class, generated or registered, which validates the rest.

    Store with ``credential.model_dump(mode="json")``; ``SecretStr`` fields dump as
    ``"**********"``, so use ``model_dump_json`` with a serializer of your own, or
    ``credential_to_json(credential)`` here, to keep the secret."""
    parsed = json.loads(data) if isinstance(data, str | bytes) else dict(data)
    if not isinstance(parsed, dict):
        raise ValueError("a stored credential is a JSON object")
    kind = parsed.get("type")
    if not isinstance(kind, str):
        raise ValueError("a stored credential needs its `type` (e.g. 'openai_credential')")
    cls = credential_class_for_type(kind)
    if cls is None:
        known = sorted(
            [str(i.get("credential_type")) for i in _generated_providers().values()]
            + [credential_type(e.credential) for e in _REGISTERED.values()]
        )
        raise ValueError(f"unknown credential type {kind!r}; known: {', '.join(known)}")
    return cls.model_validate(parsed)


def credential_to_json(credential: CredentialBase) -> str:
    """The credential as JSON with its secrets in clear, for a store the application
    protects itself; ``credential_from_json`` reads it back."""
    data = credential.model_dump(mode="python")
    plain = {
        key: (value.get_secret_value() if hasattr(value, "get_secret_value") else value)
        for key, value in data.items()
    }
    return json.dumps(plain, ensure_ascii=False)
