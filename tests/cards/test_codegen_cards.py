"""Card compilation at regeneration: shipped cards are validated and compiled to data."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.cards import compile_folder, module_name, pyliteral
from codegen.load import SpecError
from tests.conftest import ROOT

Users = tuple[str, list[tuple[str, Any]]]


@pytest.fixture(scope="module")
def folders() -> dict[str, Users]:
    """Every card folder the generated classes name: its family and (name, Parameters)."""
    registry = importlib.import_module("specwire._generated.registry")
    by_folder: dict[str, Users] = {}
    for info in registry.PROVIDERS.values():
        for family in ("chat", "embedding", "tts", "realtime"):
            modules = {
                "chat": registry.CHAT_MODELS,
                "embedding": registry.EMBEDDING_MODELS,
                "tts": registry.TTS_MODELS,
                "realtime": registry.REALTIME_MODELS,
            }[family]
            for class_name in info[family]:
                cls = getattr(importlib.import_module(modules[class_name]), class_name)
                if cls.cards_dir:
                    entry = by_folder.setdefault(cls.cards_dir, (family, []))
                    entry[1].append((class_name, cls.Parameters))
    return by_folder


def _compile(spec: Path, folder: str, folders: dict[str, Users]) -> dict[str, Any]:
    family, classes = folders[folder]
    return compile_folder(spec, folder, family, classes)


def _copy_folder(tmp_path: Path, folder: str) -> Path:
    spec = tmp_path / "spec"
    shutil.copytree(ROOT / "spec" / folder, spec / folder)
    return spec


def _edit(spec: Path, relative: str, change: Any) -> None:
    path = spec / relative
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


@pytest.mark.parametrize(
    ("card", "change", "field", "message"),
    [
        (
            "deepseek/chat/deepseek-v4-pro.yaml",
            lambda d: d.update(status="retired"),
            "status",
            "'active', 'deprecated' or 'sunset'",
        ),
        (
            "deepseek/chat/deepseek-v4-pro.yaml",
            lambda d: d.update(type="embedding_model"),
            "type",
            "'chat_model'",
        ),
        (
            "deepseek/chat/deepseek-v4-pro.yaml",
            lambda d: d["parameter_overrides"].update(top_k=None),
            "parameter_overrides.top_k",
            "DeepSeekChatModel.Parameters has no parameter 'top_k'",
        ),
        (
            "deepseek/chat/deepseek-v4-pro.yaml",
            lambda d: d["parameter_overrides"].update(temperature={"maximum": 5}),
            "parameter_overrides.temperature.maximum",
            "above the API-wide maximum 2",
        ),
        (
            "deepseek/chat/deepseek-v4-pro.yaml",
            lambda d: d["parameter_overrides"].update(temperature={"maximum": 1, "default": 1.3}),
            "parameter_overrides.temperature.default",
            "outside the range",
        ),
    ],
)
def test_an_invalid_shipped_card_fails_regeneration_naming_file_and_field(
    tmp_path: Path, folders: dict[str, Users], card: str, change: Any, field: str, message: str
) -> None:
    spec = _copy_folder(tmp_path, "cards/deepseek/chat")
    _edit(spec, f"cards/{card}", change)
    with pytest.raises(SpecError) as info:
        _compile(spec, "cards/deepseek/chat", folders)
    assert str(info.value).startswith(f"spec/cards/{card}: {field}"), info.value
    assert message in str(info.value)


def test_malformed_yaml_fails_regeneration(tmp_path: Path, folders: dict[str, Users]) -> None:
    spec = _copy_folder(tmp_path, "cards/deepseek/chat")
    (spec / "cards/deepseek/chat/broken.yaml").write_text("name: [unclosed\n")
    with pytest.raises(
        SpecError, match=r"spec/cards/deepseek/chat/broken.yaml: line 2: not valid YAML"
    ):
        _compile(spec, "cards/deepseek/chat", folders)


def test_a_shared_folder_card_must_fit_one_of_its_classes(
    tmp_path: Path, folders: dict[str, Users]
) -> None:
    users = [name for name, _ in folders["cards/openai/chat"][1]]
    assert users == ["OpenAIChatModel", "OpenAIResponseModel"]
    spec = _copy_folder(tmp_path, "cards/openai/chat")
    _compile(spec, "cards/openai/chat", folders)  # as shipped: fine
    _edit(
        spec,
        "cards/openai/chat/gpt-5.5.yaml",
        lambda d: d["parameter_overrides"].update(reasoning_effort={"enum": ["ultra"]}),
    )
    with pytest.raises(SpecError) as info:
        _compile(spec, "cards/openai/chat", folders)
    message = str(info.value)
    assert message.startswith(
        "spec/cards/openai/chat/gpt-5.5.yaml: parameter_overrides.reasoning_effort.enum"
    )
    assert (
        "for OpenAIChatModel.Parameters" in message
        and "for OpenAIResponseModel.Parameters" in message
    )


def test_duplicate_names_and_missing_folders_fail(
    tmp_path: Path, folders: dict[str, Users]
) -> None:
    spec = _copy_folder(tmp_path, "cards/deepseek/chat")
    shutil.copy(
        spec / "cards/deepseek/chat/deepseek-v4-pro.yaml", spec / "cards/deepseek/chat/zz-copy.yaml"
    )
    with pytest.raises(
        SpecError, match=r"zz-copy.yaml: name: 'deepseek-v4-pro' is also the name in"
    ):
        _compile(spec, "cards/deepseek/chat", folders)
    with pytest.raises(SpecError, match="card folder named by DeepSeekChatModel does not exist"):
        _compile(tmp_path / "empty", "cards/deepseek/chat", folders)


def test_compiled_modules_hold_exactly_the_yaml_data(folders: dict[str, Users]) -> None:
    index = importlib.import_module("specwire._generated.cards").CARD_MODULES
    assert set(index) == set(folders)
    for folder, module_path in index.items():
        module = importlib.import_module(module_path)
        assert f"spec/{folder}" == module.FOLDER and module_path.endswith(module_name(folder))
        assert folders[folder][0] == module.FAMILY
        files = sorted((ROOT / "spec" / folder).glob("*.yaml"))
        assert list(module.CARDS) == [p.name for p in files]
        for path in files:
            assert module.CARDS[path.name] == yaml.safe_load(path.read_text()), path


def test_pyliteral_keeps_lists_and_sorts_keys() -> None:
    assert pyliteral({"b": [1, None, True], "a": 'x"y'}) == '{"a": "x\\"y", "b": [1, None, True]}'
    assert module_name("cards/openai/chat") == "openai_chat"
    with pytest.raises(TypeError):
        pyliteral({"when": object()})
