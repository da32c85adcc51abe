"""Finding and reading cards for a model class."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .card import EmbeddingModelCard, ModelCard, TTSModelCard

_CARD_TYPES: dict[str, type[Any]] = {"chat": ModelCard, "embedding": EmbeddingModelCard, "tts": TTSModelCard}


def spec_root() -> Path:
    """The spec folder: inside the package in a wheel, beside the sources in a checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_spec"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "spec"


def list_cards(model_cls: type[Any], family: str, custom_yaml_dir: str | None = None) -> list[Any]:
    """The cards of ``model_cls``: YAML files in ``custom_yaml_dir``, else its spec'd
    card folder, else a ``_models`` folder beside the module that defines it."""
    folder: Path | None
    if custom_yaml_dir is not None:
        folder = Path(custom_yaml_dir)
    elif getattr(model_cls, "cards_dir", None):
        folder = spec_root() / model_cls.cards_dir
    else:
        import sys

        module = sys.modules.get(model_cls.__module__)
        module_file = getattr(module, "__file__", None)
        folder = Path(module_file).parent / "_models" if module_file else None
    if folder is None or not folder.is_dir():
        return []
    card_type = _CARD_TYPES[family]
    cards = []
    for path in sorted(folder.glob("*.y*ml")):
        data = yaml.safe_load(path.read_text()) or {}
        overrides = data.pop("parameter_overrides", None) or {}
        data.pop("batch_limits", None) if family != "embedding" else None
        cards.append(card_type(**data, parameters_overrides=overrides))
    return cards
