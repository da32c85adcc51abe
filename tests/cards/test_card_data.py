"""The shipped card data is internally consistent (figures themselves come from the
sources each card names; spec/cards/SOURCES.md lists the uncertain ones)."""

from __future__ import annotations

import importlib
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from specwire._cards.card import CARD_TYPES, THINKING_TYPE
from tests.conftest import ROOT

CARDS = ROOT / "spec" / "cards"
ALL = sorted(CARDS.glob("*/*/*.yaml"))
COMPILED_ON = date(2026, 11, 23)  # spec/cards/SOURCES.md
THINKING_CONTROLS = ("thinking_enable", "thinking_budget", "reasoning_effort")
DATE = r"(\d{4}-\d{2}-\d{2})"


def _card(path: Path) -> tuple[str, dict[str, Any], str]:
    text = path.read_text()
    header = "\n".join(line[1:].strip() for line in text.splitlines() if line.startswith("#"))
    return path.parent.name, yaml.safe_load(text), header


def _ids(path: Path) -> str:
    return str(path.relative_to(CARDS))


def _spec_parameters() -> dict[str, set[str]]:
    """Card folder -> parameter names of every generated class that names it."""
    registry = importlib.import_module("specwire._generated.registry")
    names: dict[str, set[str]] = {}
    for info in registry.PROVIDERS.values():
        for family in ("chat", "embedding", "tts"):
            modules = {
                "chat": registry.CHAT_MODELS,
                "embedding": registry.EMBEDDING_MODELS,
                "tts": registry.TTS_MODELS,
            }[family]
            for class_name in info[family]:
                cls = getattr(importlib.import_module(modules[class_name]), class_name)
                if cls.cards_dir:
                    names.setdefault(cls.cards_dir, set()).update(cls.Parameters.model_fields)
    return names


SPEC_PARAMETERS = _spec_parameters()


def test_the_data_covers_every_family_the_reference_names() -> None:
    folders = {str(p.relative_to(CARDS)) for p in CARDS.glob("*/*") if p.is_dir()}
    for provider in (
        "openai",
        "anthropic",
        "gemini",
        "dashscope",
        "deepseek",
        "moonshot",
        "xai",
        "ollama",
    ):
        assert f"{provider}/chat" in folders
    names = {p.stem for p in ALL}
    for model in (
        "text-embedding-v4",
        "qwen3-vl-embedding",
        "tongyi-embedding-vision-plus",
        "text-embedding-3-small",
        "text-embedding-3-large",
        "gemini-embedding-001",
        "gemini-embedding-2",
        "nomic-embed-text",
        "qwen3-tts-flash",
        "qwen3-tts-flash-realtime",
        "cosyvoice-v3-plus",
        "cosyvoice-v3-flash",
    ):
        assert model in names
    assert any(n.startswith("sambert-") for n in names)


@pytest.mark.parametrize("path", ALL, ids=_ids)
def test_card_fields_and_source(path: Path) -> None:
    family, data, _ = _card(path)
    card = CARD_TYPES[family].model_validate(data)  # types, status, MIME types, output <= context
    # the file name need not be the model id (ids such as openai/gpt-oss-120b cannot be);
    # the loader refuses two cards of one folder naming the same model
    assert card.name.strip() == card.name and card.name, "a card names its model id"
    assert card.source and re.search(r"https?://|\d{4}", card.source), (
        "every card says where its figures come from"
    )
    images = [t for t in card.input_types if t.startswith("image/")]
    assert "image/*" not in images, "name concrete image types so uploads can be filtered"
    if family == "chat":
        assert card.input_types[0] == "text/plain" and "text/plain" in card.output_types
        cap = (card.parameters_overrides.get("max_tokens") or {}).get("maximum")
        assert cap is None or cap <= card.output_size, f"max_tokens maximum {cap} above output_size"
    if family == "tts":
        assert card.voices, "a TTS card lists its voices"


@pytest.mark.parametrize("path", [p for p in ALL if p.parent.name == "chat"], ids=_ids)
def test_thinking_models_list_thinking_output(path: Path) -> None:
    _, data, header = _card(path)
    outputs = data["output_types"]
    overrides = data.get("parameter_overrides") or {}
    kept = [c for c in THINKING_CONTROLS if isinstance(overrides.get(c), dict)]
    folder = f"cards/{path.parent.parent.name}/chat"
    untouched = [
        c
        for c in THINKING_CONTROLS
        if c in SPEC_PARAMETERS.get(folder, set()) and c not in overrides
    ]
    name = f"{data['name']} {data['label']}".lower()
    says_thinking = bool(
        re.search(
            r"reasoning model|thinking model|hybrid thinking|adaptive thinking|extended thinking",
            header,
            re.I,
        )
        or (re.search(r"reasoner|thinking|reasoning|-r1\b", name) and "non-reasoning" not in name)
    )
    if kept or untouched or says_thinking:
        assert THINKING_TYPE in outputs, (
            f"thinking controls {kept + untouched} or notes say thinking, but no {THINKING_TYPE}"
        )
    if (
        re.search(r"no thinking mode|without thinking mode", header, re.I)
        or "non-reasoning" in name
    ):
        assert THINKING_TYPE not in outputs, "notes say no thinking, but the card lists it"
        assert not kept and not untouched, (
            f"a model without thinking keeps {kept + untouched} in its form"
        )


@pytest.mark.parametrize("path", [p for p in ALL if p.parent.name != "tts"], ids=_ids)
def test_vision_models_list_image_inputs(path: Path) -> None:
    _, data, header = _card(path)
    inputs = data.get("input_types") or ["text/plain"]
    name = f"{data['name']} {data['label']}".lower()
    claims_vision = re.search(r"-vl\b|-vl-|vision|llava", name) or re.search(
        r"vision|multimodal|\bimage\b", header, re.I
    )
    if claims_vision and not re.search(r"text-only|text only|vision is ", header, re.I):
        assert any(t.startswith("image/") for t in inputs), "a vision model must list image types"
    if re.search(r"video input|image \+ video|video up to|videos? <=", header, re.I):
        assert any(t.startswith("video/") for t in inputs), (
            "notes say video input, but no video types"
        )
    if re.search(r"text-only input|text-only;|\btext only\b", header, re.I):
        assert not any(t.startswith(("image/", "video/")) for t in inputs)


@pytest.mark.parametrize("path", ALL, ids=_ids)
def test_deprecated_models_are_marked(path: Path) -> None:
    _, data, header = _card(path)
    status = data.get("status", "active")
    lines = header.splitlines()
    if any(line.startswith("Deprecated:") for line in lines):
        assert status == "deprecated"
    if any(re.match(rf"(Retired|Shut down)\s+{DATE}|Discontinued\b", line) for line in lines):
        assert status == "sunset"
    if status != "active":
        assert re.search(
            r"deprecat|retire|shut|discontinu|supersed|legacy|no longer", header, re.I
        ), f"status {status} without a note saying why"
    # a shutdown date already past when the cards were compiled means the model is gone
    for when in re.findall(
        rf"(?:shuts? down|shutdown|retires?|retired)\s+(?:on\s+)?{DATE}", header, re.I
    ):
        if date.fromisoformat(when) <= COMPILED_ON:
            assert status != "active", f"shut down on {when}, still marked active"


@pytest.mark.parametrize("folder", sorted({str(p.parent.relative_to(CARDS.parent)) for p in ALL}))
def test_override_keys_exist_in_the_family_parameters(folder: str) -> None:
    if folder not in SPEC_PARAMETERS:
        pytest.skip(f"no spec names {folder} yet: its override keys cannot be checked")
    known = SPEC_PARAMETERS[folder]
    for path in sorted((CARDS.parent / folder).glob("*.yaml")):
        overrides = yaml.safe_load(path.read_text()).get("parameter_overrides") or {}
        unknown = sorted(set(overrides) - known)
        assert not unknown, (
            f"{path.name}: {unknown} are not parameters of the classes using {folder}"
        )


def test_no_card_offers_a_parameter_for_media_it_does_not_handle() -> None:
    # e.g. a text-only embedding model has no "Video frames per second" field
    from specwire._cards.catalog import iter_catalog

    wrong = []
    for entry in iter_catalog():
        handled = [*entry.card.input_types, *entry.card.output_types]
        for name, prop in entry.card.parameter_schema.get("properties", {}).items():
            words = f"{prop.get('title', '')} {prop.get('description', '')}".lower()
            for kind in ("video", "image", "audio"):
                if kind in words and not any(t.startswith(f"{kind}/") for t in handled):
                    wrong.append(f"{entry.provider}/{entry.card.name}: {name}")
    assert not wrong, wrong
