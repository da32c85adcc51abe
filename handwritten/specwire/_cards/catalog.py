"""Every provider's cards, found the way a frontend finds them: from each credential
class, through ``get_chat_model_class`` / ``get_embedding_model_class`` /
``get_tts_model_classes`` and the model classes' ``list_models()``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from .card import AnyCard

Family = Literal["chat", "embedding", "tts", "realtime"]
FAMILIES: tuple[Family, ...] = ("chat", "embedding", "tts", "realtime")
PUBLIC_MODULE: dict[Family, str] = {
    "chat": "specwire.model",
    "embedding": "specwire.embedding",
    "tts": "specwire.tts",
    "realtime": "specwire.realtime",
}


@dataclass(frozen=True)
class CatalogEntry:
    """One card, with the provider, credential and model class it is reached through."""

    provider: str
    provider_label: str
    credential: type[Any]
    family: Family
    model_class: type[Any]
    card: AnyCard


def providers() -> dict[str, str]:
    """Provider id -> label, for every generated and registered provider."""
    from .._core.credential_registry import provider_entries

    return {name: entry.label for name, entry in provider_entries().items()}


def credential_class(provider: str) -> type[Any]:
    """The credential class of a provider (generated or registered; any letter case)."""
    from .._core.credential_registry import find_provider

    entry = find_provider(provider)
    if entry is None:
        raise KeyError(provider)
    return entry.credential


def model_classes(credential: type[Any], family: Family) -> list[type[Any]]:
    """The model classes a credential offers for ``family``."""
    if family == "chat":
        return list(credential.get_chat_model_classes())
    if family == "embedding":
        embedding = credential.get_embedding_model_class()
        return [] if embedding is None else [embedding]
    if family == "realtime":
        return list(credential.get_realtime_model_classes())
    return list(credential.get_tts_model_classes())


def iter_catalog(
    provider: str | None = None, family: Family | None = None
) -> Iterator[CatalogEntry]:
    """Cards of every provider (or one), family by family, in card-file order."""
    labels = providers()
    for name in sorted(labels):
        if provider is not None and name != provider.lower():
            continue
        credential = credential_class(name)
        for fam in FAMILIES:
            if family is not None and fam != family:
                continue
            for model_cls in model_classes(credential, fam):
                for card in model_cls.list_models():
                    yield CatalogEntry(name, labels[name], credential, fam, model_cls, card)


def credential_arguments(credential: type[Any]) -> list[tuple[str, str | None]]:
    """The fields a credential needs, each with the environment variable it reads."""
    env_vars: dict[str, tuple[str, ...]] = getattr(credential, "env_vars", {})
    needed = []
    for field_name, field in credential.model_fields.items():
        if field_name != "type" and field.is_required():
            variables = env_vars.get(field_name) or ()
            needed.append((field_name, variables[0] if variables else None))
    return needed


def browser_data(entries: list[CatalogEntry]) -> dict[str, Any]:
    """The catalog as the card browser reads it: providers, their credential (and the
    fields it needs), and per family the cards, each with the class that serves it."""
    out: dict[str, dict[str, Any]] = {}
    for entry in entries:
        provider = out.setdefault(
            entry.provider,
            {
                "id": entry.provider,
                "label": entry.provider_label,
                "credential": entry.credential.__name__,
                "credential_args": [
                    {"name": n, "env": e} for n, e in credential_arguments(entry.credential)
                ],
                "families": {},
            },
        )
        provider["families"].setdefault(entry.family, []).append(
            {
                "model_class": entry.model_class.__name__,
                "import_from": PUBLIC_MODULE[entry.family],
                "card": entry.card.model_dump(mode="json"),
            }
        )
    return {"providers": list(out.values())}
