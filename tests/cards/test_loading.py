"""Discovery and loading: shipped (compiled) cards, custom folders, a user's _models/."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict, Field

from specwire._cards import CardError, EmbeddingModelCard, ModelCard, TTSModelCard, list_cards
from specwire.credential import DashScopeCredential, DeepSeekCredential, OpenAICredential
from specwire.model import DashScopeChatModel, OpenAIChatModel, OpenAIResponseModel
from tests.conftest import ROOT

CARDS = ROOT / "spec" / "cards"


def _yaml_names(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


def test_a_model_class_lists_its_shipped_cards() -> None:
    cards = OpenAIChatModel.list_models()
    assert sorted(c.name for c in cards) == _yaml_names(CARDS / "openai" / "chat")
    assert all(isinstance(c, ModelCard) and c.type == "chat_model" for c in cards)
    gpt = next(c for c in cards if c.name == "gpt-4o")
    assert gpt.status == "deprecated" and gpt.context_size == 128000 and gpt.output_size == 16384
    assert gpt.parameters_overrides["max_tokens"] == {"maximum": 16384}
    assert gpt.parameter_schema["properties"]["max_tokens"]["maximum"] == 16384
    assert "reasoning_effort" not in gpt.parameter_schema["properties"]  # removed by the card
    assert gpt.source and "openai.com" in gpt.source


def test_credentials_discover_their_model_classes_and_cards() -> None:
    assert DashScopeCredential.get_chat_model_class() is DashScopeChatModel
    assert [c.name for c in DashScopeCredential.list_models()] == [
        c.name for c in DashScopeChatModel.list_models()
    ]
    assert OpenAICredential.list_models()[0].name == OpenAIChatModel.list_models()[0].name
    assert DeepSeekCredential.get_embedding_model_class() is None
    assert DeepSeekCredential.list_embedding_models() == []
    assert (
        DeepSeekCredential.get_tts_model_classes() == []
        and DeepSeekCredential.list_tts_models() == []
    )


def test_the_responses_model_reads_the_openai_chat_cards_fitted_to_its_own_parameters() -> None:
    chat = {c.name: c for c in OpenAIChatModel.list_models()}
    responses = {c.name: c for c in OpenAIResponseModel.list_models()}
    assert chat.keys() == responses.keys()
    # gpt-5.5 removes presence/frequency penalties, which only Chat Completions has: the
    # Responses model reads the same card with those lines fitted away, not as an error.
    effort = ["none", "low", "medium", "high", "xhigh"]
    for cards in (chat, responses):
        assert cards["gpt-5.5"].parameter_schema["properties"]["reasoning_effort"]["enum"] == effort
    assert "presence_penalty" not in OpenAIResponseModel.Parameters.model_fields
    assert "presence_penalty" not in responses["gpt-5.5"].parameter_schema["properties"]
    assert "presence_penalty" in OpenAIChatModel.Parameters.model_fields
    assert "presence_penalty" not in chat["gpt-5.5"].parameter_schema["properties"]
    assert "verbosity" in responses["gpt-5.5"].parameter_schema["properties"]


def test_every_shipped_schema_is_flat_valid_json_schema_and_validates_default_parameters() -> None:
    for model_cls in (OpenAIChatModel, OpenAIResponseModel, DashScopeChatModel):
        defaults = model_cls.Parameters().model_dump(mode="json", exclude_none=True)
        for card in model_cls.list_models():
            schema = card.parameter_schema
            jsonschema.Draft202012Validator.check_schema(schema)
            assert "$ref" not in str(schema) and "anyOf" not in str(schema), card.name
            removed = {k for k, v in card.parameters_overrides.items() if v is None}
            jsonschema.validate({k: v for k, v in defaults.items() if k not in removed}, schema)


def test_listed_cards_are_fresh_copies() -> None:
    first = OpenAIChatModel.list_models()
    first[0].parameter_schema["properties"].clear()
    first[0].input_types.append("video/mp4")
    again = OpenAIChatModel.list_models()[0]
    assert again.parameter_schema["properties"] and "video/mp4" not in again.input_types


def _modules_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if 'cards' in m or m in ('yaml', 'jsonschema'))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def test_importing_public_faces_loads_no_cards_and_no_yaml() -> None:
    assert _modules_after("import specwire.model, specwire.credential, specwire.errors") == []


def test_importing_a_model_class_loads_no_card_data_and_no_yaml() -> None:
    # a provider module may name the card types; the data and the YAML reader stay out
    loaded = _modules_after("from specwire.model import OpenAIChatModel, DashScopeChatModel")
    assert not [
        m
        for m in loaded
        if m not in ("specwire._cards", "specwire._cards.card", "specwire._cards.errors")
    ]


def test_listing_shipped_cards_parses_no_yaml() -> None:
    probe = textwrap.dedent(
        """
        import sys
        sys.modules["yaml"] = None  # any import of yaml now fails
        sys.modules["jsonschema"] = None
        from specwire.model import OpenAIChatModel
        print(len(OpenAIChatModel.list_models()))
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert int(done.stdout) == len(_yaml_names(CARDS / "openai" / "chat"))


# ------------------------------------------------------------- custom folders
GOOD = """
name: tiny-1
label: Tiny 1
status: active
input_types: [text/plain, image/png]
output_types: [text/plain]
context_size: 8192
output_size: 1024
parameter_overrides:
  max_tokens: {maximum: 1024}
  temperature: {maximum: 1}
  seed: null
  top_p: {hidden: true}
source: https://example.com/tiny (2026-11-23)
"""


def test_custom_yaml_dir_loads_and_merges(tmp_path: Path) -> None:
    (tmp_path / "tiny-1.yaml").write_text(GOOD)
    (card,) = OpenAIChatModel.list_models(custom_yaml_dir=str(tmp_path))
    props = card.parameter_schema["properties"]
    assert card.name == "tiny-1" and card.accepts("image/*") and not card.accepts("video/mp4")
    assert props["temperature"]["maximum"] == 1 and props["max_tokens"]["maximum"] == 1024
    assert "seed" not in props and props["top_p"]["hidden"] is True
    assert card.parameters_overrides["seed"] is None
    assert OpenAICredential.list_models(custom_yaml_dir=str(tmp_path))[0].name == "tiny-1"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda t: t.replace("name: tiny-1\n", ""), "name", "Field required"),
        (
            lambda t: t.replace("status: active", "status: retired"),
            "status",
            "'active', 'deprecated' or 'sunset'",
        ),
        (lambda t: "type: tts_model\n" + t, "type", "'chat_model'"),
        (lambda t: t + "colour: blue\n", "colour", "unknown card field"),
        (
            lambda t: t.replace("output_size: 1024", "output_size: 9000"),
            "(top level)",
            "exceeds context_size",
        ),
        (
            lambda t: t.replace("[text/plain, image/png]", "[text, image/png]"),
            "input_types",
            "not MIME types",
        ),
        (
            lambda t: t.replace("  seed: null", "  sede: null"),
            "parameter_overrides.sede",
            "has no parameter 'sede'",
        ),
        (
            lambda t: t.replace("temperature: {maximum: 1}", "temperature: {maximum: 3}"),
            "parameter_overrides.temperature.maximum",
            "above the API-wide maximum 2",
        ),
        (
            lambda t: t.replace(
                "temperature: {maximum: 1}", "temperature: {maximum: 1, default: 1.5}"
            ),
            "parameter_overrides.temperature.default",
            "outside the range",
        ),
        (
            lambda t: t.replace("top_p: {hidden: true}", "top_p: [1]"),
            "parameter_overrides.top_p",
            "valid dictionary",
        ),
        (lambda t: t.replace("label: Tiny 1", "label: [Tiny"), "line", "not valid YAML"),
        (lambda t: "- just\n- a list\n", "(top level)", "expected a mapping"),
    ],
)
def test_an_invalid_custom_card_names_its_file_and_field(
    tmp_path: Path, change: Any, field: str, message: str
) -> None:
    path = tmp_path / "tiny-1.yaml"
    path.write_text(change(GOOD))
    with pytest.raises(CardError) as info:
        OpenAIChatModel.list_models(custom_yaml_dir=str(tmp_path))
    assert info.value.file == str(path)
    assert info.value.field.startswith(field), info.value
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}: {info.value.field}: ")


def test_two_cards_with_one_name_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yml").write_text(GOOD)
    with pytest.raises(CardError, match=r"b\.yml: name: 'tiny-1' is also the name in .*a\.yaml"):
        OpenAIChatModel.list_models(custom_yaml_dir=tmp_path)


def test_a_missing_custom_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CardError, match="is not a folder"):
        OpenAIChatModel.list_models(custom_yaml_dir=str(tmp_path / "nope"))


# -------------------------------------------------- a user-defined provider
PROVIDER_CREDENTIAL = """
from typing import Literal
from pydantic import ConfigDict, Field, SecretStr
from specwire.credential import CredentialBase

class MyProviderCredential(CredentialBase):
    model_config = ConfigDict(title="My Provider API")
    type: Literal["my_provider_credential"] = "my_provider_credential"
    api_key: SecretStr = Field(description="API key for My Provider.")
    base_url: str = Field(default="https://api.myprovider.com/v1")

    @classmethod
    def get_chat_model_class(cls):
        from .my_model import MyProviderChatModel
        return MyProviderChatModel
"""

PROVIDER_MODEL = """
from typing import Any, Literal
from pydantic import BaseModel, Field
from specwire.model import ChatModelBase

class MyProviderChatModel(ChatModelBase):
    class Parameters(BaseModel):
        max_tokens: int | None = Field(default=None, gt=0)
        temperature: float | None = Field(default=None, ge=0, le=2)

    type: Literal["my_provider_chat"] = "my_provider_chat"

    async def _call_api(self, model_name, messages, tools=None, tool_choice=None, **kwargs: Any):
        raise NotImplementedError
"""

REFERENCE_CARD = """
name: my-model-v1
label: My Model V1
status: active
input_types:
  - text/plain
output_types:
  - text/plain
context_size: 128000
output_size: 4096
parameter_overrides:
  max_tokens: {"maximum": 4096}
"""


def test_a_custom_provider_with_a_models_folder_works_like_a_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "my_provider"
    (package / "_models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "my_credential.py").write_text(PROVIDER_CREDENTIAL)
    (package / "my_model.py").write_text(PROVIDER_MODEL)
    (package / "_models" / "my-model-v1.yaml").write_text(REFERENCE_CARD)
    monkeypatch.syspath_prepend(str(tmp_path))
    credential_cls = importlib.import_module("my_provider.my_credential").MyProviderCredential
    try:
        (card,) = credential_cls.list_models()
        assert card.name == "my-model-v1" and card.output_size == 4096
        assert card.parameter_schema["properties"]["max_tokens"] == {
            "type": "integer",
            "exclusiveMinimum": 0,
            "title": "Max Tokens",
            "maximum": 4096,
        }
        model_cls = credential_cls.get_chat_model_class()
        assert [c.name for c in model_cls.list_models()] == ["my-model-v1"]
        assert (
            model_cls.list_models(custom_yaml_dir=str(package / "_models"))[0].name == "my-model-v1"
        )
    finally:
        for name in [m for m in sys.modules if m.startswith("my_provider")]:
            del sys.modules[name]


# ------------------------------------------------- embedding and TTS cards
class _EmbeddingParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dimensions: int | None = Field(default=None, ge=1)


class _StandInEmbeddingModel:
    """Stands in for an embedding class: list_cards needs only Parameters."""

    Parameters = _EmbeddingParams


class _TTSParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    voice: str | None = None
    language_type: str | None = None
    format: str | None = None
    sample_rate: int | None = Field(default=None, gt=0)
    volume: int | None = Field(default=None, ge=0, le=100)
    speech_rate: float | None = Field(default=None, ge=0.5, le=2.0)
    pitch: float | None = Field(default=None, ge=0.5, le=2.0)


class _StandInTTSModel:
    Parameters = _TTSParams


def test_embedding_cards_carry_dimensions_and_batch_limits() -> None:
    from specwire.embedding import DashScopeEmbeddingModel

    # the real class: DashScope cards also remove parameters (fps, text_type) it defines
    cards = {
        c.name: c
        for c in list_cards(DashScopeEmbeddingModel, "embedding", CARDS / "dashscope" / "embedding")
    }
    assert "fps" not in cards["text-embedding-v4"].parameter_schema["properties"]
    assert "fps" in cards["qwen3-vl-embedding"].parameter_schema["properties"]
    v4 = cards["text-embedding-v4"]
    assert isinstance(v4, EmbeddingModelCard) and v4.type == "embedding_model"
    assert v4.output_types == ["application/x-embedding"] and not hasattr(v4, "output_size")
    assert v4.parameter_schema["properties"]["dimensions"]["enum"] == [
        2048,
        1536,
        1024,
        768,
        512,
        256,
        128,
        64,
    ]
    assert v4.parameter_schema["properties"]["dimensions"]["default"] == 1024
    assert cards["qwen3-vl-embedding"].batch_limits == {"elements": 20, "images": 5, "videos": 1}
    assert cards["multimodal-embedding-v1"].parameter_schema["properties"]["dimensions"][
        "enum"
    ] == [1024]
    (ada,) = list_cards(_StandInEmbeddingModel, "embedding", CARDS / "openai" / "embedding")[-1:]
    assert (
        ada.name == "text-embedding-ada-002"
        and "dimensions" not in ada.parameter_schema["properties"]
    )


def test_embedding_card_defaults_follow_the_reference() -> None:
    card = EmbeddingModelCard(name="e", label="E", context_size=512)
    assert card.input_types == ["text/plain"] and card.output_types == ["application/x-embedding"]


def test_tts_voices_become_the_voice_enum() -> None:
    cards = {c.name: c for c in list_cards(_StandInTTSModel, "tts", CARDS / "dashscope" / "tts")}
    flash = cards["qwen3-tts-flash"]
    assert isinstance(flash, TTSModelCard) and not flash.realtime
    assert flash.parameter_schema["properties"]["voice"]["enum"] == flash.voices
    assert "Cherry" in flash.voices
    assert cards["cosyvoice-v3-plus"].realtime
    assert cards["cosyvoice-v3-plus"].parameter_schema["properties"]["voice"]["enum"] == [
        "longanyang"
    ]
    assert (
        "voice" not in cards["sambert-zhichu-v1"].parameter_schema["properties"]
    )  # voice is the model id


def test_tts_card_defaults_follow_the_reference() -> None:
    card = TTSModelCard(name="t", label="T")
    assert card.input_types == ["text/plain"] and card.output_types == ["audio/wav"]
    assert card.realtime is False and card.voices == []
