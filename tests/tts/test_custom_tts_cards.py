"""The reference's custom TTS provider with cards: its ``Parameters`` say
``voice: str = "default"`` and its cards list real voices. Rule: the card's first voice
is then the default (in the form and in the model); a default the card sets itself must
be one of its voices, else a ``CardError`` that says so.

The example and the cards are the reference's own blocks, read from the guide."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from specwire._cards.loading import clear_caches
from specwire.errors import CardError
from tests.reference_guide import section_blocks


@pytest.fixture
def provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The guide's "Custom TTS Provider" code as a module, with a ``_models/`` folder
    holding the guide's two TTS card examples (Qwen3 TTS and CosyVoice Realtime)."""
    (code,) = section_blocks("python", "TTS", "Custom TTS Provider")
    package = tmp_path / "my_tts_provider"
    (package / "_models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(code)
    for card in section_blocks("yaml", "TTS", "TTS Model Card"):
        name = card.split("name:", 1)[1].split()[0]
        (package / "_models" / f"{name}.yaml").write_text(card)
    monkeypatch.syspath_prepend(str(tmp_path))
    clear_caches()
    try:
        yield importlib.import_module("my_tts_provider.models")
    finally:
        for name in [m for m in sys.modules if m.startswith("my_tts_provider")]:
            del sys.modules[name]
        clear_caches()


def test_list_tts_models_works_and_the_first_voice_is_the_default(provider: ModuleType) -> None:
    cards = {card.name: card for card in provider.MyCredential.list_tts_models()}
    assert set(cards) == {"qwen3-tts-flash", "cosyvoice-v3-plus"}
    voice = cards["qwen3-tts-flash"].parameter_schema["properties"]["voice"]
    assert voice["enum"] == ["Cherry", "Serena", "Ethan", "Chelsie"]
    assert voice["default"] == "Cherry"  # the class's "default" is not a voice of the card
    cosy = cards["cosyvoice-v3-plus"].parameter_schema["properties"]["voice"]
    assert cosy["default"] == "longanyang" and cards["cosyvoice-v3-plus"].realtime


def test_the_model_speaks_with_the_voice_its_form_shows(provider: ModuleType) -> None:
    credential = provider.MyCredential(type="my_credential")
    tts = provider.MyTTSModel(credential=credential, model="cosyvoice-v3-plus")
    assert tts.parameters.voice == "longanyang"
    chosen = provider.MyTTSModel(
        credential=credential,
        model="qwen3-tts-flash",
        parameters=provider.MyTTSModel.Parameters(voice="Serena"),
    )
    assert chosen.parameters.voice == "Serena"  # a voice the caller names is kept
    unknown = provider.MyTTSModel(credential=credential, model="a-model-without-a-card")
    assert unknown.parameters.voice == "default"  # no card, no voices: the class default


def test_a_default_the_card_sets_must_be_one_of_its_voices(
    provider: ModuleType, tmp_path: Path
) -> None:
    qwen = section_blocks("yaml", "TTS", "TTS Model Card")[0]
    path = tmp_path / "qwen3-tts-flash.yaml"
    path.write_text(
        qwen.replace("parameter_overrides: {}", "parameter_overrides:\n  voice: {default: Nobody}")
    )
    with pytest.raises(CardError) as info:
        provider.MyTTSModel.list_models(custom_yaml_dir=str(tmp_path))
    assert info.value.file == str(path) and info.value.field == "parameter_overrides.voice.default"
    message = str(info.value)
    assert "'Nobody' is not one of the card's voices" in message and "'Cherry'" in message
    path.write_text(
        qwen.replace("parameter_overrides: {}", "parameter_overrides:\n  voice: {default: Ethan}")
    )
    (card,) = provider.MyTTSModel.list_models(custom_yaml_dir=str(tmp_path))
    assert card.parameter_schema["properties"]["voice"]["default"] == "Ethan"
